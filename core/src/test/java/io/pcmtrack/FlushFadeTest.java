package io.pcmtrack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Arrays;

import org.junit.jupiter.api.Test;

/** Semantics 15: flush(fadeOut) keeps the oldest audio, fades it to silence and discards the rest. */
class FlushFadeTest {
    private final VirtualClock clock = new VirtualClock();

    private AudioStreamTrack track() {
        return AudioStreamTrack.builder().clock(clock).build();
    }

    private static PcmData constant(int n, short value) {
        short[] s = new short[n];
        Arrays.fill(s, value);
        return PcmData.ofShorts(48_000, 1, s);
    }

    @Test
    void theFadedPartIsARaisedCosineFromFullLevelToSilence() throws Exception {
        AudioStreamTrack t = track();
        t.write(constant(48_000, (short) 10_000));
        FlushReport r = t.flush(Duration.ofMillis(10)); // 480 samples kept
        assertThat(r.playedPosition()).isEqualTo(480);
        assertThat(r.discardedSamples()).isEqualTo(48_000 - 480);
        AudioFrame f = t.recv();
        short[] s = f.shorts();
        assertThat(f.isSilence()).isFalse();
        for (int i = 0; i < 480; i++) {
            double gain = 0.5 * (1 + Math.cos(Math.PI * (i + 1) / 480));
            assertThat((double) s[i]).isCloseTo(10_000 * gain, org.assertj.core.api.Assertions.within(0.5));
        }
        assertThat(s[0]).isGreaterThan((short) 9_990);
        assertThat(s[479]).isZero();
        for (int i = 480; i < 960; i++) {
            assertThat(s[i]).as("padding after the fade").isZero();
        }
        assertThat(t.stats().paddedFrames()).isEqualTo(1);
        assertThat(t.playedPosition()).isEqualTo(480);
        assertThat(t.recv().isSilence()).isTrue();
    }

    @Test
    void lessBufferedThanTheFadeFadesWhatIsThere() throws Exception {
        AudioStreamTrack t = track();
        t.write(constant(200, (short) 8_000));
        FlushReport r = t.flush(Duration.ofMillis(50));
        assertThat(r.playedPosition()).isEqualTo(200);
        assertThat(r.discardedSamples()).isZero();
        short[] s = t.recv().shorts();
        assertThat(s[0]).isGreaterThan((short) 7_990);
        assertThat(s[199]).isZero();
        assertThat(s[99]).isBetween((short) 3_800, (short) 4_200);
    }

    @Test
    void theFadeIncludesAHeldPartialFrame() throws Exception {
        AudioStreamTrack t = track();
        t.write(constant(300, (short) 5_000)); // held: shorter than a frame
        FlushReport r = t.flush(Duration.ofMillis(5)); // 240 kept
        assertThat(r.playedPosition()).isEqualTo(240);
        assertThat(r.discardedSamples()).isEqualTo(60);
        AudioFrame f = t.recv();
        assertThat(f.isSilence()).isFalse();
        assertThat(f.shorts()[0]).isGreaterThan((short) 4_990);
    }

    @Test
    void audioWrittenAfterTheFlushFollowsTheFadedSamples() throws Exception {
        AudioStreamTrack t = track();
        t.write(constant(4800, (short) 10_000));
        t.flush(Duration.ofMillis(10));
        t.write(constant(960, (short) 1_234));
        AudioFrame faded = t.recv();
        assertThat(faded.shorts()[0]).isGreaterThan((short) 9_990);
        AudioFrame next = t.recv();
        assertThat(next.shorts()).containsOnly((short) 1_234);
        assertThat(t.playedPosition()).as("positions of the discarded samples are skipped").isEqualTo(4800 + 960);
    }

    @Test
    void aSecondFlushDuringTheFadeTreatsTheFadedSamplesAsBuffered() throws Exception {
        AudioStreamTrack t = track();
        t.write(constant(4800, (short) 10_000));
        t.flush(Duration.ofMillis(10)); // 480 faded kept
        t.write(constant(960, (short) 2_000));
        FlushReport second = t.flush();
        assertThat(second.playedPosition()).isZero();
        assertThat(second.discardedSamples()).as("everything after the heard point").isEqualTo(4800 + 960);
        assertThat(t.recv().isSilence()).isTrue();
        assertThat(t.writePosition()).isEqualTo(4800 + 960);
    }

    @Test
    void flushWithoutFadeEqualsFlushZero() throws Exception {
        AudioStreamTrack t = track();
        t.write(constant(2000, (short) 3));
        t.recv();
        FlushReport r = t.flush(Duration.ZERO);
        assertThat(r).isEqualTo(new FlushReport(960, 1040));
        assertThat(t.recv().isSilence()).isTrue();
    }

    @Test
    void fadeOutIsRoundedToTheNearestSample() {
        AudioStreamTrack t = track();
        t.write(constant(4800, (short) 100));
        FlushReport r = t.flush(Duration.ofNanos(10_400)); // 0.4992 samples at 48 kHz -> 0
        assertThat(r.discardedSamples()).isEqualTo(4800);
        t.write(constant(4800, (short) 100));
        r = t.flush(Duration.ofNanos(10_500)); // 0.504 -> 1
        assertThat(r.discardedSamples()).isEqualTo(4799);
    }

    @Test
    void aNegativeOrNullFadeIsRejectedAndChangesNothing() {
        AudioStreamTrack t = track();
        t.write(constant(2000, (short) 3));
        assertThatThrownBy(() -> t.flush(Duration.ofMillis(-1))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("fadeOut").hasMessageContaining("PT-0.001S");
        assertThatThrownBy(() -> t.flush(null)).isInstanceOf(IllegalArgumentException.class);
        assertThat(t.bufferedValues()).isEqualTo(2000);
        assertThat(t.stats().flushes()).isZero();
    }

    @Test
    void flushOnAStoppedTrackChangesNothing() {
        AudioStreamTrack t = track();
        t.write(constant(2000, (short) 3));
        t.stop();
        assertThat(t.flush()).isEqualTo(new FlushReport(0, 0));
    }

    @Test
    void aStereoF32FadeRampsEveryChannelAlike() throws Exception {
        AudioStreamTrack t = AudioStreamTrack.builder().clock(clock).channels(2).sampleFormat(SampleFormat.F32).build();
        float[] x = new float[2 * 4800];
        Arrays.fill(x, 0.5f);
        t.write(PcmData.ofFloats(48_000, 2, x));
        t.flush(Duration.ofMillis(2)); // 96 frames
        float[] f = t.recv().floats();
        for (int i = 0; i < 96; i++) {
            assertThat(f[2 * i]).isEqualTo(f[2 * i + 1]);
        }
        assertThat(f[2 * 95]).isZero();
        assertThat(f[0]).isGreaterThan(0.499f);
    }

    @Test
    void flushListenersHearEveryFlushOnTheFlushingThread() {
        AudioStreamTrack t = track();
        java.util.List<String> seen = new java.util.ArrayList<>();
        java.util.function.Consumer<FlushReport> listener =
                r -> seen.add(Thread.currentThread().getName() + ":" + r.discardedSamples());
        t.addFlushListener(listener);
        t.addFlushListener(r -> {
            throw new IllegalStateException("a broken listener must not stop the others");
        });
        t.write(constant(100, (short) 1));
        t.flush();
        t.removeFlushListener(listener);
        t.flush();
        assertThat(seen).containsExactly(Thread.currentThread().getName() + ":100");
    }
}
