package io.pcmtrack.telephony;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import io.pcmtrack.FrameScheduler;
import io.pcmtrack.MediaClock;
import io.pcmtrack.PcmData;
import io.pcmtrack.PcmFormat;
import io.pcmtrack.TrackEndedException;
import io.pcmtrack.telephony.javawebsocket.JavaWebSocketMediaServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Twilio Media Streams over a real WebSocket on 127.0.0.1, against the provider simulator in real time. */
class TwilioWebSocketTest {
    private FrameScheduler scheduler;
    private JavaWebSocketMediaServer server;
    private final LinkedBlockingQueue<PhoneCall> calls = new LinkedBlockingQueue<>();
    private TwilioEndpoint twilio;

    @BeforeEach
    void startServer() {
        scheduler = new FrameScheduler(MediaClock.system());
        twilio = new TwilioEndpoint(CallOptions.of(scheduler).lead(Duration.ofMillis(60))
                .receiveFormat(PcmFormat.s16(16_000, 1)), calls::add);
        server = new JavaWebSocketMediaServer(new InetSocketAddress("127.0.0.1", 0)).route("/twilio", twilio).start();
    }

    @AfterEach
    void stopServer() {
        server.close();
        scheduler.close();
    }

    private URI uri() {
        return URI.create("ws://127.0.0.1:" + server.port() + "/twilio");
    }

    @Test
    void startMessageMakesACallWithTheStreamsIdentity() throws Exception {
        try (SimulatedProviderClient sim = new SimulatedProviderClient(uri(), "MZ42").start("CA42")) {
            PhoneCall call = calls.poll(10, TimeUnit.SECONDS);
            assertThat(call).isNotNull();
            assertThat(call.info()).isEqualTo(new CallInfo("twilio", "CA42", "MZ42", java.util.Map.of("agent", "test")));
            assertThat(call.track().format()).isEqualTo(PcmFormat.s16(8000, 1));
            assertThat(call.track().resampling()).as("phone calls resample with the telephony filter")
                    .isEqualTo(io.pcmtrack.dsp.Resampler.Quality.TELEPHONY);
            assertThat(call.isLive()).isTrue();
            waitUntil(() -> sim.provider.mediaReceived() >= 3, Duration.ofSeconds(5)); // the 60 ms lead
        }
    }

    @Test
    void writtenAudioReachesTheProviderBitExactAsMuLaw() throws Exception {
        try (SimulatedProviderClient sim = new SimulatedProviderClient(uri(), "MZ1").start("CA1")) {
            sim.callerSilent();
            PhoneCall call = calls.poll(10, TimeUnit.SECONDS);
            short[] tone = PacingTest.tone(8000);
            call.track().write(PcmData.ofShorts(8000, 1, tone), true);
            waitUntil(() -> sim.provider.playedSamples() > 8000 + 8000, Duration.ofSeconds(10));
            short[] heard = sim.provider.heard();
            int start = 0;
            while (heard[start] == 0) {
                start++;
            }
            for (int i = 0; i < tone.length; i++) {
                assertThat(heard[start + i]).as("sample %d", i).isEqualTo(G711.ulawDecode(G711.ulawEncode(tone[i])));
            }
            assertThat(heard[start + tone.length]).isZero();
        }
    }

    @Test
    void callersAudioArrivesDecodedInTheRequestedFormat() throws Exception {
        try (SimulatedProviderClient sim = new SimulatedProviderClient(uri(), "MZ1").start("CA1")) {
            short[] frame = new short[160];
            java.util.Arrays.fill(frame, (short) 8000);
            sim.callerSays(frame);
            PhoneCall call = calls.poll(10, TimeUnit.SECONDS);
            long samples = 0;
            short last = 0;
            while (samples < 16_000) {  // one second at 16 kHz
                PcmData chunk = call.audio().read(Duration.ofSeconds(5));
                assertThat(chunk).isNotNull();
                assertThat(chunk.format()).isEqualTo(PcmFormat.s16(16_000, 1));
                short[] s = chunk.toShorts();
                samples += s.length;
                last = s[s.length - 1];
            }
            // A constant 8000 through μ-law (decodes to 7932) and the resampler settles at that value.
            assertThat((int) last).isBetween(7932 - 40, 7932 + 40);
            assertThat(call.stats().mediaReceived()).isGreaterThanOrEqualTo(50);
            assertThat(call.stats().sequenceGaps()).isZero();
        }
    }

    @Test
    void dtmfArrivesAsEventsAndSequenceGapsAreCounted() throws Exception {
        try (SimulatedProviderClient sim = new SimulatedProviderClient(uri(), "MZ1").start("CA1")) {
            PhoneCall call = calls.poll(10, TimeUnit.SECONDS);
            List<DtmfEvent> keys = new CopyOnWriteArrayList<>();
            call.onDtmf(keys::add);
            sim.provider.sendDtmf("5");
            sim.provider.skipSequence(3);
            sim.provider.sendDtmf("#");
            waitUntil(() -> keys.size() == 2, Duration.ofSeconds(5));
            assertThat(keys).containsExactly(new DtmfEvent("5", -1), new DtmfEvent("#", -1));
            assertThat(call.stats().sequenceGaps()).isEqualTo(3);
            assertThat(call.stats().dtmfReceived()).isEqualTo(2);
        }
    }

    @Test
    void stopEndsTheCallCleanly() throws Exception {
        try (SimulatedProviderClient sim = new SimulatedProviderClient(uri(), "MZ1").start("CA1")) {
            PhoneCall call = calls.poll(10, TimeUnit.SECONDS);
            sim.provider.sendStop();
            assertThat(call.ended().get(5, TimeUnit.SECONDS)).isEqualTo("the provider stopped the stream");
            assertThat(call.isLive()).isFalse();
            assertThatThrownBy(() -> call.track().write(PcmData.ofShorts(8000, 1, new short[160])))
                    .isInstanceOf(TrackEndedException.class);
            waitUntil(() -> twilio.stats().callsActive() == 0, Duration.ofSeconds(5));
        }
    }

    @Test
    void aSocketClosingMidUtteranceEndsTheCallAndTheReaderDrainsThenEnds() throws Exception {
        try (SimulatedProviderClient sim = new SimulatedProviderClient(uri(), "MZ1").start("CA1")) {
            PhoneCall call = calls.poll(10, TimeUnit.SECONDS);
            call.track().write(PcmData.ofShorts(8000, 1, PacingTest.tone(8000 * 5)));
            waitUntil(() -> call.stats().mediaReceived() >= 10, Duration.ofSeconds(5));
            sim.closeSocket();
            assertThat(call.ended().get(5, TimeUnit.SECONDS)).startsWith("socket closed (1000");
            assertThat(call.track().isLive()).isFalse();
            while (true) {
                try {
                    if (call.audio().read(Duration.ofSeconds(1)) == null) {
                        throw new AssertionError("a reader of an ended call must not wait");
                    }
                } catch (TrackEndedException expected) {
                    break;
                }
            }
            waitUntil(() -> twilio.stats().callsActive() == 0, Duration.ofSeconds(5));
            assertThat(scheduler.stats().tracksAttached()).isZero();
        }
    }

    @Test
    void hangupClosesTheProvidersSocket() throws Exception {
        try (SimulatedProviderClient sim = new SimulatedProviderClient(uri(), "MZ1").start("CA1")) {
            PhoneCall call = calls.poll(10, TimeUnit.SECONDS);
            call.hangup();
            assertThat(sim.closed.await(5, TimeUnit.SECONDS)).isTrue();
            assertThat(call.ended().get(1, TimeUnit.SECONDS)).isEqualTo("hangup");
        }
    }

    @Test
    void bargeInSilencesTheCallerWithinOneFramePlusTheLeadAndSettlesTheMarks() throws Exception {
        try (SimulatedProviderClient sim = new SimulatedProviderClient(uri(), "MZ1").start("CA1")) {
            sim.callerSilent();
            PhoneCall call = calls.poll(10, TimeUnit.SECONDS);
            call.track().write(PcmData.ofShorts(8000, 1, PacingTest.tone(4000)));
            CallMark half = call.mark("half");
            call.track().write(PcmData.ofShorts(8000, 1, PacingTest.tone(8000 * 5)));
            CallMark end = call.mark("end");
            assertThat(half.result().get(10, TimeUnit.SECONDS).outcome()).isEqualTo(io.pcmtrack.MarkOutcome.PLAYED);
            waitUntil(() -> sim.provider.playedSamples() > 8000 + 480, Duration.ofSeconds(10));
            long heardAtFlush = sim.provider.playedSamples();
            call.track().flush();
            assertThat(end.result().get(5, TimeUnit.SECONDS).outcome()).isEqualTo(io.pcmtrack.MarkOutcome.FLUSHED);
            waitUntil(() -> sim.provider.clears() == 1, Duration.ofSeconds(5));
            Thread.sleep(300);
            short[] heard = sim.provider.heard();
            int firstSilent = (int) heardAtFlush + 160 + 480; // one frame plus the 60 ms lead
            for (int i = firstSilent; i < heard.length; i++) {
                assertThat(heard[i]).as("sample %d; flushed when %d had been played", i, heardAtFlush).isZero();
            }
            assertThat(sim.provider.echoed()).containsExactly("half");
        }
    }

    @Test
    void aMisbehavingConnectionLeavesTheOtherCallUntouched() throws Exception {
        try (SimulatedProviderClient good = new SimulatedProviderClient(uri(), "MZ-good").start("CA-good");
             SimulatedProviderClient bad = new SimulatedProviderClient(uri(), "MZ-bad").start("CA-bad")) {
            PhoneCall first = calls.poll(10, TimeUnit.SECONDS);
            PhoneCall second = calls.poll(10, TimeUnit.SECONDS);
            PhoneCall goodCall = first.info().callId().equals("CA-good") ? first : second;
            PhoneCall badCall = goodCall == first ? second : first;
            for (int i = 0; i < 200; i++) {
                bad.sendRaw("{\"event\":\"media\",\"media\":{\"payload\":\"***\"}}");
                bad.sendRaw("}{");
                bad.sendRaw("{\"event\":\"surprise\"}");
            }
            bad.sendRaw("x".repeat(70_000));
            waitUntil(() -> badCall.stats().messagesReceived() > 600, Duration.ofSeconds(10));
            long goodMedia = goodCall.stats().mediaReceived();
            waitUntil(() -> goodCall.stats().mediaReceived() > goodMedia + 10, Duration.ofSeconds(5));
            waitUntil(() -> good.provider.mediaReceived() > 10, Duration.ofSeconds(5)); // and its audio still flows out
            CallStats g = goodCall.stats();
            assertThat(g.malformed() + g.badAudio() + g.unknownEvents() + g.oversized() + g.rateLimited()).isZero();
            CallStats b = badCall.stats();
            // 601 bad messages in well under a second: each is counted as what it is, or as over the rate limit.
            assertThat(b.oversized()).isEqualTo(1);
            assertThat(b.rateLimited()).isPositive();
            assertThat(b.badAudio() + b.malformed() + b.unknownEvents() + b.oversized() + b.rateLimited())
                    .isGreaterThanOrEqualTo(601);
            assertThat(b.badAudio()).isPositive();
            assertThat(b.malformed()).isPositive();
            assertThat(b.unknownEvents()).isPositive();
            assertThat(badCall.isLive()).isTrue();
            assertThat(goodCall.isLive()).isTrue();
        }
    }

    @Test
    void closingTheServerEndsEveryCall() throws Exception {
        try (SimulatedProviderClient one = new SimulatedProviderClient(uri(), "MZ1").start("CA1");
             SimulatedProviderClient two = new SimulatedProviderClient(uri(), "MZ2").start("CA2")) {
            PhoneCall a = calls.poll(10, TimeUnit.SECONDS);
            PhoneCall b = calls.poll(10, TimeUnit.SECONDS);
            server.close();
            assertThat(a.ended().get(5, TimeUnit.SECONDS)).startsWith("socket closed");
            assertThat(b.ended().get(5, TimeUnit.SECONDS)).startsWith("socket closed");
            assertThat(one.closed.await(5, TimeUnit.SECONDS)).isTrue();
            assertThat(two.closed.await(5, TimeUnit.SECONDS)).isTrue();
            assertThat(twilio.stats().callsActive()).isZero();
        }
    }

    static void waitUntil(java.util.function.BooleanSupplier condition, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within " + timeout);
            }
            Thread.sleep(5);
        }
    }
}
