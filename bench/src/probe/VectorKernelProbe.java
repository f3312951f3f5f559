import java.util.Arrays;
import java.util.Random;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Would the Vector API make the resampler's block path faster, and with how many vectors of sums? One phase of the Nyquist kernel
 * (92 taps) over 240 rows, what 24000 to 48000 Hz computes per 10 ms call besides its one-tap
 * phase, timed three ways in alternating bursts (CPU time, median of 30 rounds after 10):
 *
 * <ul>
 *   <li>classes: as {@code PhaseBlocks} does it on JDK 17 without flags: 16 class copies, each
 *       followed by a five-tap pass (and a one-tap pass for the 12 classes with a sixth tap);
 *   <li>vector, k accumulators: {@code jdk.incubator.vector}, the sums of k vectors of rows kept in
 *       registers across all 92 taps, each tap a broadcast coefficient and an unaligned load of
 *       the input, fused multiply-add; no copies;
 *   <li>vector, 4 x 2: four vectors of rows, each with two sums (even and odd taps) added at the end.
 * </ul>
 *
 * Eight accumulators measured 1.2 times faster than four here, but the library's kernel with eight
 * (and its groups of four, two and one for the last rows) ran 0.6-0.7 times as fast as with four,
 * so {@code VectorBlocks} keeps four.
 *
 * This sized {@code VectorBlocks}, the library's kernel on a JVM with the Vector API (four vectors
 * of sums). The Vector API is an incubator module up to at least JDK 25 and needs
 * {@code --add-modules jdk.incubator.vector} on the command line, so this probe is not compiled by
 * Maven (javac warns about incubator modules, and the build treats warnings as errors). Run it as
 * a single-file program:
 *
 * <pre>
 * java --add-modules jdk.incubator.vector bench/src/probe/VectorKernelProbe.java
 * </pre>
 */
public final class VectorKernelProbe {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int TAPS = 92;
    private static final int ROWS = 240;

    private VectorKernelProbe() {
    }

    public static void main(String[] args) {
        Random random = new Random(1);
        float[] x = new float[1024];
        float[] c = new float[TAPS];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian();
        }
        for (int t = 0; t < TAPS; t++) {
            c[t] = (float) random.nextGaussian();
        }
        float[] sums = new float[256];
        float[] klass = new float[256 + 96];
        float[] out = new float[256];
        String[] names = {"classes (as built)", "vector, 1 accumulator", "vector, 2 accumulators", "vector, 4 accumulators",
            "vector, 4 x 2 (taps split)", "vector, 8 accumulators"};
        int rounds = 40;
        double[][] ns = new double[names.length][rounds];
        int reps = 5000;
        for (int round = 0; round < rounds; round++) {
            for (int k = 0; k < names.length; k++) {
                long t0 = System.nanoTime();
                for (int rep = 0; rep < reps; rep++) {
                    int x0 = rep & 7;
                    switch (k) {
                        case 0 -> classes(x, x0, c, sums, klass);
                        case 1 -> vector1(x, x0, c, out);
                        case 2 -> vector2(x, x0, c, out);
                        case 3 -> vector4(x, x0, c, out);
                        case 4 -> vector4x2(x, x0, c, out);
                        default -> vector8(x, x0, c, out);
                    }
                }
                ns[k][round] = (System.nanoTime() - t0) / (double) reps;
            }
        }
        classes(x, 3, c, sums, klass);
        vector2(x, 3, c, out);
        double diff = 0;
        for (int i = 0; i < ROWS; i++) {
            diff = Math.max(diff, Math.abs(out[i] - sums[i]));
        }
        System.out.printf("%s, %s, %d rows x %d taps; largest difference between the two sums %.1e%n",
                System.getProperty("java.version"), SPECIES, ROWS, TAPS, diff);
        double base = median(ns[0], rounds);
        for (int k = 0; k < names.length; k++) {
            double m = median(ns[k], rounds);
            System.out.printf("  %-24s %7.0f ns  (classes / this: %.2f)%n", names[k], m, base / m);
        }
    }

    private static double median(double[] v, int rounds) {
        double[] s = Arrays.copyOfRange(v, 10, rounds);
        Arrays.sort(s);
        return s[s.length / 2];
    }

    private static void classes(float[] x, int x0, float[] c, float[] sums, float[] klass) {
        Arrays.fill(sums, 0, ROWS, 0f);
        for (int r = 0; r < 16; r++) {
            boolean sixth = r + 80 < TAPS;
            System.arraycopy(x, x0 + r, klass, 0, ROWS + (sixth ? 80 : 64));
            if (sixth) {
                pass1At80(sums, klass, c[r + 80]);
            }
            pass5(sums, klass, c[r], c[r + 16], c[r + 32], c[r + 48], c[r + 64]);
        }
    }

    private static void pass5(float[] a, float[] s, float c0, float c1, float c2, float c3, float c4) {
        for (int i = 0; i < ROWS; i++) {
            a[i] += ((c0 * s[i] + c4 * s[i + 64]) + (c1 * s[i + 16] + c3 * s[i + 48])) + c2 * s[i + 32];
        }
    }

    private static void pass1At80(float[] a, float[] s, float c0) {
        for (int i = 0; i < ROWS; i++) {
            a[i] += c0 * s[i + 80];
        }
    }

    private static void vector1(float[] x, int x0, float[] c, float[] out) {
        int l = SPECIES.length();
        for (int i = 0; i < ROWS; i += l) {
            FloatVector a = FloatVector.zero(SPECIES);
            for (int t = 0; t < TAPS; t++) {
                a = FloatVector.fromArray(SPECIES, x, x0 + i + t).fma(FloatVector.broadcast(SPECIES, c[t]), a);
            }
            a.intoArray(out, i);
        }
    }

    private static void vector2(float[] x, int x0, float[] c, float[] out) {
        int l = SPECIES.length();
        for (int i = 0; i < ROWS; i += 2 * l) {
            FloatVector a = FloatVector.zero(SPECIES);
            FloatVector b = FloatVector.zero(SPECIES);
            for (int t = 0; t < TAPS; t++) {
                FloatVector ct = FloatVector.broadcast(SPECIES, c[t]);
                a = FloatVector.fromArray(SPECIES, x, x0 + i + t).fma(ct, a);
                b = FloatVector.fromArray(SPECIES, x, x0 + i + l + t).fma(ct, b);
            }
            a.intoArray(out, i);
            b.intoArray(out, i + l);
        }
    }

    private static void vector4(float[] x, int x0, float[] c, float[] out) {
        int l = SPECIES.length();
        for (int i = 0; i < ROWS; i += 4 * l) {
            FloatVector a = FloatVector.zero(SPECIES);
            FloatVector b = FloatVector.zero(SPECIES);
            FloatVector d = FloatVector.zero(SPECIES);
            FloatVector e = FloatVector.zero(SPECIES);
            for (int t = 0; t < TAPS; t++) {
                FloatVector ct = FloatVector.broadcast(SPECIES, c[t]);
                a = FloatVector.fromArray(SPECIES, x, x0 + i + t).fma(ct, a);
                b = FloatVector.fromArray(SPECIES, x, x0 + i + l + t).fma(ct, b);
                d = FloatVector.fromArray(SPECIES, x, x0 + i + 2 * l + t).fma(ct, d);
                e = FloatVector.fromArray(SPECIES, x, x0 + i + 3 * l + t).fma(ct, e);
            }
            a.intoArray(out, i);
            b.intoArray(out, i + l);
            d.intoArray(out, i + 2 * l);
            e.intoArray(out, i + 3 * l);
        }
    }

    private static void vector4x2(float[] x, int x0, float[] c, float[] out) {
        int l = SPECIES.length();
        for (int i = 0; i < ROWS; i += 4 * l) {
            FloatVector a = FloatVector.zero(SPECIES);
            FloatVector b = FloatVector.zero(SPECIES);
            FloatVector d = FloatVector.zero(SPECIES);
            FloatVector e = FloatVector.zero(SPECIES);
            FloatVector a2 = FloatVector.zero(SPECIES);
            FloatVector b2 = FloatVector.zero(SPECIES);
            FloatVector d2 = FloatVector.zero(SPECIES);
            FloatVector e2 = FloatVector.zero(SPECIES);
            for (int t = 0; t + 1 < TAPS; t += 2) {
                FloatVector ct = FloatVector.broadcast(SPECIES, c[t]);
                FloatVector cu = FloatVector.broadcast(SPECIES, c[t + 1]);
                int p = x0 + i + t;
                a = FloatVector.fromArray(SPECIES, x, p).fma(ct, a);
                a2 = FloatVector.fromArray(SPECIES, x, p + 1).fma(cu, a2);
                b = FloatVector.fromArray(SPECIES, x, p + l).fma(ct, b);
                b2 = FloatVector.fromArray(SPECIES, x, p + l + 1).fma(cu, b2);
                d = FloatVector.fromArray(SPECIES, x, p + 2 * l).fma(ct, d);
                d2 = FloatVector.fromArray(SPECIES, x, p + 2 * l + 1).fma(cu, d2);
                e = FloatVector.fromArray(SPECIES, x, p + 3 * l).fma(ct, e);
                e2 = FloatVector.fromArray(SPECIES, x, p + 3 * l + 1).fma(cu, e2);
            }
            a.add(a2).intoArray(out, i);
            b.add(b2).intoArray(out, i + l);
            d.add(d2).intoArray(out, i + 2 * l);
            e.add(e2).intoArray(out, i + 3 * l);
        }
    }

    private static void vector8(float[] x, int x0, float[] c, float[] out) {
        int l = SPECIES.length();
        for (int i = 0; i < ROWS; i += 8 * l) {
            FloatVector a = FloatVector.zero(SPECIES);
            FloatVector b = FloatVector.zero(SPECIES);
            FloatVector d = FloatVector.zero(SPECIES);
            FloatVector e = FloatVector.zero(SPECIES);
            FloatVector f = FloatVector.zero(SPECIES);
            FloatVector g = FloatVector.zero(SPECIES);
            FloatVector h = FloatVector.zero(SPECIES);
            FloatVector k = FloatVector.zero(SPECIES);
            for (int t = 0; t < TAPS; t++) {
                FloatVector ct = FloatVector.broadcast(SPECIES, c[t]);
                int p = x0 + i + t;
                a = FloatVector.fromArray(SPECIES, x, p).fma(ct, a);
                b = FloatVector.fromArray(SPECIES, x, p + l).fma(ct, b);
                d = FloatVector.fromArray(SPECIES, x, p + 2 * l).fma(ct, d);
                e = FloatVector.fromArray(SPECIES, x, p + 3 * l).fma(ct, e);
                f = FloatVector.fromArray(SPECIES, x, p + 4 * l).fma(ct, f);
                g = FloatVector.fromArray(SPECIES, x, p + 5 * l).fma(ct, g);
                h = FloatVector.fromArray(SPECIES, x, p + 6 * l).fma(ct, h);
                k = FloatVector.fromArray(SPECIES, x, p + 7 * l).fma(ct, k);
            }
            a.intoArray(out, i);
            b.intoArray(out, i + l);
            d.intoArray(out, i + 2 * l);
            e.intoArray(out, i + 3 * l);
            f.intoArray(out, i + 4 * l);
            g.intoArray(out, i + 5 * l);
            h.intoArray(out, i + 6 * l);
            k.intoArray(out, i + 7 * l);
        }
    }
}
