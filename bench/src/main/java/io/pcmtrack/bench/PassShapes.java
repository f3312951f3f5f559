package io.pcmtrack.bench;

import java.util.Arrays;
import java.util.Locale;

/**
 * Which loop shapes the JIT vectorises, beside the resampler's five-tap class pass: a sixth tap from the same
 * class row, taps from several class rows (one each, or three each from two), two phases' sums in one loop, and
 * taps that are not a multiple of 16 apart. The row count is a variable, as in the resampler. A loop left scalar
 * shows up as three to five times the pass's cost per tap; the last column says so where the cost per tap is
 * more than 2.5 times the pass's. The variants run in interleaved bursts timed in this thread's CPU time, each
 * called through its own lambda (so that its arrays, as the resampler's, come from fields the JIT knows nothing
 * about); prints the median and 10th percentile of 30 bursts each. Compare JVMs by running it on each.
 *
 * <pre>java -cp bench/target/benchmarks.jar io.pcmtrack.bench.PassShapes [rows]</pre>
 */
public final class PassShapes {
    private static final int MAX_ROWS = 512;

    private PassShapes() {
    }

    public static void main(String[] args) {
        int rows = args.length > 0 ? Integer.parseInt(args[0]) : 240;
        if (rows < 1 || rows > MAX_ROWS) {
            throw new IllegalArgumentException("rows must be 1.." + MAX_ROWS + ", got " + rows);
        }
        float[] sum = new float[MAX_ROWS];
        float[] sum2 = new float[MAX_ROWS];
        float[][] r = new float[5][];
        for (int i = 0; i < r.length; i++) {
            r[i] = ShapeBursts.row(i + 1, MAX_ROWS + 96);
        }
        String[] names = {
            "class pass: 5 taps from one row, 16 apart",
            "6 taps from one row, 16 apart",
            "5 taps from five rows, one each",
            "6 taps from two rows, three each",
            "two phases' sums, 2 taps each from one row",
            "4 taps from one row, 1 apart",
        };
        int[] taps = {5, 6, 5, 6, 4, 4};
        Runnable[] shapes = {
            () -> pass5(sum, r[0], 0.1f, 0.2f, 0.3f, 0.2f, 0.1f, rows),
            () -> pass6(sum, r[0], 0.1f, 0.2f, 0.3f, 0.3f, 0.2f, 0.1f, rows),
            () -> rows5(sum, r[0], r[1], r[2], r[3], r[4], 0.1f, 0.2f, 0.3f, 0.2f, 0.1f, rows),
            () -> rows2x3(sum, r[0], r[1], 0.1f, 0.2f, 0.3f, 0.3f, 0.2f, 0.1f, rows),
            () -> phases2(sum, sum2, r[0], 0.1f, 0.2f, 0.3f, 0.4f, rows),
            () -> apart1(sum, r[0], 0.1f, 0.2f, 0.2f, 0.1f, rows),
        };
        double[][] nanos = ShapeBursts.time(shapes, () -> {
            Arrays.fill(sum, 0f);
            Arrays.fill(sum2, 0f);
        });
        System.out.println("Java " + Runtime.version());
        System.out.println("| loop (" + rows + " rows) | ns per pass, median (p10) | ns per output and tap | vectorised? |");
        System.out.println("|---|---|---|---|");
        double base = ShapeBursts.medianAndP10(nanos[0])[0] / rows / taps[0];
        for (int k = 0; k < shapes.length; k++) {
            double[] v = ShapeBursts.medianAndP10(nanos[k]);
            double perTap = v[0] / rows / taps[k];
            System.out.println(String.format(Locale.ROOT, "| %s | %.1f (%.1f) | %.4f | %s |", names[k], v[0], v[1], perTap,
                    perTap > 2.5 * base ? "no (scalar)" : "yes"));
        }
    }

    private static void pass5(float[] sum, float[] s, float c0, float c1, float c2, float c3, float c4, int count) {
        for (int i = 0; i < count; i++) {
            sum[i] += ((c0 * s[i] + c4 * s[i + 64]) + (c1 * s[i + 16] + c3 * s[i + 48])) + c2 * s[i + 32];
        }
    }

    private static void pass6(float[] sum, float[] s, float c0, float c1, float c2, float c3, float c4, float c5, int count) {
        for (int i = 0; i < count; i++) {
            sum[i] += ((c0 * s[i] + c5 * s[i + 80]) + (c1 * s[i + 16] + c4 * s[i + 64])) + (c2 * s[i + 32] + c3 * s[i + 48]);
        }
    }

    private static void rows5(float[] sum, float[] s0, float[] s1, float[] s2, float[] s3, float[] s4,
                              float c0, float c1, float c2, float c3, float c4, int count) {
        for (int i = 0; i < count; i++) {
            sum[i] += ((c0 * s0[i + 80] + c4 * s4[i + 80]) + (c1 * s1[i + 80] + c3 * s3[i + 80])) + c2 * s2[i + 80];
        }
    }

    private static void rows2x3(float[] sum, float[] a, float[] b, float c0, float c1, float c2, float c3, float c4, float c5,
                                int count) {
        for (int i = 0; i < count; i++) {
            sum[i] += ((c0 * a[i] + c1 * a[i + 16]) + (c2 * a[i + 32] + c3 * b[i])) + (c4 * b[i + 16] + c5 * b[i + 32]);
        }
    }

    private static void phases2(float[] sum0, float[] sum1, float[] s, float c0, float c1, float d0, float d1, int count) {
        for (int i = 0; i < count; i++) {
            float x0 = s[i];
            float x1 = s[i + 16];
            sum0[i] += c0 * x0 + c1 * x1;
            sum1[i] += d0 * x0 + d1 * x1;
        }
    }

    private static void apart1(float[] sum, float[] s, float c0, float c1, float c2, float c3, int count) {
        for (int i = 0; i < count; i++) {
            sum[i] += (c0 * s[i + 1] + c3 * s[i + 4]) + (c1 * s[i + 2] + c2 * s[i + 3]);
        }
    }
}
