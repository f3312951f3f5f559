package io.pcmtrack.telephony;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import io.pcmtrack.PcmData;
import org.junit.jupiter.api.Test;

/** Outgoing pacing against a provider that plays at its own real-time rate, in virtual time. */
class PacingTest {
    private static final int LEAD_SAMPLES = 800; // 100 ms at 8 kHz

    @Test
    void theProviderHoldsTheLeadAheadOfPlaybackFromTheFirstFrame() {
        VirtualCall v = new VirtualCall(Duration.ofMillis(100));
        v.ticks(50);
        assertThat(v.call().stats().leadFramesSent()).isEqualTo(5);
        // At each play: the lead plus the frame just sent; after it, the lead.
        assertThat(v.provider.minQueuedAfterStart()).isEqualTo(LEAD_SAMPLES + 160);
        assertThat(v.provider.queuedSamples()).isEqualTo(LEAD_SAMPLES);
        assertThat(v.provider.underrunsAfterStart()).isZero();
    }

    @Test
    void aStallShorterThanTheLeadIsInaudible() {
        VirtualCall v = new VirtualCall(Duration.ofMillis(100));
        short[] tone = tone(8000 * 3);
        v.call().track().write(PcmData.ofShorts(8000, 1, tone), true);
        v.ticks(20);
        for (int i = 0; i < 4; i++) {  // 80 ms without the scheduler
            v.stalledTick();
        }
        v.ticks(200);
        assertThat(v.provider.underrunsAfterStart()).isZero();
        short[] heard = v.provider.heard();
        // Everything written is heard exactly once, in order, after the lead's silence.
        for (int i = 0; i < tone.length; i++) {
            assertThat(heard[LEAD_SAMPLES + i]).as("sample %d", i).isEqualTo(G711.ulawDecode(G711.ulawEncode(tone[i])));
        }
    }

    @Test
    void aStallLongerThanTheLeadIsHeardAsAGapWithoutLosingAudio() {
        VirtualCall v = new VirtualCall(Duration.ofMillis(40));
        short[] tone = tone(8000 * 2);
        v.call().track().write(PcmData.ofShorts(8000, 1, tone), true);
        v.ticks(10);
        for (int i = 0; i < 5; i++) {  // 100 ms stall, 40 ms lead: 60 ms gap
            v.stalledTick();
        }
        v.ticks(150);
        assertThat(v.provider.underrunsAfterStart()).isEqualTo(480);
        // After the catch-up the provider holds the lead again, not the stall.
        assertThat(v.provider.queuedSamples()).isEqualTo(320);
    }

    @Test
    void twelveHoursOfCallNeitherGainNorLoseAudioAgainstTheProvidersBuffer() {
        VirtualCall v = new VirtualCall(Duration.ofMillis(100));
        v.provider.stopRecording();
        short[] utterance = tone(8000 * 2);
        long ticks = Duration.ofHours(12).toMillis() / 20;
        long written = 0;
        java.util.List<CallMark> marks = new java.util.ArrayList<>();
        for (long t = 0; t < ticks; t++) {
            if (t % 3000 == 0) {       // two seconds of speech every minute, a mark after each
                v.call().track().write(PcmData.ofShorts(8000, 1, utterance), true);
                written += utterance.length;
                marks.add(v.call().mark("u" + t / 3000));
            }
            if (t % 30_000 == 29_990) { // a 60 ms scheduler stall every ten minutes
                v.stalledTick();
                v.stalledTick();
                v.stalledTick();
                t += 2;
                continue;
            }
            v.tick();
        }
        CallStats stats = v.call().stats();
        assertThat(v.provider.underrunsAfterStart()).isZero();
        assertThat(v.provider.queuedSamples()).isEqualTo(LEAD_SAMPLES);
        assertThat(v.provider.maxQueued()).isLessThanOrEqualTo(LEAD_SAMPLES + 4 * 160);
        assertThat(stats.framesSent()).isEqualTo(ticks + 5);
        assertThat(v.provider.playedSamples()).isEqualTo(ticks * 160);
        assertThat(v.call().track().stats().writtenSamples()).isEqualTo(written);
        assertThat(v.call().track().stats().silentFrames() * 160 + written).isEqualTo(ticks * 160);
        // Each utterance's mark is echoed exactly when the provider has played the lead and the
        // 100 frames since the utterance began: hour 12 lands on the same sample grid as minute 1.
        assertThat(marks).hasSize(720);
        for (int k = 0; k < marks.size(); k++) {
            assertThat(marks.get(k).result().join().outcome()).isEqualTo(io.pcmtrack.MarkOutcome.PLAYED);
            assertThat(v.provider.echoedAt("u" + k)).as("echo of mark %d", k).isEqualTo(LEAD_SAMPLES + (3000L * k + 100) * 160);
        }
    }

    static short[] tone(int n) {
        short[] s = new short[n];
        for (int i = 0; i < n; i++) {
            s[i] = (short) Math.round(12_000 * Math.cos(2 * Math.PI * 440 * i / 8000.0));
        }
        return s;
    }
}
