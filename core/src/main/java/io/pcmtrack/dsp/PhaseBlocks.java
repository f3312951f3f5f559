package io.pcmtrack.dsp;

import java.util.Arrays;

/**
 * The {@link Resampler}'s fast path for small ratios ({@code up} and {@code down} both at most
 * {@value #MAX_FACTOR}: 24000 to 48000, 8000 to 48000, 48000 to 16000, 32000 to 48000...): computes a block
 * of consecutive outputs of one channel, phase by phase, so that the inner loop runs across outputs and
 * C2 vectorises it.
 *
 * <p>Output {@code k = n * up + p} (phase {@code p}) reads input frames
 * {@code n * down + base[p] - span + 1 + j}, tap {@code j = 0 .. taps - 1}: for a fixed phase and tap the
 * frames of consecutive {@code n} are {@code down} apart. The input is split into {@code down} residue
 * streams (frames {@code m * down + q}), so each (phase, tap) reads a contiguous run of one stream. That run
 * is copied to a source row, and the phase's sums are updated with one multiply-add per output, four taps
 * per pass: {@code sum[i] += (c0 s0[i] + c1 s1[i]) + (c2 s2[i] + c3 s3[i])}. C2 on JDK 17 vectorises such a
 * loop only when every array is indexed by the same expression (it cannot prove that a shifted read of one
 * float array does not alias the sums), hence the copies; they cost one move per tap and output row,
 * against {@code up} multiply-adds.
 *
 * <p><b>Numerics.</b> Taps and sums are float. The taps are taken from the outside of the kernel in
 * ({@code 0, taps-1, 1, taps-2, ...}), so a sum stays at the size of the small tail terms until the last
 * few, large, central ones: the rounding of the float sum then costs 1.5 to 10 dB of SINAD against a double
 * sum rounded once (the -1 dBFS tone at 1 kHz measures 141.9-150.1 dB here against 148.3-155.7 dB in double;
 * see docs/RESAMPLER.md).
 * Each output is the same sequence of float operations whatever block computes it, so the output does not
 * depend on how the input was split into calls.
 *
 * <p>One instance per resampler (it holds scratch rows: {@code 4 + up} rows of 256 floats, plus the
 * residue streams when downsampling); one thread at a time.
 */
final class PhaseBlocks {
    /** Largest {@code up} and {@code down} served. */
    static final int MAX_FACTOR = 8;
    /** Outputs per phase per block: long enough that the vector loop dominates its pre- and post-loops. */
    static final int BLOCK = 256;
    /** Taps per pass over the sums. */
    private static final int PASS = 4;

    private final int up;
    private final int down;
    private final int taps;
    /** Phase p's taps in pass order, {@code [p * taps + q]}. */
    private final float[] rows;
    /** Tap index (window position) of pass-order slot q. */
    private final int[] order;
    /** {@code floor(p * down / up)}: phase p's window base relative to {@code n * down}. */
    private final int[] base;
    /**
     * Where the run of pass-order slot q of phase p starts, {@code [p * taps + q]}: relative to the block's
     * first frame in the history when {@code down == 1}, else in {@link #streams}.
     */
    private final int[] runs;
    private final float[][] sources = new float[PASS][BLOCK];
    private final float[][] sums;
    /** Residue streams when {@code down > 1}: stream q at {@code [q * streamLength, ..)}. */
    private final float[] streams;
    private final int streamLength;

    /** Whether the ratio (reduced) with this many taps is served. */
    static boolean serves(int up, int down, int taps) {
        return up <= MAX_FACTOR && down <= MAX_FACTOR && taps % PASS == 0;
    }

    /**
     * @param up   outputs per {@code down} inputs (reduced ratio)
     * @param down inputs per {@code up} outputs
     * @param span input frames the kernel reaches on each side; {@code 2 * span} taps
     */
    PhaseBlocks(int up, int down, int span) {
        this.up = up;
        this.down = down;
        this.taps = 2 * span;
        this.order = new int[taps];
        for (int i = 0; i < taps / 2; i++) {
            order[2 * i] = i;
            order[2 * i + 1] = taps - 1 - i;
        }
        this.base = new int[up];
        this.rows = new float[up * taps];
        double r = FilterBank.scale(up, down);
        for (int p = 0; p < up; p++) {
            base[p] = (int) ((long) p * down / up);
            double phase = (double) ((long) p * down % up) / up;
            for (int q = 0; q < taps; q++) {
                double t = phase + (span - 1 - order[q]);
                rows[p * taps + q] = (float) (r * FilterBank.kernel(r * t));
            }
        }
        this.sums = new float[up][BLOCK];
        this.streamLength = down > 1 ? BLOCK + (base[up - 1] + taps - 1) / down + 1 : 0;
        this.runs = new int[up * taps];
        for (int p = 0; p < up; p++) {
            for (int q = 0; q < taps; q++) {
                int e = base[p] + order[q];
                runs[p * taps + q] = down == 1 ? e : e % down * streamLength + e / down;
            }
        }
        this.streams = down > 1 ? new float[down * streamLength] : null;
    }

    /**
     * Frames past the last one an output of the block reads that {@link #compute} may also read (they feed
     * only outputs of the last row that are discarded); the history must hold that many more floats.
     */
    int overread() {
        return 3 * down + PASS;
    }

    /**
     * Computes outputs {@code n * up + p} for {@code n = n0 .. n0 + count - 1} and every phase into
     * {@link #sum}, reading channel history {@code h} whose index {@code x0} holds input frame
     * {@code n0 * down - span + 1}.
     *
     * @param count output rows, 1..{@value #BLOCK}
     */
    void compute(float[] h, int x0, int count) {
        float[] src = h;
        int start = x0;
        if (down > 1) {
            int m = count + (base[up - 1] + taps - 1) / down + 1;
            for (int q = 0; q < down; q++) {
                int o = q * streamLength;
                for (int i = 0, x = x0 + q; i < m; i++, x += down) {
                    streams[o + i] = h[x];
                }
            }
            src = streams;
            start = 0;
        }
        for (int p = 0; p < up; p++) {
            Arrays.fill(sums[p], 0, count, 0f);
        }
        float[] s0 = sources[0];
        float[] s1 = sources[1];
        float[] s2 = sources[2];
        float[] s3 = sources[3];
        for (int q = 0; q < taps; q += PASS) {
            int copiedFor = -1;
            for (int p = 0; p < up; p++) {
                int k = p * taps + q;
                if (base[p] != copiedFor) {
                    // each slot's frames for the block's rows: one contiguous run
                    System.arraycopy(src, start + runs[k], s0, 0, count);
                    System.arraycopy(src, start + runs[k + 1], s1, 0, count);
                    System.arraycopy(src, start + runs[k + 2], s2, 0, count);
                    System.arraycopy(src, start + runs[k + 3], s3, 0, count);
                    copiedFor = base[p];
                }
                accumulate(sums[p], rows[k], s0, rows[k + 1], s1, rows[k + 2], s2, rows[k + 3], s3, count);
            }
        }
    }

    /** Output row {@code i} of phase {@code p} from the last {@link #compute}. */
    float sum(int p, int i) {
        return sums[p][i];
    }

    private static void accumulate(float[] a, float c0, float[] s0, float c1, float[] s1,
                                   float c2, float[] s2, float c3, float[] s3, int count) {
        for (int i = 0; i < count; i++) {
            a[i] += (c0 * s0[i] + c1 * s1[i]) + (c2 * s2[i] + c3 * s3[i]);
        }
    }
}
