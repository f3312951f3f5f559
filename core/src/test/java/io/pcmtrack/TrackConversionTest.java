package io.pcmtrack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.pcmtrack.dsp.Resampler;
import io.pcmtrack.dsp.SignalAnalysis;

/** Semantic 2 with rate conversion: chunking, delay compensation, flush and format changes. */
class TrackConversionTest {
    private final VirtualClock clock = new VirtualClock();

    private AudioStreamTrack f32Track() {
        return AudioStreamTrack.builder().clock(clock).sampleFormat(SampleFormat.F32).build();
    }

    /** Everything the track emits until it is empty, as one float array. */
    private static float[] drain(AudioStreamTrack t, int frames) throws InterruptedException {
        float[] all = new float[frames * t.samplesPerFrame() * t.format().channels()];
        AudioFrame frame = null;
        for (int n = 0; n < frames; n++) {
            frame = t.recv(frame);
            System.arraycopy(frame.floats(), 0, all, n * frame.floats().length, frame.floats().length);
        }
        return all;
    }

    /**
     * The chain hands the resampler pieces of 20 ms (blocks of 320 to 512 rows on the block path, more than one
     * per write when a write is longer); random writes of 1 to 1,100 frames cut those pieces and blocks anywhere.
     */
    @ParameterizedTest
    @CsvSource({"24000, 48000", "16000, 48000", "48000, 16000", "48000, 24000", "8000, 48000", "44100, 48000"})
    void chunkedWritesGiveTheSameAudioAsOneWrite(int inRate, int outRate) throws Exception {
        float[] tone = SignalAnalysis.sine(inRate, 997, inRate, 0.5, 0.3);
        AudioStreamTrack whole = AudioStreamTrack.builder().clock(clock).sampleRate(outRate).sampleFormat(SampleFormat.F32).build();
        whole.write(PcmData.ofFloats(inRate, 1, tone), true);
        AudioStreamTrack chunked = AudioStreamTrack.builder().clock(clock).sampleRate(outRate).sampleFormat(SampleFormat.F32).build();
        Random random = new Random(7);
        for (int off = 0; off < tone.length; ) {
            int n = Math.min(tone.length - off, 1 + random.nextInt(1_100));
            chunked.write(PcmData.ofFloats(inRate, 1, java.util.Arrays.copyOfRange(tone, off, off + n)), off + n == tone.length);
            off += n;
        }
        float[] expected = drain(whole, 51);
        float peak = 0;
        for (float v : expected) {
            peak = Math.max(peak, Math.abs(v));
        }
        assertThat(peak).as("the tone's peak, not silence").isCloseTo(0.5f, within(0.01f));
        assertThat(drain(chunked, 51)).containsExactly(expected);
    }

    /**
     * A track's conversion borrows its arrays for each write from a pool shared by every track
     * ({@code ConversionChain.Scratch}); a track whose writer may wait keeps its own. Tracks written on several
     * threads at once, ten of them (more than the pool holds on up to four processors), get what each gets alone,
     * sample for sample.
     */
    @Test
    void tracksWrittenOnSeveralThreadsAtOnceGetWhatEachGetsAlone() throws Exception {
        int[][] configs = { // input rate, input channels, track rate, track channels, 1 if the writer may wait
            {24000, 1, 48000, 2, 0}, {48000, 2, 16000, 1, 0}, {44100, 1, 48000, 1, 0}, {16000, 2, 48000, 2, 0},
            {8000, 1, 48000, 1, 1}, {22050, 1, 48000, 2, 0}, {48000, 1, 24000, 1, 1}, {32000, 2, 48000, 1, 0},
            {24000, 1, 16000, 1, 0}, {16000, 1, 8000, 1, 0},
        };
        int seconds = 1;
        float[][] alone = new float[configs.length][];
        for (int i = 0; i < configs.length; i++) {
            alone[i] = writeAndDrain(configs[i], seconds, 100 + i);
        }
        float[][] together = new float[configs.length][];
        Throwable[] failures = new Throwable[configs.length];
        java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(configs.length);
        Thread[] threads = new Thread[configs.length];
        for (int i = 0; i < configs.length; i++) {
            int n = i;
            threads[i] = new Thread(() -> {
                try {
                    start.await();
                    for (int round = 0; round < 3; round++) {
                        together[n] = writeAndDrain(configs[n], seconds, 100 + n);
                        if (!java.util.Arrays.equals(together[n], alone[n])) {
                            break;
                        }
                    }
                } catch (Throwable e) {
                    failures[n] = e;
                }
            });
            threads[i].start();
        }
        for (Thread t : threads) {
            t.join();
        }
        for (int i = 0; i < configs.length; i++) {
            assertThat(failures[i]).as("thread %d", i).isNull();
            assertThat(together[i]).as("%s alone and with the others", java.util.Arrays.toString(configs[i]))
                    .containsExactly(alone[i]);
        }
    }

    /** One track of {@code config}: noise written in random pieces of up to 30 ms, then drained as floats. */
    private static float[] writeAndDrain(int[] config, int seconds, long seed) throws InterruptedException {
        int inRate = config[0];
        int inChannels = config[1];
        AudioStreamTrack t = AudioStreamTrack.builder().clock(new VirtualClock()).sampleRate(config[2])
                .channels(config[3]).sampleFormat(SampleFormat.F32).bufferLimit(Duration.ofSeconds(seconds + 1))
                .overflow(config[4] == 1 ? OverflowPolicy.BLOCK : OverflowPolicy.DROP_OLDEST).build();
        Random random = new Random(seed);
        int total = seconds * inRate;
        for (int off = 0; off < total; ) {
            int n = Math.min(total - off, 1 + random.nextInt(inRate * 3 / 100));
            float[] piece = new float[n * inChannels];
            for (int j = 0; j < piece.length; j++) {
                piece[j] = (float) (random.nextGaussian() * 0.2);
            }
            t.write(PcmData.ofFloats(inRate, inChannels, piece), off + n == total);
            off += n;
        }
        int frames = (int) (t.buffered().toMillis() / 20);
        return drain(t, frames);
    }

    @Test
    void resampledAudioIsNotShiftedInTime() throws Exception {
        AudioStreamTrack t = f32Track();
        t.write(PcmData.ofFloats(16_000, 1, SignalAnalysis.sine(16_000, 440, 16_000, 0.5, 0.0)), true);
        assertThat(t.buffered()).isEqualTo(Duration.ofSeconds(1));
        float[] out = drain(t, 50);
        float[] expected = SignalAnalysis.sine(48_000, 440, 48_000, 0.5, 0.0);
        // Away from the edges (where the filter sees the stream start and end) the output is the
        // tone generated directly at 48 kHz, sample for sample: no delay, no phase shift.
        for (int i = 4_800; i < 43_200; i++) {
            assertThat(out[i]).as("sample %d", i).isCloseTo(expected[i], within(1e-4f));
        }
    }

    @Test
    void telephonyResamplingIsTheTelephonyFilterAndStaysInTime() throws Exception {
        float[] tone = SignalAnalysis.sine(8_000, 440, 8_000, 0.5, 0.0);
        AudioStreamTrack t = AudioStreamTrack.builder().clock(clock).sampleFormat(SampleFormat.F32)
                .resampling(Resampler.Quality.TELEPHONY).build();
        assertThat(t.resampling()).isEqualTo(Resampler.Quality.TELEPHONY);
        assertThat(f32Track().resampling()).as("default").isEqualTo(Resampler.Quality.STANDARD);
        t.write(PcmData.ofFloats(8_000, 1, tone), true);
        float[] out = drain(t, 50);
        PcmConverter c = new PcmConverter(PcmFormat.f32(8_000, 1), PcmFormat.f32(48_000, 1), Resampler.Quality.TELEPHONY);
        float[] body = c.convert(PcmData.ofFloats(8_000, 1, tone)).toFloats();
        float[] tail = c.finish().toFloats();
        float[] expected = java.util.Arrays.copyOf(body, body.length + tail.length);
        System.arraycopy(tail, 0, expected, body.length, tail.length);
        assertThat(out).containsExactly(expected);
        AudioStreamTrack standard = f32Track();
        standard.write(PcmData.ofFloats(8_000, 1, tone), true);
        assertThat(drain(standard, 50)).as("the default filter").isNotEqualTo(out);
        float[] direct = SignalAnalysis.sine(48_000, 440, 48_000, 0.5, 0.0);
        for (int i = 4_800; i < 43_200; i++) {
            assertThat(out[i]).as("sample %d", i).isCloseTo(direct[i], within(1e-4f));
        }
    }

    @Test
    void bufferedExcludesWhatTheResamplerStillHolds() {
        AudioStreamTrack t = f32Track();
        t.write(PcmData.ofFloats(16_000, 1, new float[1600]));
        assertThat(t.buffered()).isLessThan(Duration.ofMillis(100)).isGreaterThan(Duration.ofMillis(90));
        t.write(PcmData.ofFloats(16_000, 1, new float[0]), true);
        assertThat(t.buffered()).isEqualTo(Duration.ofMillis(100));
    }

    @Test
    void flushDiscardsTheResamplerState() throws Exception {
        AudioStreamTrack t = f32Track();
        t.write(PcmData.ofFloats(24_000, 1, SignalAnalysis.sine(2_400, 1000, 24_000, 0.9, 0)));
        t.flush();
        t.write(PcmData.ofFloats(24_000, 1, new float[2_400]), true);
        // Without the reset, the tone's last milliseconds would ring into the silence written after the flush.
        float[] out = drain(t, 5);
        for (float v : out) {
            assertThat(v).isZero();
        }
    }

    @Test
    void aChangeOfInputFormatEndsTheOldStreamAndStartsANewOne() throws Exception {
        AudioStreamTrack t = f32Track();
        t.write(PcmData.ofFloats(24_000, 1, SignalAnalysis.sine(4_800, 500, 24_000, 0.5, 0)));
        t.write(PcmData.ofFloats(16_000, 1, SignalAnalysis.sine(3_200, 500, 16_000, 0.5, 0)), true);
        assertThat(t.buffered()).isEqualTo(Duration.ofMillis(400));
        float[] out = drain(t, 20);
        double a = SignalAnalysis.fitTone(out, 2_400, 4_800, 500, 48_000).amplitude();
        double b = SignalAnalysis.fitTone(out, 12_000, 4_800, 500, 48_000).amplitude();
        assertThat(a).isCloseTo(0.5, within(0.01));
        assertThat(b).isCloseTo(0.5, within(0.01));
    }

    @Test
    void stereo44100S16IntoMono48kTrackKeepsLevelAndFrequency() throws Exception {
        AudioStreamTrack t = AudioStreamTrack.builder().clock(clock).build();
        float[] mono = SignalAnalysis.sine(44_100, 1000, 44_100, 0.5, 0);
        short[] stereo = new short[2 * mono.length];
        for (int i = 0; i < mono.length; i++) {
            stereo[2 * i] = (short) Math.round(mono[i] * 32767);
            stereo[2 * i + 1] = stereo[2 * i];
        }
        t.write(PcmData.ofShorts(44_100, 2, stereo), true);
        assertThat(t.buffered()).isEqualTo(Duration.ofSeconds(1));
        float[] out = new float[48_000];
        AudioFrame frame = null;
        for (int n = 0; n < 50; n++) {
            frame = t.recv(frame);
            for (int i = 0; i < 960; i++) {
                out[n * 960 + i] = frame.shorts()[i] / 32768f;
            }
        }
        SignalAnalysis.ToneFit fit = SignalAnalysis.fitTone(out, 4_800, 38_400, 1000, 48_000);
        assertThat(fit.amplitude()).isCloseTo(0.5, within(0.001));
        assertThat(fit.sinadDb()).isGreaterThan(85); // 16-bit output
    }
}
