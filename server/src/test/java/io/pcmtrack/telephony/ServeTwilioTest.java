package io.pcmtrack.telephony;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import io.pcmtrack.agent.AgentOptions;
import io.pcmtrack.server.PcmTrackServer;
import org.junit.jupiter.api.Test;

/**
 * A phone call to {@code pcmtrack serve}'s agent: the telephony module's Twilio provider simulator
 * on a real WebSocket to the server's {@code /twilio}, in real time (20 ms μ-law frames both
 * ways, the provider playing what it gets at real-time rate and echoing marks as it plays them).
 */
class ServeTwilioTest {
    private static final int RATE = 8_000;
    private static final double TONE_DBFS = -20;

    /** 400 Hz: 20 samples a period, so a 160-sample frame repeats without a seam. */
    private static short[] toneFrame() {
        short[] f = new short[160];
        double amplitude = Math.pow(10, TONE_DBFS / 20) * Math.sqrt(2) * 32767;
        for (int i = 0; i < f.length; i++) {
            f[i] = (short) Math.round(amplitude * Math.sin(2 * Math.PI * 400 * i / RATE));
        }
        return f;
    }

    @Test
    void aCallerIsAnsweredInMuLawCutByTalkingOverItAndMarksResolveAsPlayed() throws Exception {
        try (PcmTrackServer server = PcmTrackServer.builder().port(0).agent(AgentOptions.defaults()).twilio().build().start();
             SimulatedProviderClient call = new SimulatedProviderClient(URI.create(server.url().replace("http", "ws") + "/twilio"), "MZ1")
                     .start("CA1")) {
            short[] tone = toneFrame();
            short[] silence = new short[160];
            call.callerSays(silence);
            Thread.sleep(1_000);
            assertThat(server.phoneCalls()).isEqualTo(1);
            call.callerSays(tone);                 // the first utterance, 1.0 s
            Thread.sleep(1_000);
            call.callerSays(silence);
            Thread.sleep(2_200);                   // answered after 500 ms of silence, 1.0 s long
            call.callerSays(tone);                 // the second, 1.6 s
            Thread.sleep(1_600);
            call.callerSays(silence);
            Thread.sleep(800);                     // its answer has been playing for about 300 ms
            long cutStart = System.nanoTime();
            call.callerSays(tone);                 // talks over it: 0.6 s
            long clearAfter = -1;
            while (System.nanoTime() - cutStart < 600_000_000L) {
                if (clearAfter < 0 && call.provider.clears() > 0) {
                    clearAfter = (System.nanoTime() - cutStart) / 1_000_000;
                }
                Thread.sleep(2);
            }
            call.callerSays(silence);
            Thread.sleep(2_000);                   // the third answer, 0.6 s

            List<double[]> answers = sounds(call.provider.heard());
            System.out.printf(Locale.ROOT, "the provider played: %s; clear %d ms after the caller talked over the answer; marks echoed %s%n",
                    describe(answers), clearAfter, call.provider.echoed());
            assertThat(answers).hasSize(3);
            assertThat(answers.get(0)[1]).as("first answer, ms").isCloseTo(1000, within(40.0));
            assertThat(answers.get(0)[2]).as("first answer, dBFS").isCloseTo(TONE_DBFS, within(1.0));
            assertThat(answers.get(1)[1]).as("cut answer, ms").isBetween(100.0, 800.0);
            assertThat(answers.get(2)[1]).as("third answer, ms").isCloseTo(600, within(40.0));
            assertThat(answers.get(2)[2]).as("third answer, dBFS").isCloseTo(TONE_DBFS, within(1.0));
            // Barge-in: the agent holds its answer at the caller's first speech window (the first 20 ms
            // frame comes at the simulator's next tick, up to 20 ms after it was set), and its flush's clear
            // goes out at once, long before the 200 ms that make it a barge-in; one clear for the whole cut.
            assertThat(call.provider.clears()).isEqualTo(1);
            assertThat(clearAfter).isBetween(0L, 150L);
            // A mark after each answer written to its end, echoed by the provider when played.
            assertThat(call.provider.echoed()).containsExactly("answer-1", "answer-3");
        }
    }

    @Test
    void aBlipOverTheAnswerClearsItAndItGoesOnWhereTheCallerLeftOffWithItsMarkEchoedOnce() throws Exception {
        try (PcmTrackServer server = PcmTrackServer.builder().port(0).agent(AgentOptions.defaults()).twilio().build().start();
             SimulatedProviderClient call = new SimulatedProviderClient(URI.create(server.url().replace("http", "ws") + "/twilio"), "MZ3")
                     .start("CA3")) {
            short[] tone = toneFrame();
            short[] silence = new short[160];
            call.callerSays(silence);
            Thread.sleep(1_000);
            call.callerSays(tone);                 // an utterance, 1.2 s
            Thread.sleep(1_200);
            call.callerSays(silence);
            Thread.sleep(900);                     // its answer has been playing for about 300 ms
            call.callerSays(tone);                 // a blip: 100 ms
            Thread.sleep(100);
            call.callerSays(silence);
            Thread.sleep(3_000);                   // the blip ends 500 ms later, and the answer goes on

            List<double[]> heard = sounds(call.provider.heard());
            System.out.printf(Locale.ROOT, "the provider played: %s; %d clear(s); marks echoed %s%n",
                    describe(heard), call.provider.clears(), call.provider.echoed());
            // The answer, paused by the blip: its part before the clear, then the rest after the blip ended.
            assertThat(heard).hasSize(2);
            double pause = heard.get(1)[0] - (heard.get(0)[0] + heard.get(0)[1]);
            assertThat(pause).as("pause, ms").isBetween(500.0, 900.0);
            // The clear drops what the provider held (the call's 100 ms lead); the agent counts it as not heard
            // and the resume plays it again, so the caller hears the whole answer once.
            assertThat(heard.get(0)[1] + heard.get(1)[1]).as("answer heard, ms").isCloseTo(1_200.0, within(40.0));
            assertThat(heard.get(1)[2]).as("resumed answer, dBFS").isCloseTo(TONE_DBFS, within(1.0));
            assertThat(call.provider.clears()).isEqualTo(1);
            assertThat(call.provider.echoed()).containsExactly("answer-1");
            assertThat(server.phoneCalls()).isEqualTo(1);
        }
    }

    @Test
    void withATokenAStreamWithoutItIsHungUp() throws Exception {
        try (PcmTrackServer server = PcmTrackServer.builder().port(0).agent(AgentOptions.defaults()).twilio().token("s3cret")
                .build().start();
             SimulatedProviderClient call = new SimulatedProviderClient(URI.create(server.url().replace("http", "ws") + "/twilio"), "MZ2")
                     .start("CA2")) {
            assertThat(call.closed.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(server.phoneCalls()).isZero();
        }
    }

    /** Runs of 20 ms frames above -40 dBFS: {start ms, length ms, level dBFS}. */
    private static List<double[]> sounds(short[] pcm) {
        List<double[]> out = new ArrayList<>();
        int frame = 160;
        int start = -1;
        double sum = 0;
        int n = 0;
        for (int f = 0; f + frame <= pcm.length; f += frame) {
            double ms = 0;
            for (int i = f; i < f + frame; i++) {
                double v = pcm[i] / 32768.0;
                ms += v * v;
            }
            ms /= frame;
            boolean loud = 10 * Math.log10(ms + 1e-12) > -40;
            if (loud) {
                if (start < 0) {
                    start = f;
                    sum = 0;
                    n = 0;
                }
                sum += ms;
                n++;
            } else if (start >= 0) {
                out.add(new double[] {start * 1000.0 / RATE, (f - start) * 1000.0 / RATE, 10 * Math.log10(sum / n)});
                start = -1;
            }
        }
        if (start >= 0) {
            out.add(new double[] {start * 1000.0 / RATE, (pcm.length - start) * 1000.0 / RATE, 10 * Math.log10(sum / n)});
        }
        return out;
    }

    private static String describe(List<double[]> sounds) {
        StringBuilder sb = new StringBuilder();
        for (double[] s : sounds) {
            sb.append(String.format(Locale.ROOT, "[at %.0f ms, %.0f ms, %.2f dBFS] ", s[0], s[1], s[2]));
        }
        return sb.toString().trim();
    }
}
