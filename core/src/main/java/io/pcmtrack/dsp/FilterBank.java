package io.pcmtrack.dsp;

import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Immutable coefficient tables of the {@link Resampler}'s filter: one exact table per reduced rate ratio
 * {@code up/down} (output/input), shared by every resampler with that ratio through a small LRU cache, and
 * one finely sampled copy of the kernel, built on first use and shared by all ratios whose exact table
 * would exceed {@link #MAX_EXACT_BYTES}.
 *
 * <p>The kernel {@code h} is a Kaiser-windowed sinc in samples of the lower of the two rates: half-length
 * {@link #HALF_LENGTH}, shape {@link #BETA}, -6 dB at {@link #CUTOFF}, scaled to unit DC gain. In input
 * samples it is {@code r h(r t)} with {@code r = min(1, up/down)}, reaching {@link #span} frames each side.
 *
 * <p>Exact table: position {@code s} of a period of {@link #period} outputs sits at input time
 * {@code baseOffset[s] + ((s * down) mod up) / up} from the period's start. Positions form groups of
 * {@link #LANES}; a group reads one window of {@link #window} frames starting where its first output's
 * taps start, with coefficients tap-major, lane-minor ({@code coefs[(g * window + i) * LANES + lane]}) and
 * zero wherever a lane's own {@code 2 * span} taps do not reach. One load of input then feeds four
 * independent multiply-adds from one contiguous coefficient stream. The period is {@code up} (the last group may be
 * short) or, for small {@code up}, the least multiple of {@code up} and 4 (every group full).
 *
 * <p>Memory: {@code ceil(period / 4) * 4 * window * 8} bytes per exact table (44100/48000: 107 KB; 8000 to
 * 48000: 8 KB; 48000 to 16000: 8 KB), at most 1 MiB, at most {@value #CACHE_CAPACITY} cached; the fine
 * rows are 166 KB.
 */
final class FilterBank {
    /** Kernel half-length in samples of the lower rate: the lookahead, 5 ms at 8 kHz. */
    static final int HALF_LENGTH = 40;
    /** Kaiser shape: with {@link #CUTOFF}, -135.6 dB at 0.55 of the lower rate and less above. */
    static final double BETA = 14.0;
    /** -6 dB point in cycles per lower-rate sample; puts -1 dB at 0.946 of Nyquist. */
    static final double CUTOFF = 0.491;
    /** Outputs computed together by one pass over the input window. */
    static final int LANES = 4;
    /** Kernel samples per lower-rate sample in the shared fine rows (quadratic interpolation between them). */
    static final int FINE_PHASES = 256;
    /** Ratios whose exact table would be larger use the shared fine rows. */
    static final long MAX_EXACT_BYTES = 1L << 20;
    /** Exact tables kept in the cache; instances keep theirs alive after eviction. */
    static final int CACHE_CAPACITY = 16;

    private static final double GAIN = integral(CUTOFF, HALF_LENGTH, BETA);
    private static final Map<Key, FilterBank> CACHE = new LinkedHashMap<>(32, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, FilterBank> eldest) {
            return size() > CACHE_CAPACITY;
        }
    };

    final int up;
    final int down;
    final int span;
    final int window;
    final int period;
    /** Input frames per period: {@code period * down / up}. */
    final long periodAdvance;
    /** {@code floor(s * down / up)} for s in 0..period: each position's window base relative to its period. */
    final int[] baseOffset;
    final double[] coefs;
    /**
     * With the Vector API ({@link VectorKernels#EXACT}) and a period of whole groups of {@link #LANES8}: the
     * same coefficients as float, in groups of eight positions, {@code coefs8[(g * window8 + i) * LANES8 + lane]},
     * zero wherever a lane's taps do not reach; else null (and {@link #window8} 0, {@link #order8} null).
     */
    final float[] coefs8;
    final int window8;
    /** The order in which a group of eight takes its window's frames: from both ends toward the middle, so that small taps come first. */
    final int[] order8;
    /**
     * {@link #order8} without the frames outside a lane's own taps, for each offset {@code d} of a lane's taps in
     * its group's window ({@code 0 .. window8 - 2 * span}): the frames a single output adds, in the group's order.
     */
    final int[][] ownOrder8;
    /** Outputs of one group of the Vector API's exact kernel: eight floats, a 256-bit vector. */
    static final int LANES8 = 8;

    private FilterBank(int up, int down, int period, int window, Shape shape) {
        this.up = up;
        this.down = down;
        this.span = span(up, down, shape.halfLength);
        this.period = period;
        this.window = window;
        this.periodAdvance = (long) period * down / up;
        this.baseOffset = new int[period + 1];
        for (int s = 0; s <= period; s++) {
            baseOffset[s] = (int) ((long) s * down / up);
        }
        int groups = (period + LANES - 1) / LANES;
        this.coefs = new double[groups * window * LANES];
        double r = scale(up, down);
        for (int s = 0; s < period; s++) {
            int g = s / LANES;
            int lane = s % LANES;
            int delta = baseOffset[s] - baseOffset[g * LANES];
            double phase = (double) ((long) s * down % up) / up;
            for (int j = 0; j < 2 * span; j++) {
                double t = phase + (span - 1 - j);
                coefs[(g * window + delta + j) * LANES + lane] = r * shape.at(r * t);
            }
        }
        if (VectorKernels.EXACT != null && period % LANES8 == 0) {
            int widest = 0;
            for (int s0 = 0; s0 < period; s0 += LANES8) {
                widest = Math.max(widest, baseOffset[s0 + LANES8 - 1] - baseOffset[s0]);
            }
            this.window8 = 2 * span + widest;
            this.coefs8 = new float[period * window8];
            for (int s = 0; s < period; s++) {
                int g = s / LANES8;
                int delta = baseOffset[s] - baseOffset[g * LANES8];
                for (int j = 0; j < 2 * span; j++) {
                    coefs8[(g * window8 + delta + j) * LANES8 + s % LANES8] =
                            (float) coefs[(s / LANES * window + baseOffset[s] - baseOffset[s / LANES * LANES] + j) * LANES + s % LANES];
                }
            }
            Integer[] order = new Integer[window8];
            for (int i = 0; i < window8; i++) {
                order[i] = i;
            }
            double middle = (window8 - 1) / 2.0;
            Arrays.sort(order, Comparator.<Integer>comparingDouble(i -> -Math.abs(i - middle)).thenComparingInt(i -> i));
            this.order8 = new int[window8];
            for (int i = 0; i < window8; i++) {
                order8[i] = order[i];
            }
            this.ownOrder8 = new int[widest + 1][2 * span];
            for (int d = 0; d <= widest; d++) {
                int n = 0;
                for (int i : order8) {
                    if (i >= d && i < d + 2 * span) {
                        ownOrder8[d][n++] = i;
                    }
                }
            }
        } else {
            this.window8 = 0;
            this.coefs8 = null;
            this.order8 = null;
            this.ownOrder8 = null;
        }
    }

    /** Input frames the kernel reaches on each side of an output's time. */
    static int span(int up, int down) {
        return span(up, down, HALF_LENGTH);
    }

    /** Kernel stretch: 1 when upsampling, output/input when downsampling. */
    static double scale(int up, int down) {
        return down > up ? (double) up / down : 1.0;
    }

    /** The unit-gain kernel at {@code u} lower-rate samples from its centre. */
    static double kernel(double u) {
        return KaiserWindow.sinc(u, CUTOFF, HALF_LENGTH, BETA) / GAIN;
    }

    /** Half-length of the {@link #nyquist} kernel in lower-rate samples. */
    static final int NYQUIST_HALF_LENGTH = 46;
    /** Kaiser shape of the {@link #nyquist} kernel: -138.0 dB from 0.55 of the lower rate (14.5 would put the main lobe's edge past 0.55). */
    static final double NYQUIST_BETA = 14.3;
    private static final double NYQUIST_GAIN = integral(0.5, NYQUIST_HALF_LENGTH, NYQUIST_BETA);

    /**
     * The Nyquist (half-band) kernel at {@code u} lower-rate samples from its centre: -6 dB at exactly half
     * the lower rate, so it is exactly zero at every other whole lower-rate sample. For an integer ratio a
     * phase sitting on a lower-rate sample then has a single tap, and a decimator's taps on the other input
     * residues vanish. Half-length {@value #NYQUIST_HALF_LENGTH}, beta 14.3: flat to 1e-5 dB at 0.45 of the
     * lower rate, -1 dB at 0.968 of its Nyquist, -138.0 dB from 0.55 up and -143.2 dB from 0.6 up.
     */
    static double nyquist(double u) {
        return halfBand(u, NYQUIST_HALF_LENGTH, NYQUIST_BETA, NYQUIST_GAIN);
    }

    /** Half-length of the {@link #telephony} kernel in lower-rate samples: 2 ms at 8 kHz. */
    static final int TELEPHONY_HALF_LENGTH = 16;
    /** Kaiser shape of the {@link #telephony} kernel: -100 dB from 0.6 of the lower rate. */
    static final double TELEPHONY_BETA = 10.0;
    private static final double TELEPHONY_GAIN = integral(0.5, TELEPHONY_HALF_LENGTH, TELEPHONY_BETA);

    /**
     * The kernel of {@link Resampler.Quality#TELEPHONY}, a short Nyquist kernel: -6 dB at exactly half the
     * lower rate and zero at every other whole lower-rate sample, half-length
     * {@value #TELEPHONY_HALF_LENGTH}, beta 10. Flat within 0.0002 dB to 0.4 of the lower rate, -1 dB at 0.922
     * of its Nyquist, -100 dB or less from 0.6 up (computed from the continuous response).
     */
    static double telephony(double u) {
        return halfBand(u, TELEPHONY_HALF_LENGTH, TELEPHONY_BETA, TELEPHONY_GAIN);
    }

    private static double halfBand(double u, int halfLength, double beta, double gain) {
        double whole = Math.rint(u);
        if (whole != 0.0 && Math.abs(u - whole) < 1e-9) {
            return 0.0;
        }
        return KaiserWindow.sinc(u, 0.5, halfLength, beta) / gain;
    }

    /** Input frames the kernel with this half-length reaches on each side of an output's time. */
    static int span(int up, int down, int halfLength) {
        return down > up ? (int) (((long) halfLength * down + up - 1) / up) : halfLength;
    }

    /**
     * The shared exact table for {@code up/down} (coprime), or null if it would exceed
     * {@link #MAX_EXACT_BYTES}. Thread-safe; a table is built at most a few times under a race and
     * the first one stored wins.
     */
    static FilterBank exact(int up, int down) {
        return exact(up, down, Shape.STANDARD);
    }

    /** As {@link #exact(int, int)}, for the kernel {@code shape}. */
    static FilterBank exact(int up, int down, Shape shape) {
        int span = span(up, down, shape.halfLength);
        // A short last group wastes at most 3 of every up lanes: worth a 4x smaller table once up is large.
        int period = up % LANES == 0 || up >= 32 ? up : up * (LANES / gcd(up, LANES));
        if (tableBytes(period, span, up, down) > MAX_EXACT_BYTES) {
            return null;
        }
        Key key = new Key(up, down, shape);
        synchronized (CACHE) {
            FilterBank cached = CACHE.get(key);
            if (cached != null) {
                return cached;
            }
        }
        FilterBank built = new FilterBank(up, down, period, window(period, span, up, down), shape);
        synchronized (CACHE) {
            FilterBank raced = CACHE.putIfAbsent(key, built);
            return raced != null ? raced : built;
        }
    }

    private record Key(int up, int down, Shape shape) {
    }

    /**
     * A Kaiser-windowed sinc for the exact tables, in samples of the lower rate: half-length, -6 dB point in
     * cycles per lower-rate sample, Kaiser shape; scaled to unit DC gain. Equal parameters share tables.
     */
    static final class Shape {
        /** The standard kernel ({@link #kernel}). */
        static final Shape STANDARD = new Shape(HALF_LENGTH, CUTOFF, BETA);

        final int halfLength;
        final double cutoff;
        final double beta;
        private final double gain;

        Shape(int halfLength, double cutoff, double beta) {
            this.halfLength = halfLength;
            this.cutoff = cutoff;
            this.beta = beta;
            this.gain = integral(cutoff, halfLength, beta);
        }

        /** The unit-gain kernel at {@code u} lower-rate samples from its centre. */
        double at(double u) {
            return KaiserWindow.sinc(u, cutoff, halfLength, beta) / gain;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Shape && ((Shape) o).halfLength == halfLength
                    && Double.compare(((Shape) o).cutoff, cutoff) == 0 && Double.compare(((Shape) o).beta, beta) == 0;
        }

        @Override
        public int hashCode() {
            return (31 * halfLength + Double.hashCode(cutoff)) * 31 + Double.hashCode(beta);
        }
    }

    /** Kaiser shape of a {@link #secondStage} kernel: -143 dB or less over its stopband (computed). */
    static final double SECOND_STAGE_BETA = 15.0;

    /**
     * The kernel of the second stage of a two-stage upsampling from {@code inRate} (first doubled with the
     * Nyquist kernel) to {@code outRate}. Its input holds nothing above 0.55 {@code inRate} but the images of
     * the doubled rate, from 1.45 {@code inRate} up; so it passes up to 0.55 {@code inRate} flat within 2e-6 dB,
     * stops from 1.45 {@code inRate} at -143 dB or less, and has -6 dB at {@code inRate}: a transition of 0.9
     * {@code inRate}, which half-length {@code ceil(5.1 L / inRate)} lower-rate samples spans
     * ({@code L = min(2 inRate, outRate)}, the second stage's lower rate): 6 for 44100 to 48000, 11 for
     * 22050 to 48000.
     */
    static Shape secondStage(int inRate, int outRate) {
        long lower = Math.min(2L * inRate, outRate);
        int halfLength = (int) Math.ceil(5.1 * lower / inRate);
        return new Shape(halfLength, (double) inRate / lower, SECOND_STAGE_BETA);
    }

    /** Bytes held by this table's arrays. */
    long bytes() {
        return 8L * coefs.length + 4L * baseOffset.length
                + (coefs8 == null ? 0 : 4L * coefs8.length + 4L * order8.length + 4L * ownOrder8.length * ownOrder8[0].length);
    }

    /**
     * The kernel at {@link #FINE_PHASES} points per lower-rate sample, as rows for unit-spaced taps:
     * row {@code q + 1} (q = -1..FINE_PHASES + 1) holds {@code h(q / FINE_PHASES + HALF_LENGTH - 1 - j)} for
     * j = 0..2 * HALF_LENGTH - 1, so the taps of any fractional position are a quadratic blend of three
     * consecutive rows. Built once, on first use.
     */
    static double[] fineRows() {
        return FineRows.TABLE;
    }

    private static final class FineRows {
        static final double[] TABLE = build();

        private static double[] build() {
            int taps = 2 * HALF_LENGTH;
            double[] t = new double[(FINE_PHASES + 3) * taps];
            for (int q = -1; q <= FINE_PHASES + 1; q++) {
                for (int j = 0; j < taps; j++) {
                    t[(q + 1) * taps + j] = kernel((double) q / FINE_PHASES + HALF_LENGTH - 1 - j);
                }
            }
            return t;
        }
    }

    private static int window(int period, int span, int up, int down) {
        int widest = 0;
        for (int s0 = 0; s0 < period; s0 += LANES) {
            int last = Math.min(s0 + LANES, period) - 1;
            widest = Math.max(widest, (int) ((long) last * down / up - (long) s0 * down / up));
        }
        return 2 * span + widest;
    }

    private static long tableBytes(int period, int span, int up, int down) {
        long widest = ((long) (LANES - 1) * down + up - 1) / up;
        long groups = (period + LANES - 1) / LANES;
        return groups * LANES * (2L * span + widest) * 8L;
    }

    /** Integral of the raw kernel (its DC gain for any tap spacing), by a Riemann sum that is exact for a band-limited function. */
    private static double integral(double cutoff, int halfLength, double beta) {
        int steps = 64;
        double sum = 0.0;
        for (int m = -halfLength * steps + 1; m < halfLength * steps; m++) {
            sum += KaiserWindow.sinc((double) m / steps, cutoff, halfLength, beta);
        }
        return sum / steps;
    }

    static int gcd(int a, int b) {
        while (b != 0) {
            int t = a % b;
            a = b;
            b = t;
        }
        return a;
    }
}
