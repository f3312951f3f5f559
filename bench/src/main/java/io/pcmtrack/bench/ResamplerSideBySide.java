package io.pcmtrack.bench;

import com.sun.jna.Memory;
import io.pcmtrack.dsp.Resampler;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;

/**
 * pcmtrack, libsoxr HQ and speexdsp q10 in interleaved slices, timed by this thread's CPU time: the
 * companion of {@link ResamplerVersus} for a loaded machine. JMH runs one configuration after another,
 * so load that comes and goes lands on some converters and not others; here each round gives every
 * converter one 0.2 s slice in turn, and CPU time leaves out the time the thread waits for a core. Same
 * signal as {@link ResamplerVersusBenchmark} (60 s of Gaussian noise, 10 ms chunks, mono). Prints the median
 * and best slice per converter and pcmtrack's ratio to libsoxr and speexdsp for both. Arguments: rounds
 * (default 15; the first 3 are warm-up), then conversions as {@code in:out}; {@code --telephony} first runs
 * pcmtrack with {@link Resampler.Quality#TELEPHONY} (where a ratio has it; libsoxr stays at HQ).
 *
 * <pre>java -cp bench/target/benchmarks.jar io.pcmtrack.bench.ResamplerSideBySide [--telephony] [rounds [in:out ...]]</pre>
 */
public final class ResamplerSideBySide {
    private static final long SLICE_NANOS = 200_000_000L;
    private static final int WARM_UP_ROUNDS = 3;

    private ResamplerSideBySide() {
    }

    public static void main(String[] args) {
        Resampler.Quality quality = Resampler.Quality.STANDARD;
        if (args.length > 0 && args[0].equals("--telephony")) {
            quality = Resampler.Quality.TELEPHONY;
            args = Arrays.copyOfRange(args, 1, args.length);
        }
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 15;
        String[] conversions = args.length > 1 ? Arrays.copyOfRange(args, 1, args.length)
                : ResamplerVersusBenchmark.CONVERSIONS;
        System.out.println("| conversion | pcmtrack median (best) | libsoxr HQ | speexdsp q10 | pcmtrack / libsoxr, median (best) | pcmtrack / speexdsp, median |");
        System.out.println("|---|---|---|---|---|---|");
        for (String conversion : conversions) {
            String[] r = conversion.split(":");
            int in = Integer.parseInt(r[0]);
            int out = Integer.parseInt(r[1]);
            double[][] speed = measure(in, out, rounds, quality);
            double[] p = summary(speed[0]);
            double[] s = summary(speed[1]);
            double[] x = summary(speed[2]);
            System.out.println(String.format(Locale.ROOT, "| %d -> %d | %.0f (%.0f) | %.0f (%.0f) | %.0f (%.0f) | **%.2f** (%.2f) | %.1f |",
                    in, out, p[0], p[1], s[0], s[1], x[0], x[1], p[0] / s[0], p[1] / s[1], p[0] / x[0]));
        }
    }

    /** x real time per measured round, for pcmtrack, libsoxr and speexdsp. */
    private static double[][] measure(int in, int out, int rounds, Resampler.Quality quality) {
        int chunk = in / 100;
        int chunks = 6000;
        Random random = new Random(1);
        float[] signal = new float[chunk * chunks];
        for (int i = 0; i < signal.length; i++) {
            signal[i] = (float) (random.nextGaussian() * 0.1);
        }
        Memory nativeSignal = new Memory(4L * signal.length);
        nativeSignal.write(0, signal, 0, signal.length);
        Resampler resampler = new Resampler(in, out, 1, quality);
        float[] y = new float[resampler.maxOutputFrames(chunk)];
        double[][] speed = new double[3][rounds - WARM_UP_ROUNDS];
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long sink = 0;
        try (NativeResamplers.Converter soxr = new NativeResamplers.Soxr(in, out, chunk);
             NativeResamplers.Converter speex = new NativeResamplers.Speex(in, out, chunk)) {
            int[] next = new int[3];
            for (int round = 0; round < rounds; round++) {
                for (int c = 0; c < 3; c++) {
                    long t0 = threads.getCurrentThreadCpuTime();
                    long elapsed;
                    int done = 0;
                    do {
                        for (int k = 0; k < 100; k++) {
                            int offset = next[c] * chunk;
                            next[c] = next[c] + 1 == chunks ? 0 : next[c] + 1;
                            sink += c == 0 ? resampler.process(signal, offset, chunk, y, 0)
                                    : (c == 1 ? soxr : speex).process(nativeSignal, 4L * offset, chunk);
                        }
                        done += 100;
                        elapsed = threads.getCurrentThreadCpuTime() - t0;
                    } while (elapsed < SLICE_NANOS);
                    if (round >= WARM_UP_ROUNDS) {
                        speed[c][round - WARM_UP_ROUNDS] = done / 100.0 / (elapsed / 1e9);
                    }
                }
            }
        }
        if (sink == 42) {
            System.out.println();
        }
        return speed;
    }

    /** Median and best. */
    private static double[] summary(double[] v) {
        double[] sorted = v.clone();
        Arrays.sort(sorted);
        return new double[] {sorted[sorted.length / 2], sorted[sorted.length - 1]};
    }
}
