package io.pcmtrack.dsp;

import java.util.Arrays;
import java.util.Comparator;
import java.util.function.DoubleUnaryOperator;

/**
 * The {@link Resampler}'s fast path for small ratios ({@code up} and {@code down} both at most
 * {@value #MAX_FACTOR}: 24000 to 48000, 8000 to 48000, 48000 to 16000, 32000 to 48000...): computes a block
 * of consecutive outputs of one channel, phase by phase, so that the inner loop runs across outputs and
 * C2 vectorises it.
 *
 * <p>Output {@code k = n * up + p} (phase {@code p}) reads input frames
 * {@code n * down + base[p] - span + 1 + j}, tap {@code j = 0 .. taps - 1}: for a fixed phase and tap the
 * frames of consecutive {@code n} are {@code down} apart. The input is split into {@code down} residue
 * streams (frames {@code m * down + q}), so each (phase, tap) reads a contiguous run of one stream, starting
 * at some offset {@code o} in it.
 *
 * <p><b>Why classes of 16.</b> C2 on JDK 17 vectorises a loop only if all its float loads and stores sit at
 * the same offset modulo the vector (16 floats with AVX-512): it cannot rule out that two float arrays are
 * one, so {@code sum[i] += c * x[i + 1]} stays scalar while {@code sum[i] += c * x[i + 16]} is vectorised.
 * The taps are therefore grouped by their run's offset modulo {@value #STRIDE}: for each stream and residue
 * {@code r}, one copy of the stream from offset {@code r} (a "class") serves every tap at offsets
 * {@code r, r + 16, r + 32, ...}, and each phase's sums take all of them in one pass,
 * {@code sum[i] += c0 s[i] + c1 s[i + 16] + ... + c4 s[i + 64]}. That is 16 copies per stream and block
 * instead of one per tap, and five taps per load and store of the sums instead of four (five is also the
 * most C2 vectorises in one loop body here: with six taps from one row, ten from two, or two phases' sums in
 * one loop it falls back to scalar code). Offsets in a stream run from 0 to at most 79 with the standard
 * kernel, so at most five taps share a class, and up to 91 with the Nyquist kernel (lower rates from
 * 9.2 kHz, {@link FilterBank#nyquist}), whose classes 0 to 11 hold a sixth tap: that one is added in a one-tap pass of
 * its own before the five. A phase whose runs do not cover a class slot gets a zero coefficient there, which
 * adds zero for finite input (the streams hold zeros past the input so far, so that slot never reads a stale
 * sample or another channel's). A class is copied and passed only over the slots where some phase has a
 * non-zero tap: the Nyquist kernel is zero at every whole lower-rate sample but its centre, so at 2x up the
 * phase on the input samples is one tap in one class, and at 1/2 down the even input residue is one tap; both
 * cost one short pass instead of sixteen.
 *
 * <p><b>Numerics.</b> Taps and sums are float. Each pass sums its (at most five) products as
 * {@code ((c0 s0 + c4 s4) + (c1 s1 + c3 s3)) + c2 s2}, then adds that to the phase's sum. The classes come
 * smallest taps first, so that the sums stay small until the kernel's large central taps (in plain offset
 * order one conversion measured 139.4 dB SINAD at 1 kHz; this order 144.1 to 152.2 dB). The order is fixed,
 * so each output is the same sequence of float operations whatever block computes it and the output does
 * not depend on how the input was split into calls.
 *
 * <p><b>With the Vector API.</b> When the JVM runs with {@code --add-modules jdk.incubator.vector}, each phase
 * is computed by {@code VectorBlocks} instead: four vectors of rows at once, their sums kept in registers over
 * all the phase's taps, which C2's own vectoriser cannot do on JDK 17. The taps then come one at a time,
 * smallest first, each added with a fused multiply-add; the output differs from the class passes' by float
 * rounding only, and is as independent of chunking. Setting the system property
 * {@code io.pcmtrack.vector=false} keeps the class passes.
 *
 * <p>One instance per resampler; one thread at a time. Its scratch ({@code up} rows of sums of {@link #rows()}
 * floats, one class row, and the residue streams when {@code down > 1}) holds nothing from one call to the next,
 * so it is not the instance's: {@link #acquire} takes one from a small pool shared by all instances and
 * {@link #release} gives it back (see {@link Scratch}).
 */
final class PhaseBlocks {
    /** Largest {@code up} and {@code down} served. */
    static final int MAX_FACTOR = 8;
    /**
     * Fewest outputs per phase per block: long enough that the vector loop dominates its pre- and post-loops.
     * A block holds {@link #rows(int, int)}: this, or 20 ms of input if that is more.
     */
    static final int MIN_ROWS = 256;
    /** Most input frames a block is sized for: bounds the scratch at high rates (20 ms at 51.2 kHz). */
    static final int MAX_FRAMES = 1024;
    /** Rows are a multiple of this: the Vector API kernel writes whole groups of up to four 512-bit vectors. */
    static final int ROW_MULTIPLE = 64;
    /** Run offsets that share a class: the widest vector, in floats (64 bytes, AVX-512). */
    static final int STRIDE = 16;
    /**
     * Fewest run offsets per stream served (1.5 taps per class on average). With fewer (8/7, 7/8, 6/5,
     * 5/4, ..., where a stream holds 10 to 21 offsets) most passes add one tap and some zeros, and the exact
     * path is faster (measured 840-860x real time against 430-730x for 42000 and 40000 to 48000); at 4/3
     * and 3/4 (28 offsets) the block path still wins (1280-1460x against 920-1140x before). The Nyquist
     * kernel's 92 taps give 5/4, 4/5, 7/4 and 4/7 24 offsets: on the block path with it they measured
     * 5.9-7.6 us per 10 ms call against 10.8-14.6 on the exact path (38400 and 24000 to and from 48000 and
     * 42000, best of 20 rounds), so they take it.
     */
    private static final int MIN_RUNS = 24;
    /** Most taps of one phase in one class. */
    private static final int SLOTS = 6;
    /** Whether the block path runs the Vector API kernel in this JVM ({@link VectorKernels}). */
    static final boolean VECTOR = VectorKernels.PHASE != null;

    private final int up;
    private final int down;
    private final int taps;
    /** Outputs per phase per block, {@link #rows(int, int)}. */
    private final int rows;
    /** Taps per class: offsets per stream span at most {@code slots * STRIDE}. */
    private final int slots;
    /** Coefficients, {@code [((q * STRIDE + r) * up + p) * SLOTS + t]}: phase p's tap at stream q, offset {@code r + 16 t}. */
    private final float[] coefs;
    /** Highest offset any tap reads in a stream. */
    private final int maxOffset;
    /** Classes ({@code q * STRIDE + r}) in pass order: smallest taps first, so that sums stay small until the last passes. */
    private final int[] order;
    /** Whether phase p has a non-zero tap in class i, {@code [i * up + p]}: passes that would add only zeros are skipped. */
    private final boolean[] used;
    /**
     * Class i ({@code q * STRIDE + r}) holds taps at offsets {@code r + 16 t}; its passes take the slots
     * {@code t = classFirst[i] .. classFirst[i] + classSlots[i] - 1}, the span of slots where some phase has a
     * non-zero tap ({@code classSlots[i] == 0}: none, the class is neither copied nor passed). The class is
     * copied from offset {@code r + 16 classFirst[i]} and only as far as those slots read: the Nyquist kernel's
     * single-tap phases and decimated residues cost one short pass, and with {@code down == 1} no pass reads
     * past the frames held.
     */
    private final int[] classFirst;
    private final int[] classSlots;
    /** The scratch's, from {@link #acquire} to {@link #release}; else null. */
    private float[][] sums;
    /**
     * With {@link #VECTOR}: phase p's non-zero taps, smallest first, as offsets from a row's first frame in the
     * source {@link #compute} reads ({@code q * streamLength + o} in the residue streams when {@code down > 1})
     * and coefficients; else null.
     */
    private final int[][] tapOffsets;
    private final float[][] tapCoefs;
    /** One class: a stream's frames from offset r on; not used with {@link #VECTOR}, which copies no class. */
    private float[] klass;
    /** Residue streams when {@code down > 1}: stream q at {@code [q * streamLength, ..)}. */
    private float[] streams;
    private final int streamLength;
    private final int klassLength;
    private Scratch scratch;

    /** Whether the ratio (reduced) with this many taps is served. */
    static boolean serves(int up, int down, int taps) {
        return up <= MAX_FACTOR && down <= MAX_FACTOR && maxOffset(up, down, taps) + 1 >= MIN_RUNS;
    }

    /**
     * Rows of a block for input at {@code inRate} decimated by {@code down}: enough for 20 ms of input (a
     * track's usual write, which {@code ConversionChain} hands over whole) or {@link #MAX_FRAMES}, whichever is
     * less, rounded up to a multiple of {@link #ROW_MULTIPLE}, and at least {@link #MIN_ROWS}. A 20 ms write at
     * 24 kHz used to be two blocks (256 and 224 rows), each paying for its class copies and every pass's
     * set-up; as one block of 480 rows a 24 kHz track's frame measured 14 % cheaper, and a 48 kHz one into
     * 16 kHz 40 % (docs/RESAMPLER.md, "Blocks of 20 ms").
     */
    static int rows(int inRate, int down) {
        long perPhase = (callInput(inRate) + down - 1) / down;
        long rounded = (perPhase + ROW_MULTIPLE - 1) / ROW_MULTIPLE * ROW_MULTIPLE;
        return (int) Math.max(MIN_ROWS, rounded);
    }

    /** Input frames a call is sized for: 20 ms at {@code inRate}, at most {@link #MAX_FRAMES}. */
    static int callInput(int inRate) {
        return (int) Math.min(MAX_FRAMES, ((long) inRate + 49) / 50);
    }

    /** The highest run offset in a stream: {@code (floor((up - 1) * down / up) + taps - 1) / down}. */
    private static int maxOffset(int up, int down, int taps) {
        return ((up - 1) * down / up + taps - 1) / down;
    }

    /**
     * @param up   outputs per {@code down} inputs (reduced ratio)
     * @param down inputs per {@code up} outputs
     * @param span   input frames the kernel reaches on each side; {@code 2 * span} taps
     * @param kernel the unit-gain kernel at a distance in lower-rate samples ({@link FilterBank#kernel},
     *               {@link FilterBank#nyquist} or {@link FilterBank#telephony})
     * @param rows   outputs per phase per block ({@link #rows(int, int)})
     */
    PhaseBlocks(int up, int down, int span, DoubleUnaryOperator kernel, int rows) {
        if (rows < 1 || rows % ROW_MULTIPLE != 0) {
            throw new IllegalArgumentException("rows per block must be a positive multiple of " + ROW_MULTIPLE + ", got " + rows);
        }
        this.up = up;
        this.down = down;
        this.taps = 2 * span;
        this.rows = rows;
        int[] base = new int[up];
        for (int p = 0; p < up; p++) {
            base[p] = (int) ((long) p * down / up);
        }
        this.maxOffset = maxOffset(up, down, taps);
        this.slots = maxOffset / STRIDE + 1;
        if (slots > SLOTS) {
            throw new IllegalArgumentException("offsets up to " + maxOffset + " need " + slots + " taps per class, at most " + SLOTS);
        }
        this.coefs = new float[down * STRIDE * up * SLOTS];
        double r = FilterBank.scale(up, down);
        for (int p = 0; p < up; p++) {
            double phase = (double) ((long) p * down % up) / up;
            for (int j = 0; j < taps; j++) {
                int e = base[p] + j;
                int q = e % down;
                int o = e / down;
                double t = phase + (span - 1 - j);
                coefs[((q * STRIDE + o % STRIDE) * up + p) * SLOTS + o / STRIDE] = (float) (r * kernel.applyAsDouble(r * t));
            }
        }
        this.order = passOrder(coefs, down * STRIDE, up * SLOTS);
        this.used = new boolean[down * STRIDE * up];
        this.classFirst = new int[down * STRIDE];
        this.classSlots = new int[down * STRIDE];
        for (int klassIndex = 0; klassIndex < classSlots.length; klassIndex++) {
            int first = SLOTS;
            int last = -1;
            for (int p = 0; p < up; p++) {
                int i = klassIndex * up + p;
                for (int t = 0; t < SLOTS; t++) {
                    if (coefs[i * SLOTS + t] != 0f) {
                        used[i] = true;
                        first = Math.min(first, t);
                        last = Math.max(last, t);
                    }
                }
            }
            classFirst[klassIndex] = last < 0 ? 0 : first;
            classSlots[klassIndex] = last < 0 ? 0 : last - first + 1;
        }
        this.klassLength = VECTOR ? 0 : rows + (SLOTS - 1) * STRIDE;
        this.streamLength = down > 1 ? rows + maxOffset + STRIDE : 0;
        this.tapOffsets = VECTOR ? new int[up][] : null;
        this.tapCoefs = VECTOR ? new float[up][] : null;
        if (VECTOR) {
            for (int p = 0; p < up; p++) {
                int[] offsets = new int[down * STRIDE * SLOTS];
                float[] values = new float[offsets.length];
                int n = 0;
                for (int q = 0; q < down; q++) {
                    for (int residue = 0; residue < STRIDE; residue++) {
                        for (int t = 0; t < SLOTS; t++) {
                            float c = coefs[((q * STRIDE + residue) * up + p) * SLOTS + t];
                            if (c != 0f) {
                                offsets[n] = q * streamLength + residue + t * STRIDE;
                                values[n++] = c;
                            }
                        }
                    }
                }
                Integer[] order = new Integer[n];
                for (int i = 0; i < n; i++) {
                    order[i] = i;
                }
                // smallest first, as the class passes order their classes: the sums stay small until the central taps
                Arrays.sort(order, Comparator.<Integer>comparingDouble(i -> Math.abs(values[i])).thenComparingInt(i -> offsets[i]));
                tapOffsets[p] = new int[n];
                tapCoefs[p] = new float[n];
                for (int i = 0; i < n; i++) {
                    tapOffsets[p][i] = offsets[order[i]];
                    tapCoefs[p][i] = values[order[i]];
                }
            }
        }
    }

    /** Takes scratch for {@link #compute} and {@link #write} until {@link #release}. */
    void acquire() {
        Scratch s = Scratch.POOL.take();
        s.fit(up, rows, klassLength, down * streamLength);
        scratch = s;
        sums = s.sums;
        klass = s.klass;
        streams = s.streams;
    }

    /** Gives the scratch back to the pool. */
    void release() {
        Scratch s = scratch;
        scratch = null;
        sums = null;
        klass = null;
        streams = null;
        Scratch.POOL.give(s);
    }

    /** Outputs per phase per block: {@link #compute} takes at most this many rows. */
    int rows() {
        return rows;
    }

    /**
     * Floats the history must hold past a channel's frames. With {@code down > 1} nothing is read past the
     * frames held (the streams stop there); with {@code down == 1} a computed row is a ready one, whose class
     * copies end at its last tap, and the margin only covers the widest class, or the rows the Vector API
     * kernel computes past the ready ones.
     */
    int overread() {
        return down == 1 ? Math.max(STRIDE * slots, VECTOR ? VectorKernels.BLOCK_OVERRUN : 0) : 0;
    }

    /**
     * Computes outputs {@code n * up + p} for {@code n = n0 .. n0 + count - 1} and every phase into
     * {@link #write}, reading channel history {@code h} whose index {@code x0} holds input frame
     * {@code n0 * down - span + 1} and whose frames before index {@code end} are the input so far.
     *
     * @param count output rows, 1..{@link #rows()}
     */
    void compute(float[] h, int x0, int end, int count) {
        float[] src = h;
        int start = x0;
        if (down > 1) {
            // A class reads its stream up to offset 15 + count + (slots - 1) * 16 - 1. Frames from end on are zeros here:
            // a ready output's zero taps may reach them, and must not read stale or another channel's
            // samples (zero times infinity is NaN). With down == 1 every phase of a row has the same taps,
            // so a ready row reads only frames held.
            int m = count + slots * STRIDE - 1;
            for (int q = 0; q < down; q++) {
                int o = q * streamLength;
                int held = Math.max(0, Math.min(m, (end - x0 - q + down - 1) / down));
                for (int i = 0, x = x0 + q; i < held; i++, x += down) {
                    streams[o + i] = h[x];
                }
                Arrays.fill(streams, o + held, o + m, 0f);
            }
            src = streams;
            start = 0;
        }
        if (VECTOR) {
            for (int p = 0; p < up; p++) {
                try {
                    VectorKernels.PHASE.invokeExact(src, start, tapOffsets[p], tapCoefs[p], tapOffsets[p].length, sums[p], count);
                } catch (RuntimeException | Error e) {
                    throw e;
                } catch (Throwable e) {
                    throw new IllegalStateException(e);
                }
            }
            return;
        }
        for (int p = 0; p < up; p++) {
            Arrays.fill(sums[p], 0, count, 0f);
        }
        float[] s = klass;
        float[] k = coefs;
        for (int klassIndex : order) {
            int q = klassIndex / STRIDE;
            int r = klassIndex % STRIDE;
            int width = classSlots[klassIndex];
            if (width == 0) {
                continue;
            }
            int first = classFirst[klassIndex];
            System.arraycopy(src, start + q * streamLength + r + first * STRIDE, s, 0, count + (width - 1) * STRIDE);
            int c = klassIndex * up * SLOTS + first;
            for (int p = 0; p < up; p++, c += SLOTS) {
                if (used[klassIndex * up + p]) {
                    pass(width, sums[p], s, k, c, count);
                }
            }
        }
    }

    /**
     * Classes sorted by their largest tap (over phases), smallest first: every class holds some taps near
     * the kernel's centre, but the float sums lose least when the classes with the largest ones come last.
     */
    private static int[] passOrder(float[] coefs, int classes, int perClass) {
        Integer[] sorted = new Integer[classes];
        double[] size = new double[classes];
        for (int i = 0; i < classes; i++) {
            sorted[i] = i;
            for (int j = 0; j < perClass; j++) {
                size[i] = Math.max(size[i], Math.abs(coefs[i * perClass + j]));
            }
        }
        Arrays.sort(sorted, (a, b) -> Double.compare(size[a], size[b]));
        int[] order = new int[classes];
        for (int i = 0; i < classes; i++) {
            order[i] = sorted[i];
        }
        return order;
    }

    private static void pass(int width, float[] a, float[] s, float[] k, int c, int count) {
        switch (width) {
            case 6:
                pass1At80(a, s, k[c + 5], count);
                pass5(a, s, k[c], k[c + 1], k[c + 2], k[c + 3], k[c + 4], count);
                break;
            case 5:
                pass5(a, s, k[c], k[c + 1], k[c + 2], k[c + 3], k[c + 4], count);
                break;
            case 4:
                pass4(a, s, k[c], k[c + 1], k[c + 2], k[c + 3], count);
                break;
            case 3:
                pass3(a, s, k[c], k[c + 1], k[c + 2], count);
                break;
            case 2:
                pass2(a, s, k[c], k[c + 1], count);
                break;
            default:
                pass1(a, s, k[c], count);
                break;
        }
    }

    /**
     * Writes {@code n} outputs of the last {@link #compute} in time order, starting at phase {@code first}
     * of its first row, to {@code out[o]}, {@code out[o + stride]}, ...
     */
    void write(int first, int n, float[] out, int o, int stride) {
        if (up == 1) {
            float[] a = sums[0];
            if (stride == 1) {
                System.arraycopy(a, 0, out, o, n);
            } else {
                for (int i = 0; i < n; i++, o += stride) {
                    out[o] = a[i];
                }
            }
            return;
        }
        int p = first;
        int row = 0;
        int i = 0;
        while (i < n && p != 0) {
            out[o] = sums[p][row];
            o += stride;
            i++;
            if (++p == up) {
                p = 0;
                row++;
            }
        }
        int rows = (n - i) / up;
        int step = up * stride;
        if (up == 2) {
            // the commonest case (24000 to 48000) in one loop: each row's two outputs are neighbours in out
            float[] a0 = sums[0];
            float[] a1 = sums[1];
            for (int k = 0, x = o; k < rows; k++, x += step) {
                out[x] = a0[row + k];
                out[x + stride] = a1[row + k];
            }
        } else {
            for (int q = 0; q < up; q++) {
                float[] a = sums[q];
                for (int k = 0, x = o + q * stride; k < rows; k++, x += step) {
                    out[x] = a[row + k];
                }
            }
        }
        i += rows * up;
        o += rows * step;
        row += rows;
        for (int q = 0; i < n; q++, i++, o += stride) {
            out[o] = sums[q][row];
        }
    }

    private static void pass5(float[] a, float[] s, float c0, float c1, float c2, float c3, float c4, int count) {
        for (int i = 0; i < count; i++) {
            a[i] += ((c0 * s[i] + c4 * s[i + 64]) + (c1 * s[i + 16] + c3 * s[i + 48])) + c2 * s[i + 32];
        }
    }

    private static void pass4(float[] a, float[] s, float c0, float c1, float c2, float c3, int count) {
        for (int i = 0; i < count; i++) {
            a[i] += (c0 * s[i] + c3 * s[i + 48]) + (c1 * s[i + 16] + c2 * s[i + 32]);
        }
    }

    private static void pass3(float[] a, float[] s, float c0, float c1, float c2, int count) {
        for (int i = 0; i < count; i++) {
            a[i] += (c0 * s[i] + c2 * s[i + 32]) + c1 * s[i + 16];
        }
    }

    private static void pass2(float[] a, float[] s, float c0, float c1, int count) {
        for (int i = 0; i < count; i++) {
            a[i] += c0 * s[i] + c1 * s[i + 16];
        }
    }

    private static void pass1At80(float[] a, float[] s, float c0, int count) {
        for (int i = 0; i < count; i++) {
            a[i] += c0 * s[i + 80];
        }
    }

    private static void pass1(float[] a, float[] s, float c0, int count) {
        for (int i = 0; i < count; i++) {
            a[i] += c0 * s[i];
        }
    }

    /**
     * Sums rows, a class row and residue streams (or the signal between two stages: a two-stage resampler holds
     * one scratch for that and its first stage another), lent to one instance at a time. A resampler holds a scratch
     * only inside {@code process} or {@code finish}, so the pool needs about as many as there are threads
     * resampling at the same instant, not one per resampler: 5.5 to 10.8 KB less heap per resampling track
     * (24000 to 48000: 6.5 KB), and a write finds sums rows that the previous write of any track left in the
     * cache where, with thousands of tracks, its own went cold a period ago (a frame at 1,000 to 10,000 tracks
     * measured 2-38 % cheaper in alternating runs, docs/RESAMPLER.md, "Scratch lent from a pool"). An instance
     * with more rows or phases than a scratch holds grows it. The pool: {@link ScratchPool}.
     */
    static final class Scratch {
        static final ScratchPool<Scratch> POOL = new ScratchPool<>(Scratch::new);

        float[][] sums = new float[0][];
        float[] klass = new float[0];
        float[] streams = new float[0];
        /** The signal between the two stages of a two-stage {@link Resampler}, which takes a scratch of its own. */
        private float[] between = new float[0];

        /** {@link #between}, grown to at least {@code length} floats. */
        float[] between(int length) {
            if (between.length < length) {
                between = new float[length];
            }
            return between;
        }

        /** Grows what is too small for {@code up} rows of {@code rows} sums, a class row and the streams. */
        void fit(int up, int rows, int klassLength, int streamsLength) {
            if (sums.length < up || sums.length > 0 && sums[0].length < rows) {
                int n = Math.max(rows, sums.length > 0 ? sums[0].length : 0);
                sums = new float[Math.max(up, sums.length)][n];
            }
            if (klass.length < klassLength) {
                klass = new float[klassLength];
            }
            if (streams.length < streamsLength) {
                streams = new float[streamsLength];
            }
        }
    }
}
