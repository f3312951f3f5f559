package io.pcmtrack.dsp;

import com.sun.management.ThreadMXBean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.lang.management.ManagementFactory;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class ResamplerTest {
    /**
     * Which kernels this JVM runs: the class passes and the double groups by default, the Vector API kernels when
     * the build runs these tests again with {@code --add-modules jdk.incubator.vector} (core's pom), so that every
     * test below checks both.
     */
    @Test
    void theVectorKernelsRunExactlyWhenTheJvmHasTheVectorApi() {
        boolean expected = Boolean.getBoolean("pcmtrack.test.vector");
        assertThat(ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()).isEqualTo(expected);
        assertThat(PhaseBlocks.VECTOR).isEqualTo(expected);
        assertThat(new Resampler(24000, 48000, 1).toString()).contains(expected ? "blocks (Vector API)" : "blocks,");
        // the exact path's kernel needs the eight floats of a group in one register (AVX2, AVX-512; not 128-bit NEON)
        boolean wide = expected && preferredVectorBits() >= 256;
        assertThat(VectorKernels.EXACT != null).isEqualTo(wide);
        assertThat(new Resampler(44100, 32000, 1).toString()).contains(wide ? "exact (Vector API)" : "exact,");
        // the exact path's kernel leaves up to 31 outputs of a call to compute alone: it takes calls of 20 ms whole
        assertThat(new Resampler(44100, 32000, 1).callFrames()).isEqualTo(wide ? 882 : 256);
        // and runs the second stage of two (44100 to 48000: x2, then x80/147 on the exact path)
        assertThat(new Resampler(44100, 48000, 1).toString())
                .contains(wide ? "short kernel, exact (Vector API)" : "short kernel, exact,");
    }

    /** {@code VectorShape.preferredShape().vectorBitSize()}, by reflection: the tests compile without the incubator module. */
    private static int preferredVectorBits() {
        try {
            Class<?> shape = Class.forName("jdk.incubator.vector.VectorShape");
            Object preferred = shape.getMethod("preferredShape").invoke(null);
            return (int) shape.getMethod("vectorBitSize").invoke(preferred);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    private static final double AMPLITUDE = Math.pow(10, -1 / 20.0);

    @Test
    void rejectsRatesAndChannelsOutOfRange() {
        assertThatThrownBy(() -> new Resampler(0, 48000, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("inRate must be 1000..768000 Hz, got 0");
        assertThatThrownBy(() -> new Resampler(48000, 999, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("outRate must be 1000..768000 Hz, got 999");
        assertThatThrownBy(() -> new Resampler(768001, 48000, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("768001");
        assertThatThrownBy(() -> new Resampler(48000, 44100, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("channels must be 1..32, got 0");
        assertThatThrownBy(() -> new Resampler(48000, 44100, 33))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("33");
        Resampler r = new Resampler(48000, 44100, 1);
        assertThatThrownBy(() -> r.maxOutputFrames(-1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("-1");
    }

    @Test
    void refusesTooSmallOutputWithoutConsumingInput() {
        Resampler r = new Resampler(8000, 48000, 1);
        float[] in = noise(100, 1, 1);
        float[] out = new float[r.maxOutputFrames(100) - 1];
        assertThatThrownBy(() -> r.process(in, 0, 100, out, 0)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> r.process(in, 1, 100, new float[1000], 0)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThat(convert(r, in, 1, 100)).isEqualTo(convert(new Resampler(8000, 48000, 1), in, 1, 100));
    }

    @Test
    void reportsConfigurationAndBounds() {
        Resampler up = new Resampler(8000, 48000, 2);
        assertThat(up.inRate()).isEqualTo(8000);
        assertThat(up.outRate()).isEqualTo(48000);
        assertThat(up.channels()).isEqualTo(2);
        assertThat(up.delayFrames()).isEqualTo(40);
        assertThat(up.maxOutputFrames(80)).isEqualTo(481);
        assertThat(up.maxFinishFrames()).isEqualTo(240);
        Resampler down = new Resampler(48000, 16000, 1);
        assertThat(down.delayFrames()).as("Nyquist kernel: 46 output periods").isEqualTo(138);
        assertThat(new Resampler(24000, 48000, 1).delayFrames()).as("Nyquist kernel").isEqualTo(46);
        assertThat(new Resampler(48000, 8000, 1).delayFrames()).as("8 kHz keeps 5 ms: standard kernel").isEqualTo(240);
        assertThat(new Resampler(44100, 48000, 1).delayFrames()).as("two stages: 46 + ceil(12 / 2)").isEqualTo(52);
        assertThat(new Resampler(48000, 44100, 1).delayFrames()).as("downsampling: one stage").isEqualTo(44);
        assertThat(new Resampler(22050, 48000, 1).delayFrames()).as("two stages: 46 + ceil(11 / 2)").isEqualTo(52);
        assertThat(down.maxOutputFrames(480)).isEqualTo(161);
        Resampler same = new Resampler(44100, 44100, 1);
        assertThat(same.delayFrames()).isZero();
        assertThat(same.maxOutputFrames(441)).isEqualTo(441);
        assertThat(same.maxFinishFrames()).isZero();
        // a call of 20 ms is one block on the small ratios; the rows per phase are a multiple of 64, at least 256
        assertThat(new Resampler(24000, 48000, 1).callFrames()).as("480 rows, rounded up").isEqualTo(512);
        assertThat(new Resampler(16000, 48000, 1).callFrames()).isEqualTo(320);
        assertThat(down.callFrames()).as("320 rows of three frames").isEqualTo(960);
        assertThat(new Resampler(48000, 24000, 2).callFrames()).isEqualTo(1024);
        assertThat(up.callFrames()).as("160 frames: the least block, 256 rows").isEqualTo(256);
        assertThat(new Resampler(96000, 48000, 1).callFrames()).as("at most 1,024 frames").isEqualTo(1024);
        assertThat(new Resampler(48000, 8000, 1).callFrames()).as("160 rows: the least block, 256 rows").isEqualTo(1536);
        assertThat(new Resampler(22050, 48000, 1).callFrames()).as("two stages: the first's").isEqualTo(448);
        assertThat(same.callFrames()).isEqualTo(256);
    }

    @Test
    void equalRatesCopyThrough() {
        Resampler r = new Resampler(16000, 16000, 2);
        float[] in = noise(300, 2, 3);
        float[] out = new float[600];
        assertThat(r.process(in, 0, 300, out, 0)).isEqualTo(300);
        assertThat(out).isEqualTo(in);
        assertThat(r.finish(out, 0)).isZero();
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "24000, 48000", "48000, 24000", "16000, 48000", "48000, 16000", "44100, 48000", "8000, 48000",
        "48000, 44100", "44101, 48000", "7999, 48000", "48000, 7999", "32000, 48000", "48000, 32000",
        "48000, 8000", "36000, 48000", "48000, 36000", "38400, 48000", "48000, 38400", "24000, 42000",
        "22050, 48000", "32000, 44100", "16000, 22050",
    })
    void toneKeepsItsPurityAndLevel(int in, int out) {
        int low = Math.min(in, out);
        boolean nyquist = new Resampler(in, out, 1).nyquist();
        for (double f : new double[] {50, 1000, 0.2 * low, 0.45 * low}) {
            SignalAnalysis.ToneFit fit = toneThrough(in, out, f);
            assertThat(fit.sinadDb()).as("SINAD at %.0f Hz", f).isGreaterThan(f == 1000 ? 140 : 135);
            // the standard kernel droops 0.0125 dB at 0.45 of the lower rate; the Nyquist kernel is flat there
            double expectedGainDb = f <= 0.2 * low || nyquist ? 0.0 : -0.0125;
            assertThat(SignalAnalysis.db(fit.amplitude(), AMPLITUDE)).as("gain at %.0f Hz", f)
                    .isCloseTo(expectedGainDb, within(0.002));
        }
        double edge = SignalAnalysis.db(toneThrough(in, out, 0.94 * low / 2).amplitude(), AMPLITUDE);
        if (nyquist) {
            assertThat(edge).as("gain at 0.94 of the lower Nyquist").isBetween(-0.2, -0.02);
        } else {
            assertThat(edge).as("gain at 0.94 of the lower Nyquist").isBetween(-1.0, -0.5);
        }
        if (nyquist) {
            double later = SignalAnalysis.db(toneThrough(in, out, 0.965 * low / 2).amplitude(), AMPLITUDE);
            assertThat(later).as("Nyquist kernel: gain at 0.965 of the lower Nyquist").isBetween(-1.0, -0.5);
        }
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({"24000, 48000", "16000, 48000", "12000, 48000", "9600, 48000", "22050, 44100", "48000, 24000",
        "48000, 16000", "32000, 48000", "48000, 32000", "36000, 48000", "48000, 36000", "9200, 18400"})
    void smallRatiosFromNinePointTwoKilohertzTakeTheNyquistKernel(int in, int out) {
        Resampler r = new Resampler(in, out, 1);
        assertThat(r.nyquist()).isTrue();
        assertThat((double) r.delayFrames() / in).as("lookahead, s").isLessThanOrEqualTo(0.005);
        assertThat(r.delayFrames()).as("46 periods of the lower rate").isEqualTo((46 * in + Math.min(in, out) - 1) / Math.min(in, out));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({"8000, 48000", "48000, 8000", "9000, 18000", "9100, 18200", "7999, 48000", "48000, 48000", "48000, 44100",
        "44101, 48000", "9200, 12000", "10000, 44100", "8000, 11025"})
    void otherRatiosKeepTheStandardKernel(int in, int out) {
        Resampler r = new Resampler(in, out, 1);
        assertThat(r.nyquist()).isFalse();
        assertThat(r.twoStage()).isFalse();
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({"22050, 48000", "32000, 44100", "16000, 22050", "12000, 44100", "44100, 96000", "11025, 16000", "32000, 41000",
        "44100, 48000", "42000, 48000", "40000, 48000", "32000, 39000", "11025, 12000"})
    void upsamplingOffTheBlockPathRunsInTwoStagesWithinFiveMilliseconds(int in, int out) {
        Resampler r = new Resampler(in, out, 1);
        assertThat(r.twoStage()).isTrue();
        assertThat(r.nyquist()).as("the first stage doubles with the Nyquist kernel").isTrue();
        assertThat((double) r.delayFrames() / in).as("lookahead, s").isLessThanOrEqualTo(0.005);
        // every output is written once its input time plus the lookahead has been given, and no call or
        // finish writes more than its bound
        int frames = 3000;
        float[] x = noise(frames, 1, 21);
        float[] y = new float[r.maxOutputFrames(frames) + r.maxFinishFrames()];
        int written = 0;
        for (int n = 0; n < frames; n++) {
            int got = r.process(x, n, 1, y, written);
            assertThat(got).isLessThanOrEqualTo(r.maxOutputFrames(1));
            written += got;
            long due = 0; // outputs k with floor(k * in / out) + delay <= n
            while ((due * in / out) + r.delayFrames() <= n) {
                due++;
            }
            assertThat((long) written).as("written after input frame %d", n).isGreaterThanOrEqualTo(due);
        }
        int tail = r.finish(y, written);
        assertThat(tail).isLessThanOrEqualTo(r.maxFinishFrames());
        assertThat(written + tail).isEqualTo((int) Math.round((double) frames * out / in));
    }

    @ParameterizedTest(name = "x{0}")
    @CsvSource({"2", "3", "4"})
    void nyquistUpsamplingPassesEveryInputSampleThroughAtItsOwnTime(int factor) {
        // the kernel is zero at every other whole lower-rate sample, so the output at an input's own time is
        // that input times the centre tap (1 / the kernel's integral, within 1e-6 of 1): no neighbour leaks in
        int in = 16000;
        float[] x = noise(3000, 1, 21);
        float[] y = convert(new Resampler(in, in * factor, 1), x, 1, 160);
        float centre = (float) FilterBank.nyquist(0);
        assertThat(Math.abs(centre - 1f)).isLessThan(1e-6f);
        for (int n = 0; n < x.length; n++) {
            assertThat(y[n * factor]).as("output %d", n * factor).isEqualTo(centre * x[n]);
        }
        assertThat(FilterBank.nyquist(1)).isZero();
        assertThat(FilterBank.nyquist(-7)).isZero();
        assertThat(FilterBank.nyquist(0.5)).isGreaterThan(0.6);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({"24000, 48000", "16000, 48000", "44100, 48000", "8000, 48000", "7999, 48000", "22050, 48000", "32000, 48000", "36000, 48000"})
    void imagesOfAnUpsampledToneStayBelow140Db(int in, int out) {
        double f = 0.4 * in;
        float[] y = run(in, out, f);
        int from = steadyStart(in, out);
        assertThat(SignalAnalysis.maxSpurDb(y, from, 1 << 14, out, AMPLITUDE, f)).isLessThan(-140);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({"48000, 24000", "48000, 16000", "48000, 7999", "44100, 8000", "48000, 8000", "48000, 32000"})
    void aliasesOfAToneAboveTheOutputNyquistStayBelow140Db(int in, int out) {
        float[] y = run(in, out, 0.6 * out);
        int from = steadyStart(in, out);
        assertThat(SignalAnalysis.maxSpurDb(y, from, 1 << 14, out, AMPLITUDE)).isLessThan(-140);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({"44100, 48000", "48000, 16000", "8000, 44100", "44101, 48000", "48000, 7999"})
    void outputSitsAtTheInputTimeOfItsIndex(int in, int out) {
        double f = 997;
        double phase = 0.7;
        Resampler r = new Resampler(in, out, 1);
        int frames = in / 2;
        float[] y = convert(r, SignalAnalysis.sine(frames, f, in, AMPLITUDE, phase), 1, 333);
        double w = 2 * Math.PI * f / out;
        double worst = 0;
        for (int k = steadyStart(in, out); k < y.length - steadyStart(in, out); k++) {
            worst = Math.max(worst, Math.abs(y[k] - AMPLITUDE * Math.sin(w * k + phase)));
        }
        assertThat(SignalAnalysis.db(worst, AMPLITUDE)).as("largest error against a tone made at the output rate")
                .isLessThan(-125);
        SignalAnalysis.ToneFit fit = SignalAnalysis.fitTone(y, steadyStart(in, out), out / 4, f, out);
        assertThat(fit.phase()).isCloseTo(phase, within(1e-6));
    }

    @ParameterizedTest(name = "{0} -> {1}, {2} ch")
    @CsvSource({
        "44100, 48000, 1", "48000, 44100, 2", "8000, 48000, 1", "48000, 16000, 3", "24000, 48000, 2",
        "11025, 16000, 1", "44101, 48000, 2", "48000, 7999, 1", "48000, 44101, 2", "1000, 768000, 1",
        "768000, 1000, 1", "32000, 48000, 1", "48000, 32000, 2", "48000, 8000, 2", "36000, 48000, 1",
        "48000, 36000, 2", "42000, 48000, 1", "16000, 48000, 2", "48000, 24000, 2", "12000, 48000, 1",
        "48000, 12000, 1", "9600, 48000, 2", "38400, 48000, 1", "42000, 24000, 2", "22050, 48000, 2", "32000, 44100, 1",
        "16000, 22050, 3",
    })
    void outputDoesNotDependOnChunking(int in, int out, int channels) {
        int frames = Math.max(3000, 3 * new Resampler(in, out, 1).delayFrames());
        float[] x = noise(frames, channels, 7);
        float[] whole = convert(new Resampler(in, out, channels), x, channels, frames);
        assertThat(convert(new Resampler(in, out, channels), x, channels, 1)).isEqualTo(whole);
        int call = new Resampler(in, out, channels).callFrames();
        assertThat(convert(new Resampler(in, out, channels), x, channels, call)).isEqualTo(whole);
        assertThat(convert(new Resampler(in, out, channels), x, channels, call + 1)).isEqualTo(whole);
        Random random = new Random(11);
        Resampler r = new Resampler(in, out, channels);
        float[] y = new float[whole.length + (r.maxOutputFrames(600) + r.maxFinishFrames()) * channels];
        int n = 0;
        for (int f = 0; f < frames; ) {
            int chunk = Math.min(frames - f, random.nextInt(600));
            int got = r.process(x, f * channels, chunk, y, n * channels);
            assertThat(got).isLessThanOrEqualTo(r.maxOutputFrames(chunk));
            n += got;
            f += chunk;
        }
        n += r.finish(y, n * channels);
        assertThat(java.util.Arrays.copyOf(y, n * channels)).isEqualTo(whole);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({"8000, 48000", "48000, 8000", "16000, 48000", "48000, 16000", "8000, 16000", "16000, 8000", "24000, 8000",
        "24000, 48000", "12000, 48000"})
    void telephonyKeepsTonesUpToFourTenthsOfTheLowerRateAbove100Db(int in, int out) {
        int low = Math.min(in, out);
        Resampler r = new Resampler(in, out, 1, Resampler.Quality.TELEPHONY);
        assertThat(r.quality()).isEqualTo(Resampler.Quality.TELEPHONY);
        assertThat(r.delayFrames()).as("16 lower-rate samples of lookahead")
                .isEqualTo(FilterBank.span(out / FilterBank.gcd(in, out), in / FilterBank.gcd(in, out), 16));
        for (double f : new double[] {50, 1000, 0.2 * low, 0.4 * low}) {
            float[] y = run(in, out, f, Resampler.Quality.TELEPHONY);
            SignalAnalysis.ToneFit fit = SignalAnalysis.fitTone(y, steadyStart(in, out), 1 << 14, f, out);
            assertThat(fit.sinadDb()).as("SINAD at %.0f Hz", f).isGreaterThan(100);
            assertThat(SignalAnalysis.db(fit.amplitude(), AMPLITUDE)).as("gain at %.0f Hz", f).isCloseTo(0.0, within(0.001));
        }
        double edge = SignalAnalysis.db(toneThroughTelephony(in, out, 0.92 * low / 2).amplitude(), AMPLITUDE);
        assertThat(edge).as("gain at 0.92 of the lower Nyquist").isBetween(-1.0, -0.8);
        // images of a tone at 0.4 of the input rate, or aliases of one at 0.6 of the output rate, land at 0.6 and up
        double f = out > in ? 0.4 * in : 0.6 * out;
        float[] y = run(in, out, f, Resampler.Quality.TELEPHONY);
        double spur = out > in ? SignalAnalysis.maxSpurDb(y, steadyStart(in, out), 1 << 14, out, AMPLITUDE, f)
                : SignalAnalysis.maxSpurDb(y, steadyStart(in, out), 1 << 14, out, AMPLITUDE);
        assertThat(spur).as(out > in ? "largest image" : "largest alias").isLessThan(-100);
    }

    private static SignalAnalysis.ToneFit toneThroughTelephony(int in, int out, double f) {
        float[] y = run(in, out, f, Resampler.Quality.TELEPHONY);
        return SignalAnalysis.fitTone(y, steadyStart(in, out), 1 << 14, f, out);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({"44100, 48000", "24000, 16000", "32000, 48000", "48000, 44100", "7999, 48000"})
    void telephonyAtARatioWithoutItRunsTheStandardFilter(int in, int out) {
        Resampler r = new Resampler(in, out, 1, Resampler.Quality.TELEPHONY);
        assertThat(r.quality()).isEqualTo(Resampler.Quality.STANDARD);
        float[] x = noise(2000, 1, 5);
        assertThat(convert(r, x, 1, 333)).isEqualTo(convert(new Resampler(in, out, 1), x, 1, 333));
        assertThat(new Resampler(in, in, 1, Resampler.Quality.TELEPHONY).quality()).as("equal rates: no filter")
                .isEqualTo(Resampler.Quality.TELEPHONY);
        assertThatThrownBy(() -> new Resampler(in, out, 1, null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("quality");
    }

    @ParameterizedTest(name = "{0} -> {1}, {2} ch")
    @CsvSource({"8000, 48000, 1", "48000, 8000, 2", "16000, 48000, 2", "48000, 16000, 1", "8000, 16000, 1", "24000, 8000, 2"})
    void telephonyOutputDoesNotDependOnChunkingAndDiffersFromStandard(int in, int out, int channels) {
        int frames = 3000;
        float[] x = noise(frames, channels, 9);
        float[] whole = convert(new Resampler(in, out, channels, Resampler.Quality.TELEPHONY), x, channels, frames);
        assertThat(convert(new Resampler(in, out, channels, Resampler.Quality.TELEPHONY), x, channels, 1)).isEqualTo(whole);
        assertThat(convert(new Resampler(in, out, channels, Resampler.Quality.TELEPHONY), x, channels, 333)).isEqualTo(whole);
        float[] standard = convert(new Resampler(in, out, channels), x, channels, frames);
        assertThat(whole).as("same length as the standard filter's").hasSameSizeAs(standard);
        assertThat(whole).isNotEqualTo(standard);
    }

    @Test
    void finishCompletesTheStreamToTheRoundedLength() {
        int[][] pairs = {
            {8000, 48000}, {48000, 8000}, {44100, 48000}, {48000, 44100}, {22050, 48000}, {11025, 16000},
            {8000, 44100}, {44101, 48000}, {7999, 48000}, {48000, 7999}, {1000, 768000}, {768000, 1000},
            {1001, 1000}, {1000, 1001}, {96000, 44100}, {767999, 768000}, {1000, 1000},
            {24000, 48000}, {48000, 24000}, {16000, 48000}, {48000, 16000}, {12000, 48000},
        };
        int[] lengths = {0, 1, 2, 3, 5, 39, 40, 41, 100, 147, 160, 441, 999, 2048};
        for (int[] p : pairs) {
            int in = p[0];
            int out = p[1];
            Resampler r = new Resampler(in, out, 2);
            for (int len : lengths) {
                float[] x = noise(len, 2, len);
                float[] y = new float[(r.maxOutputFrames(len) + r.maxFinishFrames()) * 2];
                int n = r.process(x, 0, len, y, 0);
                int tail = r.finish(y, n * 2);
                assertThat(tail).isLessThanOrEqualTo(r.maxFinishFrames());
                long expected = Math.round((double) len * out / in);
                assertThat((long) n + tail).as("%d -> %d, %d frames", in, out, len).isEqualTo(expected);
            }
        }
    }

    @Test
    void finishDrainsEveryFrameOfALongStreamAndStartsAFreshOne() {
        Resampler r = new Resampler(44100, 48000, 1);
        float[] x = noise(44100 * 3 + 17, 1, 5);
        float[] first = convert(r, x, 1, 4410);
        assertThat(first).hasSize((int) Math.round(x.length * 48000.0 / 44100));
        assertThat(convert(r, x, 1, 4410)).isEqualTo(first);
    }

    @Test
    void resetForgetsHistoryAndPosition() {
        float[] x = noise(5000, 2, 9);
        float[] fresh = convert(new Resampler(16000, 48000, 2), x, 2, 512);
        Resampler r = new Resampler(16000, 48000, 2);
        float[] scratch = new float[r.maxOutputFrames(777) * 2];
        r.process(noise(777, 2, 10), 0, 777, scratch, 0);
        r.reset();
        assertThat(convert(r, x, 2, 512)).isEqualTo(fresh);
    }

    @Test
    void channelsStaySeparate() {
        int in = 44100;
        int out = 48000;
        int frames = in;
        double[] tones = {440, 1000, 3150};
        float[][] mono = new float[3][];
        for (int c = 0; c < 3; c++) {
            mono[c] = SignalAnalysis.sine(frames, tones[c], in, AMPLITUDE, c);
        }
        float[] y = convert(new Resampler(in, out, 3), SignalAnalysis.interleave(mono), 3, 480);
        int from = steadyStart(in, out);
        for (int c = 0; c < 3; c++) {
            float[] ch = SignalAnalysis.channel(y, 3, c);
            assertThat(ch).as("channel %d equals a mono run", c).isEqualTo(convert(new Resampler(in, out, 1), mono[c], 1, 480));
            assertThat(SignalAnalysis.fitTone(ch, from, 1 << 14, tones[c], out).sinadDb()).isGreaterThan(140);
            for (int other = 0; other < 3; other++) {
                if (other != c) {
                    double leak = SignalAnalysis.amplitudeAt(ch, from, 1 << 14, tones[other], out);
                    assertThat(SignalAnalysis.db(leak, AMPLITUDE)).as("tone %d in channel %d", other, c).isLessThan(-150);
                }
            }
        }
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({"48000, 32000", "48000, 16000", "32000, 48000", "24000, 48000", "48000, 36000", "44100, 48000", "48000, 24000", "16000, 48000"})
    void aNonFiniteSampleSpoilsOnlyNearbyOutputsOfItsOwnChannel(int in, int out) {
        int frames = 4800;
        int bad = 2000;
        float[] x = noise(frames, 2, 13);
        x[2 * bad + 1] = Float.NaN;
        x[2 * (bad + 700) + 1] = Float.POSITIVE_INFINITY;
        float[] left = SignalAnalysis.channel(x, 2, 0);
        float[] clean = convert(new Resampler(in, out, 1), left, 1, in / 100);
        Resampler r = new Resampler(in, out, 1);
        int g = FilterBank.gcd(in, out);
        boolean blocks = in / g <= PhaseBlocks.MAX_FACTOR && out / g <= PhaseBlocks.MAX_FACTOR;
        // the kernel's reach, plus the zero taps of a class on the block path or of a group's window on the exact path
        // (with the Vector API the exact path's groups are eight outputs wide)
        int group = VectorKernels.EXACT != null ? FilterBank.LANES8 : FilterBank.LANES;
        double reach = r.delayFrames() + (blocks ? PhaseBlocks.STRIDE * (in / g) : group) + 1;
        for (int chunk : new int[] {in / 100, 1, 333}) {
            float[] y = convert(new Resampler(in, out, 2), x, 2, chunk);
            assertThat(SignalAnalysis.channel(y, 2, 0)).as("left, chunks of %d", chunk).isEqualTo(clean);
            for (int k = 0; k < y.length / 2; k++) {
                double t = (double) k * in / out;
                if (Math.abs(t - bad) > reach && Math.abs(t - bad - 700) > reach) {
                    assertThat(Float.isFinite(y[2 * k + 1])).as("right output %d, chunks of %d", k, chunk).isTrue();
                }
            }
        }
    }

    @Test
    void tablesAreSharedBetweenInstances() {
        assertThat(FilterBank.exact(160, 147)).isSameAs(FilterBank.exact(160, 147));
        // with the Vector API the table also holds its float groups of eight (56 KB at 160/147)
        assertThat(FilterBank.exact(160, 147).bytes()).isLessThan(VectorKernels.EXACT != null ? 180_000 : 120_000);
        assertThat(FilterBank.exact(48000, 44101)).as("too large: interpolated").isNull();
        assertThat(FilterBank.fineRows()).isSameAs(FilterBank.fineRows());
    }

    @Test
    void processAndFinishDoNotAllocate() {
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().getId();
        Resampler[] all = {
            new Resampler(44100, 48000, 2), new Resampler(48000, 16000, 1), new Resampler(44101, 48000, 1),
            new Resampler(48000, 7999, 1), new Resampler(8000, 8000, 1), new Resampler(24000, 48000, 2),
            new Resampler(22050, 48000, 2), new Resampler(8000, 48000, 1, Resampler.Quality.TELEPHONY),
        };
        float[] x = noise(441, 2, 1);
        float[] y = new float[4096];
        for (int warm = 0; warm < 1000; warm++) {
            pump(all, x, y, warm);
        }
        // Rounds of 1,000 calls each until three in a row allocate nothing. The class passes get there in the
        // first rounds; the Vector API kernels allocate their vectors until C2 has compiled them (its Java
        // fallback boxes them), which under a loaded build can take a few seconds.
        long[] last = new long[3];
        int rounds = 0;
        do {
            long before = threads.getThreadAllocatedBytes(thread);
            for (int i = 0; i < 1000; i++) {
                pump(all, x, y, i);
            }
            last[rounds++ % 3] = threads.getThreadAllocatedBytes(thread) - before;
        } while ((rounds < 3 || last[0] + last[1] + last[2] != 0) && rounds < 300);
        assertThat(last).as("bytes allocated by the last three rounds of 1,000 calls, after %d rounds", rounds)
                .containsOnly(0L);
    }

    /**
     * The block path's scratch is lent from a pool shared by every resampler ({@code PhaseBlocks.Scratch}):
     * resamplers on several threads at once get the output each gets alone, bit for bit, and once warm they
     * allocate nothing (fewer scratches lent at once than the pool has slots; a two-stage resampler takes two:
     * one for the signal between its stages, one for its first stage's blocks).
     */
    @Test
    void resamplersOnSeveralThreadsShareTheScratchPoolWithoutCrossTalkOrAllocation() throws Exception {
        int[][] ratios = {{24000, 48000, 1}, {48000, 16000, 2}, {16000, 48000, 1}, {8000, 48000, 1}, {44100, 48000, 2}};
        assertThat(new Resampler(44100, 48000, 2).twoStage()).isTrue();
        assertThat(ratios.length + 1).isLessThanOrEqualTo(ScratchPool.SLOTS);
        float[][] inputs = new float[ratios.length][];
        float[][] alone = new float[ratios.length][];
        for (int t = 0; t < ratios.length; t++) {
            inputs[t] = noise(24_000, ratios[t][2], 40 + t);
            alone[t] = convert(new Resampler(ratios[t][0], ratios[t][1], ratios[t][2]), inputs[t], ratios[t][2], 331);
        }
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        float[][] together = new float[ratios.length][];
        long[][] lastRounds = new long[ratios.length][];
        java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(ratios.length);
        Thread[] workers = new Thread[ratios.length];
        Throwable[] failures = new Throwable[ratios.length];
        for (int t = 0; t < ratios.length; t++) {
            int w = t;
            workers[t] = new Thread(() -> {
                try {
                    int in = ratios[w][0];
                    int out = ratios[w][1];
                    int ch = ratios[w][2];
                    start.await();
                    // Every thread converts its stream in calls of 331 frames while the others do theirs.
                    for (int round = 0; round < 20; round++) {
                        together[w] = convert(new Resampler(in, out, ch), inputs[w], ch, 331);
                        if (!java.util.Arrays.equals(together[w], alone[w])) {
                            break;
                        }
                    }
                    // Then rounds of 500 calls of one resampler, until three in a row allocate nothing.
                    Resampler r = new Resampler(in, out, ch);
                    float[] y = new float[(r.maxOutputFrames(331) + r.maxFinishFrames()) * ch];
                    long me = Thread.currentThread().getId();
                    long[] last = new long[3];
                    int rounds = 0;
                    do {
                        long before = threads.getThreadAllocatedBytes(me);
                        for (int i = 0; i < 500; i++) {
                            r.process(inputs[w], (i % 60) * 331 * ch, 331, y, 0);
                        }
                        last[rounds++ % 3] = threads.getThreadAllocatedBytes(me) - before;
                    } while ((rounds < 3 || last[0] + last[1] + last[2] != 0) && rounds < 300);
                    lastRounds[w] = last;
                } catch (Throwable e) {
                    failures[w] = e;
                }
            });
            workers[t].start();
        }
        for (Thread worker : workers) {
            worker.join();
        }
        for (int t = 0; t < ratios.length; t++) {
            assertThat(failures[t]).isNull();
            assertThat(together[t]).as("%d -> %d on its own thread", ratios[t][0], ratios[t][1]).hasSameSizeAs(alone[t]);
            assertThat(java.util.Arrays.mismatch(together[t], alone[t]))
                    .as("first sample of %d -> %d on its own thread that differs from the output alone", ratios[t][0], ratios[t][1])
                    .isEqualTo(-1);
            assertThat(lastRounds[t]).as("bytes of the last three rounds, %d -> %d", ratios[t][0], ratios[t][1]).containsOnly(0L);
        }
    }

    private static void pump(Resampler[] all, float[] x, float[] y, int i) {
        for (Resampler r : all) {
            r.process(x, 0, 441 / r.channels(), y, 0);
            if (i % 50 == 49) {
                r.finish(y, 0);
            }
            if (i % 170 == 169) {
                r.reset();
            }
        }
    }

    private static SignalAnalysis.ToneFit toneThrough(int in, int out, double f) {
        float[] y = run(in, out, f);
        return SignalAnalysis.fitTone(y, steadyStart(in, out), 1 << 14, f, out);
    }

    /** Output of a -1 dBFS tone long enough for a 16k-sample analysis after the start-up transient. */
    private static float[] run(int in, int out, double f) {
        return run(in, out, f, Resampler.Quality.STANDARD);
    }

    private static float[] run(int in, int out, double f, Resampler.Quality quality) {
        Resampler r = new Resampler(in, out, 1, quality);
        int frames = (int) ((2L * steadyStart(in, out) + (1 << 14)) * in / out) + 1;
        return convert(r, SignalAnalysis.sine(frames, f, in, AMPLITUDE, 0.3), 1, 480);
    }

    /** First output whose kernel saw only real input, with a margin. */
    private static int steadyStart(int in, int out) {
        return (int) ((long) 2 * new Resampler(in, out, 1).delayFrames() * out / in) + 64;
    }

    /** Whole stream through {@code r} in chunks of {@code chunk} frames, then finish. */
    private static float[] convert(Resampler r, float[] x, int channels, int chunk) {
        int frames = x.length / channels;
        float[] y = new float[(int) (((long) frames * r.outRate() / r.inRate() + 2) * channels)
                + (r.maxOutputFrames(chunk) + r.maxFinishFrames()) * channels];
        int n = 0;
        for (int f = 0; f < frames; f += chunk) {
            n += r.process(x, f * channels, Math.min(chunk, frames - f), y, n * channels);
        }
        n += r.finish(y, n * channels);
        return java.util.Arrays.copyOf(y, n * channels);
    }

    private static float[] noise(int frames, int channels, long seed) {
        Random random = new Random(seed);
        float[] x = new float[frames * channels];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (random.nextGaussian() * 0.25);
        }
        return x;
    }
}
