package io.pcmtrack.dsp;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The block path's kernel with the Vector API, used when the JVM runs with
 * {@code --add-modules jdk.incubator.vector} ({@link PhaseBlocks#VECTOR}). Compiled apart from the rest of
 * the library (the module is an incubator one, and javac warns about it); loaded only by name
 * ({@link VectorKernels}).
 *
 * <p>One phase at a time, four vectors of consecutive output rows at once: their sums stay in registers
 * across all the phase's taps, each tap one broadcast coefficient and one unaligned load of the input per
 * vector, added with a fused multiply-add. No class copies and no partial sums in memory, which is what
 * C2's own vectoriser needs on JDK 17 (see {@link PhaseBlocks}).
 *
 * <p>Each output is the same chain of fused multiply-adds over its taps in the same order (smallest first)
 * in whichever lane and block it is computed, and the Vector API's fallback code (before C2 compiles it)
 * rounds a lane's {@code fma} as {@link Math#fma} does: the output does not depend on how the input was split
 * into calls. Rows past {@code count}, up to the next multiple of the vector length, are computed from
 * whatever the source holds there and never written out.
 */
final class VectorBlocks {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    /** The exact path's groups: eight floats ({@link FilterBank#LANES8}). */
    private static final VectorSpecies<Float> EIGHT = FloatVector.SPECIES_256;
    /** Whether this hardware holds {@link #EIGHT} in one register; if not, the exact path keeps its scalar code. */
    static final boolean EXACT = VectorShape.preferredShape().vectorBitSize() >= 256;
    /** Rows computed at once: four vectors. */
    static final int ROWS = 4 * SPECIES.length();

    private VectorBlocks() {
    }

    /**
     * {@code out[i] = sum over k of coef[k] * src[start + i + offset[k]]}, for {@code i} from 0 to {@code count}
     * rounded up to a multiple of the vector length, each sum a chain of fused multiply-adds from 0 in the order
     * of {@code offset}. Four vectors of rows at a time; the last rows in four, two or one, whichever covers them
     * with the fewest rows past {@code count}.
     */
    static void phase(float[] src, int start, int[] offset, float[] coef, int taps, float[] out, int count) {
        int l = SPECIES.length();
        int i = 0;
        for (; count - i > 2 * l; i += 4 * l) {
            FloatVector a = FloatVector.zero(SPECIES);
            FloatVector b = FloatVector.zero(SPECIES);
            FloatVector c = FloatVector.zero(SPECIES);
            FloatVector d = FloatVector.zero(SPECIES);
            int from = start + i;
            for (int k = 0; k < taps; k++) {
                FloatVector w = FloatVector.broadcast(SPECIES, coef[k]);
                int x = from + offset[k];
                a = FloatVector.fromArray(SPECIES, src, x).fma(w, a);
                b = FloatVector.fromArray(SPECIES, src, x + l).fma(w, b);
                c = FloatVector.fromArray(SPECIES, src, x + 2 * l).fma(w, c);
                d = FloatVector.fromArray(SPECIES, src, x + 3 * l).fma(w, d);
            }
            a.intoArray(out, i);
            b.intoArray(out, i + l);
            c.intoArray(out, i + 2 * l);
            d.intoArray(out, i + 3 * l);
        }
        if (count - i > l) {
            FloatVector a = FloatVector.zero(SPECIES);
            FloatVector b = FloatVector.zero(SPECIES);
            int from = start + i;
            for (int k = 0; k < taps; k++) {
                FloatVector w = FloatVector.broadcast(SPECIES, coef[k]);
                int x = from + offset[k];
                a = FloatVector.fromArray(SPECIES, src, x).fma(w, a);
                b = FloatVector.fromArray(SPECIES, src, x + l).fma(w, b);
            }
            a.intoArray(out, i);
            b.intoArray(out, i + l);
        } else if (count > i) {
            FloatVector a = FloatVector.zero(SPECIES);
            int from = start + i;
            for (int k = 0; k < taps; k++) {
                a = FloatVector.fromArray(SPECIES, src, from + offset[k]).fma(FloatVector.broadcast(SPECIES, coef[k]), a);
            }
            a.intoArray(out, i);
        }
    }

    /**
     * Four groups of eight outputs of the exact path ({@link FilterBank#coefs8}) at once: group {@code g}'s
     * coefficients start at {@code k[co + g * step]} and its window at {@code h[x[g]]}; its eight sums go to
     * {@code sums[8 g ..]}. Each lane's sum is a chain of fused multiply-adds over the window's frames in
     * {@code order}, the order {@code Resampler}'s single outputs take too.
     */
    static void exact4(float[] k, int co, int step, int[] order, int window, float[] h, int[] x, float[] sums) {
        FloatVector a = FloatVector.zero(EIGHT);
        FloatVector b = FloatVector.zero(EIGHT);
        FloatVector c = FloatVector.zero(EIGHT);
        FloatVector d = FloatVector.zero(EIGHT);
        int xa = x[0];
        int xb = x[1];
        int xc = x[2];
        int xd = x[3];
        for (int n = 0; n < window; n++) {
            int i = order[n];
            int j = co + i * 8;
            a = FloatVector.fromArray(EIGHT, k, j).fma(FloatVector.broadcast(EIGHT, h[xa + i]), a);
            b = FloatVector.fromArray(EIGHT, k, j + step).fma(FloatVector.broadcast(EIGHT, h[xb + i]), b);
            c = FloatVector.fromArray(EIGHT, k, j + 2 * step).fma(FloatVector.broadcast(EIGHT, h[xc + i]), c);
            d = FloatVector.fromArray(EIGHT, k, j + 3 * step).fma(FloatVector.broadcast(EIGHT, h[xd + i]), d);
        }
        a.intoArray(sums, 0);
        b.intoArray(sums, 8);
        c.intoArray(sums, 16);
        d.intoArray(sums, 24);
    }

    /** One group of {@link #exact4}: coefficients from {@code k[co]}, window at {@code h[x]}, sums to {@code sums[at .. at + 7]}. */
    static void exact1(float[] k, int co, int[] order, int window, float[] h, int x, float[] sums, int at) {
        FloatVector a = FloatVector.zero(EIGHT);
        for (int n = 0; n < window; n++) {
            int i = order[n];
            a = FloatVector.fromArray(EIGHT, k, co + i * 8).fma(FloatVector.broadcast(EIGHT, h[x + i]), a);
        }
        a.intoArray(sums, at);
    }
}
