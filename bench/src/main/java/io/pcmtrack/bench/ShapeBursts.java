package io.pcmtrack.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.Random;

/**
 * The timing shared by {@link FoldedPassShapes} and {@link PassShapes}: loop variants in interleaved bursts, each
 * timed in this thread's CPU time, so that load that comes and goes falls on all of them alike.
 */
final class ShapeBursts {
    /** Measured bursts per variant, after {@link #WARM_UP} rounds. */
    static final int BURSTS = 30;
    private static final int WARM_UP = 5;
    private static final int REPS = 20_000;

    private ShapeBursts() {
    }

    /**
     * Nanoseconds per call of each shape, {@code [shape][burst]}: {@link #BURSTS} bursts each, the shapes taking
     * turns; {@code reset} runs after every burst (to clear the sums the shapes add into).
     */
    static double[][] time(Runnable[] shapes, Runnable reset) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        double[][] nanos = new double[shapes.length][BURSTS];
        for (int round = 0; round < WARM_UP + BURSTS; round++) {
            for (int k = 0; k < shapes.length; k++) {
                long t0 = threads.getCurrentThreadCpuTime();
                for (int j = 0; j < REPS; j++) {
                    shapes[k].run();
                }
                long t = threads.getCurrentThreadCpuTime() - t0;
                if (round >= WARM_UP) {
                    nanos[k][round - WARM_UP] = (double) t / REPS;
                }
                reset.run();
            }
        }
        return nanos;
    }

    /** The median and the 10th percentile of {@code bursts}. */
    static double[] medianAndP10(double[] bursts) {
        double[] v = bursts.clone();
        Arrays.sort(v);
        return new double[] {v[v.length / 2], v[v.length / 10]};
    }

    /** {@code length} Gaussian samples, a class row to read. */
    static float[] row(long seed, int length) {
        Random random = new Random(seed);
        float[] x = new float[length];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian();
        }
        return x;
    }
}
