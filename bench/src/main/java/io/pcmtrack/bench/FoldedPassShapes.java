package io.pcmtrack.bench;

import java.util.Arrays;
import java.util.Locale;

/**
 * Which loop shapes C2 vectorises for the resampler's block path, and at what cost per output and tap: the
 * five-tap class pass it uses against passes that fold symmetric taps ({@code c * (a[i + j] + b[i + k])},
 * two taps per multiply, from two class rows), with the row count a variable (as in the resampler, where it
 * is the ready rows of a block) and a constant (a whole block of 256). A loop C2 leaves scalar shows up as
 * three to four times the cost per tap. The variants run in interleaved bursts timed in this thread's CPU
 * time; prints the median and 10th percentile of 30 bursts each.
 *
 * <pre>java -cp bench/target/benchmarks.jar io.pcmtrack.bench.FoldedPassShapes [rows]</pre>
 */
public final class FoldedPassShapes {
    private static final int BLOCK = 256;
    private static int rows = BLOCK;

    private FoldedPassShapes() {
    }

    public static void main(String[] args) {
        rows = args.length > 0 ? Integer.parseInt(args[0]) : BLOCK;
        if (rows < 1 || rows > BLOCK) {
            throw new IllegalArgumentException("rows must be 1.." + BLOCK + ", got " + rows);
        }
        float[] sum = new float[BLOCK];
        float[] a = ShapeBursts.row(1, BLOCK + 80);
        float[] b = ShapeBursts.row(2, BLOCK + 80);
        String[] names = {"class pass, 5 taps", "folded, 2 pairs (4 taps)", "folded, 3 pairs (6 taps)",
            "folded, 4 pairs (8 taps)", "folded, 5 pairs (10 taps)", "folded, 5 pairs, 256 rows constant"};
        int[] taps = {5, 4, 6, 8, 10, 10};
        Runnable[] shapes = {
            () -> pass5(sum, a, 0.1f, 0.2f, 0.3f, 0.2f, 0.1f, rows),
            () -> fold2(sum, a, b, 0.1f, 0.2f, rows),
            () -> fold3(sum, a, b, 0.1f, 0.2f, 0.3f, rows),
            () -> fold4(sum, a, b, 0.1f, 0.2f, 0.3f, 0.2f, rows),
            () -> fold5(sum, a, b, 0.1f, 0.2f, 0.3f, 0.2f, 0.1f, rows),
            () -> fold5Block(sum, a, b, 0.1f, 0.2f, 0.3f, 0.2f, 0.1f),
        };
        double[][] nanos = ShapeBursts.time(shapes, () -> Arrays.fill(sum, 0f));
        System.out.println("| loop (" + rows + " rows) | ns per pass, median (p10) | ns per output and tap |");
        System.out.println("|---|---|---|");
        for (int k = 0; k < shapes.length; k++) {
            double[] v = ShapeBursts.medianAndP10(nanos[k]);
            int n = k == shapes.length - 1 ? BLOCK : rows;
            System.out.println(String.format(Locale.ROOT, "| %s | %.1f (%.1f) | %.4f |", names[k], v[0], v[1], v[0] / n / taps[k]));
        }
    }

    private static void pass5(float[] sum, float[] s, float c0, float c1, float c2, float c3, float c4, int count) {
        for (int i = 0; i < count; i++) {
            sum[i] += ((c0 * s[i] + c4 * s[i + 64]) + (c1 * s[i + 16] + c3 * s[i + 48])) + c2 * s[i + 32];
        }
    }

    private static void fold2(float[] sum, float[] a, float[] b, float c0, float c1, int count) {
        for (int i = 0; i < count; i++) {
            sum[i] += c0 * (a[i] + b[i + 16]) + c1 * (a[i + 16] + b[i]);
        }
    }

    private static void fold3(float[] sum, float[] a, float[] b, float c0, float c1, float c2, int count) {
        for (int i = 0; i < count; i++) {
            sum[i] += (c0 * (a[i] + b[i + 32]) + c2 * (a[i + 32] + b[i])) + c1 * (a[i + 16] + b[i + 16]);
        }
    }

    private static void fold4(float[] sum, float[] a, float[] b, float c0, float c1, float c2, float c3, int count) {
        for (int i = 0; i < count; i++) {
            sum[i] += (c0 * (a[i] + b[i + 48]) + c3 * (a[i + 48] + b[i])) + (c1 * (a[i + 16] + b[i + 32]) + c2 * (a[i + 32] + b[i + 16]));
        }
    }

    private static void fold5(float[] sum, float[] a, float[] b, float c0, float c1, float c2, float c3, float c4, int count) {
        for (int i = 0; i < count; i++) {
            sum[i] += ((c0 * (a[i] + b[i + 64]) + c4 * (a[i + 64] + b[i])) + (c1 * (a[i + 16] + b[i + 48]) + c3 * (a[i + 48] + b[i + 16])))
                    + c2 * (a[i + 32] + b[i + 32]);
        }
    }

    private static void fold5Block(float[] sum, float[] a, float[] b, float c0, float c1, float c2, float c3, float c4) {
        for (int i = 0; i < BLOCK; i++) {
            sum[i] += ((c0 * (a[i] + b[i + 64]) + c4 * (a[i + 64] + b[i])) + (c1 * (a[i + 16] + b[i + 48]) + c3 * (a[i + 48] + b[i + 16])))
                    + c2 * (a[i + 32] + b[i + 32]);
        }
    }
}
