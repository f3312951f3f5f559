package io.pcmtrack.dsp;

import java.util.Arrays;
import java.util.Objects;

/**
 * Streaming band-limited sample-rate converter for interleaved float audio: a Kaiser-windowed sinc
 * polyphase filter. Small ratios (24000 to 48000, 8000 to 48000, 48000 to 16000, ...) are evaluated in
 * float, vectorised across outputs; all others in double, rounded to float once per output sample.
 *
 * <p><b>Filter.</b> A Kaiser-windowed sinc defined in samples of the lower of the two rates. The standard
 * kernel: 80 taps (half-length 40), Kaiser beta 14, -6 dB at 0.491 of the lower rate. Response: -0.013 dB at
 * 0.45 of the lower rate, -1 dB at 0.946 of the lower Nyquist, -135 dB or less from 0.55 of the lower rate
 * up, so the image (upsampling) or alias (downsampling) of any tone up to 0.45 of the lower rate is below
 * -135 dB. Small ratios ({@code up} and {@code down} at most 8, below) whose lower rate is 9.2 kHz or more
 * (24000, 16000, 32000 to and from 48000, 12000 to 48000, 22050 to 44100, ...) take the Nyquist kernel instead: 92 taps (half-length 46), beta 14.3, -6 dB at
 * exactly half the lower rate, so it is zero at every whole lower-rate sample but its centre: flat within
 * 1e-5 dB to 0.45 of the lower rate, -1 dB at 0.968 of the lower Nyquist, -138 dB or less from 0.55 up. An
 * output on an input sample is then that sample (times a centre tap within 1e-6 of 1), and a decimator's
 * taps on whole lower-rate samples vanish: 1.2 to 1.4 times faster at 2x, 1/2, 3/2 and 2/3. When downsampling the
 * kernel is stretched to the output rate and spans {@code 2 * half-length * in/out} input frames. Double sums are limited only by the float output (about -150 dB for a -1 dBFS tone);
 * float sums taken in the order below lose up to 7 dB of that (144.1 to 152.2 dB SINAD at 1 kHz).
 *
 * <p><b>Two stages.</b> Upsampling at a ratio off the block path (44100 to 48000, 22050 to 48000, 32000 to 44100,
 * 16000 to 22050, 12000 to 44100, 42000 to 48000, ...) from about 10.4 kHz up (below, the lookahead would pass
 * 5 ms) runs
 * in two: the input is doubled on the block path with the Nyquist kernel, then taken to the output rate on the
 * exact path with a short kernel ({@link FilterBank#secondStage}: half-length 6 to 11 lower-rate samples,
 * flat within 2e-6 dB to 0.55 of the input rate and -143 dB from 1.45 of it, where the doubled signal's first
 * image starts). The response is the Nyquist kernel's (-1 dB at 0.968 of the input Nyquist, images below
 * -146 dB); the lookahead is 46 plus half the second stage's span (52 input frames, within 5 ms, or one stage);
 * 22050 to 48000 runs 1.8 times as fast, 44100 to 48000 1.3 to 1.6 times. {@link #maxFinishFrames()} is then
 * the first stage's tail through the second plus the second's tail.
 *
 * <p><b>Phases.</b> Output {@code k} sits at input time {@code k * inRate / outRate} exactly: the kernel is
 * centred on it, nothing is shifted. With the ratio reduced to {@code up/down} there are {@code up}
 * fractional positions. When {@code up} and {@code down} are both at most 8 ({@link PhaseBlocks}), a block
 * of outputs (20 ms of input, at least 256 outputs per phase: {@link #callFrames()}) is computed phase by
 * phase, each multiply-add running across the block's outputs, in float: the taps are grouped by their input offset modulo 16 so that one copy of the input
 * serves five taps per pass, and the groups with the smallest taps come first so that the sums stay
 * small until the large central taps. Otherwise, when the table fits in 1 MiB (every common pair: 48000 to 44100 has 147
 * phases, 110 KB) each phase has its own exact coefficients, stored so that four consecutive outputs are
 * computed in one pass over the input. Otherwise (44101 to 48000, 7999 to 48000, ...) the coefficients
 * are a quadratic (3-point Lagrange) interpolation between samples of the kernel taken at 256 points per
 * lower-rate sample, one 166 KB table for all such ratios; the interpolation error is at most -141 dB
 * at 0.45 of the lower rate and falls 18 dB per octave below that. Such downsampling runs in transposed
 * form (each input is added into the outputs it reaches), which needs one interpolated row per input
 * instead of one per tap.
 *
 * <p><b>Delay.</b> {@link #delayFrames()} input frames of lookahead: the half-length when upsampling (40:
 * 5 ms at 8 kHz, 0.9 ms at 44.1 kHz; 46 with the Nyquist kernel: 1.9 ms at 24 kHz, 2.9 ms at 16 kHz, at most
 * 5 ms; rounding the span up adds under one input frame when downsampling, 5.01 ms at 24536 to 9201),
 * {@code ceil(half-length * in/out)} when downsampling (that many output periods). Input before the
 * start of a stream and, in {@link #finish}, after its end counts as zeros.
 *
 * <p><b>Memory.</b> Double coefficient tables are immutable and shared by all instances with the same
 * reduced ratio through a bounded cache ({@link FilterBank}). A small-ratio instance holds its own float
 * taps ({@code 96 * up * down} floats, zero where a phase has no tap: 0.8 KB for 24000 to 48000, 2.3 KB for
 * 8000 to 48000); its block scratch (one input row and {@code up} rows of sums, each as long as a block, plus
 * {@code down} input streams of a block and about 100 floats when downsampling: 6.4 KB for 24000 to 48000,
 * 8 KB for 48000 to 16000) is lent for the length of a call from a pool shared by all instances. An instance
 * holds a float history of {@code window + max(256, window)} frames per channel on the exact path (20 ms
 * instead of 256 with the Vector API's exact kernel) and {@code window + max(block, window)} on the block
 * path, where the window is 80 to 94 frames when upsampling and about {@code 2 * half-length * in/out} when
 * downsampling (1.4 KB per channel for 48000 to 44100, 2.4 KB for 24000 to 48000, 5 KB for 48000 to 16000);
 * in transposed form instead 336 pending double sums per channel (2.7 KB) and one 80-tap row. In
 * two stages an instance holds both stages; the signal between them (2,049 floats, 8 KB, per channel) is lent for
 * the length of a call from the same pool as the block scratch.
 *
 * <p><b>With the Vector API.</b> On a JVM started with {@code --add-modules jdk.incubator.vector} (an incubator
 * module, so never on by default) the small ratios and the exact path's ratios whose period is whole groups of
 * eight (44100 to 32000, the second stage of 44100 to 48000, ...) run kernels that keep their sums in registers:
 * 1.1 to 1.8 times as fast on the small ratios and about 1.5 times on the exact path (measured at 44100 to 48000
 * in one stage), with fused multiply-adds in float. The output then differs by float rounding (SINAD at 1 kHz
 * 147.8 to 153.1 dB on the small ratios, 144.4 dB at 44100 to 48000 in one stage), and a
 * non-finite sample on the exact path reaches up to seven frames past the kernel instead of three; everything
 * else above holds. {@code -Dio.pcmtrack.vector=false} keeps the default kernels; {@link #toString()} says
 * which run.
 *
 * <p><b>Use.</b> One thread at a time per instance. {@link #process} consumes all the input it is given
 * and writes every output frame that the input so far determines; {@link #finish} writes the tail of the
 * stream and makes the instance ready for the next one; {@link #reset} drops a stream. None of them
 * allocates. Output depends only on the input samples, not on how they were split into calls: for finite
 * input it is bit-identical for any chunking. A NaN or infinite sample spoils the outputs within the
 * kernel's reach. Equal rates copy the input through with no delay.
 */
public final class Resampler {
    /** Lowest accepted sample rate, Hz. */
    public static final int MIN_RATE = 1000;
    /** Highest accepted sample rate, Hz. */
    public static final int MAX_RATE = 768_000;
    /** Most channels per instance. */
    public static final int MAX_CHANNELS = 32;

    /** The filter a resampler runs. */
    public enum Quality {
        /**
         * The default, for any audio: SINAD above 140 dB at 1 kHz, images and aliases below -135 dB, -1 dB at
         * 0.946 to 0.968 of the lower Nyquist, at most 5 ms of lookahead (the class description).
         */
        STANDARD,
        /**
         * For speech at telephone rates, 1.5 to 2.1 times as fast as {@link #STANDARD} (8000 to 48000: 1.6-1.8):
         * a short Nyquist kernel (half-length 16, beta 10) with images and aliases of tones up to 0.4 of the
         * lower rate below -100 dB, flat within 0.0002 dB up to there and -1 dB at 0.922 of the lower Nyquist;
         * 2 ms of lookahead at 8 kHz, 1 ms at 16 kHz. It runs on the small ratios ({@code up} and {@code down}
         * at most 8) with a single input stream or enough taps per stream: 8000, 12000, 16000 and 24000 to and
         * from 48000, 8000 to and from 16000 and 24000. At any other ratio (44100 to 48000, 24000 to 16000,
         * 32000 to 48000, ...) a resampler asked for it runs {@link #STANDARD}; {@link Resampler#quality()}
         * tells which.
         */
        TELEPHONY
    }

    private static final int LANES = FilterBank.LANES;
    private static final int HALF = FilterBank.HALF_LENGTH;
    private static final int PHASES = FilterBank.FINE_PHASES;
    /** Free frames after each compaction: keeps the copying to at most about one sample per input sample. */
    private static final int HEADROOM = 256;

    private final int inRate;
    private final int outRate;
    private final int channels;
    /** Reduced ratio: {@code up} outputs per {@code down} inputs. */
    private final int up;
    private final int down;
    private final int span;
    private final boolean copy;
    private final Quality quality;
    /**
     * Two stages (44100 to 48000, 22050 to 48000, 32000 to 44100, 16000 to 22050, ...: upsampling off the block
     * path): the
     * input doubled by {@link #first} (the Nyquist kernel, block path), then {@link #second} (a short kernel,
     * {@link FilterBank#secondStage}, exact path) through an array of {@link #betweenLength} floats lent for
     * the call ({@link PhaseBlocks.Scratch#between}); else both null.
     */
    private final Resampler first;
    private final Resampler second;
    private final int betweenLength;
    /** Input frames passed to {@link #first} at a time: bounds {@link #betweenLength}. */
    private static final int STAGE_FRAMES = 1024;
    /** Whether the block path runs the Nyquist kernel ({@link FilterBank#nyquist}) instead of the standard one. */
    private final boolean nyquist;
    /** Small ratios: blocks of outputs computed across outputs, or null. */
    private final PhaseBlocks blocks;
    /**
     * The block path: the history has room for a whole block of rows ({@code rows * down} frames) and is
     * compacted as soon as a call's input does not fit, so that a call up to that size is computed as one
     * block. With 256 frames of room, compacted only when full, a 10 ms chunk at 48 kHz (480 frames) was cut
     * into two or three short blocks, each paying for its class copies and the vector loops' set-up:
     * 48000 to 24000 and to 16000 ran 1.3x faster whole. Upsampling ({@code down == 1}, the same room)
     * was left compacting when full while it ran the standard kernel at 16000 to 48000, where whole calls
     * measured 8 % slower; with the Nyquist kernel, side by side with libsoxr and alternating builds, whole
     * calls took 24000 to 48000 from 0.74-0.80 to 0.98-0.99 of libsoxr's speed, 16000 to 48000 from
     * 0.75-0.82 to 0.96-0.98, 8000 to 48000 from 0.44-0.51 to 0.62 and 8000 to 16000 from 0.48-0.51 to
     * 0.65-0.71. The exact path with the Vector API kernel, which computes four groups of eight outputs at once
     * and an output whose groups are not all ready alone, keeps room for 20 ms and computes whole calls too:
     * pieces of 256 frames left up to 31 single outputs each, and whole calls took 44100 to 48000 from 11.7-11.8
     * to 9.9-10.0 us per 10 ms call (both builds in one process). Without the kernel (groups of four, at most three single outputs a piece) the
     * gain measured 3.5 % for twice the memory per instance and track, so it keeps its 256 frames.
     */
    private final boolean wholeCalls;
    /** Exact coefficients, or null: then {@link #blocks} or {@link #fine} rows. */
    private final FilterBank bank;
    private final double[] fine;
    /** Downsampling off the fine rows: each input is scattered into the outputs it reaches. */
    private final boolean scatter;
    private final int capacity;
    /** Gathering (all but scatter): planar input history, channel c's frames at {@code [c * capacity, c * capacity + fill)}. */
    private final float[] history;
    /** Scatter: planar partial sums of outputs {@code pendingStart..}, channel c's at {@code [c * capacity, ..)}. */
    private final double[] pending;
    /** Scatter: one input's taps. */
    private final double[] row;
    /** Exact path with the Vector API ({@link FilterBank#coefs8}): up to four groups' windows and their sums; else null. */
    private final int[] windows8;
    private final float[] sums8;
    /**
     * {@link VectorKernels#EXACT} and {@link VectorKernels#EXACT1}, held in fields so that C2 does not inline them
     * into {@link #gatherExact8}: inlined there, the Vector API's calls inside them were left to its slow Java
     * code (a profile found 38 % of the time in {@code FloatVector.intoArray} alone), where compiled on
     * their own they run as vector instructions.
     */
    private final java.lang.invoke.MethodHandle exact4;
    private final java.lang.invoke.MethodHandle exact1;

    private long totalIn;
    private long produced;
    /** Gathering: input frame held at {@code history[c * capacity]}, and frames held per channel. */
    private long histStart;
    private int fill;
    /** Exact: input frame where the current period of outputs starts, and the position in that period. */
    private long periodBase;
    private int pos;
    /** Fine upsampling: input time of the next output, {@code base + phase / up}. */
    private long base;
    private int phase;
    /** Scatter: output time of the next input, {@code inputTime + inputPhase / down}. */
    private long inputTime;
    private int inputPhase;
    private long pendingStart;

    /**
     * @param inRate   input sample rate, {@value #MIN_RATE}..{@value #MAX_RATE} Hz
     * @param outRate  output sample rate, {@value #MIN_RATE}..{@value #MAX_RATE} Hz
     * @param channels interleaved channels, 1..{@value #MAX_CHANNELS}
     * @throws IllegalArgumentException naming the first value out of range and the range
     */
    public Resampler(int inRate, int outRate, int channels) {
        this(inRate, outRate, channels, Quality.STANDARD);
    }

    /**
     * @param inRate   input sample rate, {@value #MIN_RATE}..{@value #MAX_RATE} Hz
     * @param outRate  output sample rate, {@value #MIN_RATE}..{@value #MAX_RATE} Hz
     * @param channels interleaved channels, 1..{@value #MAX_CHANNELS}
     * @param quality  the filter wanted; {@link Quality#TELEPHONY} only where it is served ({@link #quality()})
     * @throws IllegalArgumentException naming the first value out of range and the range
     * @throws NullPointerException     if {@code quality} is null
     */
    public Resampler(int inRate, int outRate, int channels, Quality quality) {
        this(inRate, outRate, channels, quality, null);
    }

    /**
     * With {@code exactShape}: the exact path with that kernel, for the second stage of a two-stage
     * conversion; otherwise the choice described in the class comment.
     */
    private Resampler(int inRate, int outRate, int channels, Quality quality, FilterBank.Shape exactShape) {
        Objects.requireNonNull(quality, "quality");
        checkRate("inRate", inRate);
        checkRate("outRate", outRate);
        if (channels < 1 || channels > MAX_CHANNELS) {
            throw new IllegalArgumentException("channels must be 1.." + MAX_CHANNELS + ", got " + channels);
        }
        this.inRate = inRate;
        this.outRate = outRate;
        this.channels = channels;
        int g = FilterBank.gcd(inRate, outRate);
        this.up = outRate / g;
        this.down = inRate / g;
        this.copy = inRate == outRate;
        boolean telephony = exactShape == null && quality == Quality.TELEPHONY && !copy
                && PhaseBlocks.serves(up, down, 2 * FilterBank.span(up, down, FilterBank.TELEPHONY_HALF_LENGTH));
        this.quality = copy ? quality : telephony ? Quality.TELEPHONY : Quality.STANDARD;
        // Block-path ratios take the Nyquist kernel where its lookahead stays within 5 ms (a lower rate of
        // 9.2 kHz or more): a phase on an input sample is then one tap, and a decimator's taps on a whole
        // lower-rate sample vanish (at 1/2 every even input residue but the centre).
        boolean singleNyquist = exactShape == null && !copy && !telephony
                && FilterBank.NYQUIST_HALF_LENGTH * 200L <= Math.min(inRate, outRate)
                && PhaseBlocks.serves(up, down, 2 * FilterBank.span(up, down, FilterBank.NYQUIST_HALF_LENGTH));
        FilterBank.Shape stage2 = exactShape == null && !copy && !telephony && !singleNyquist
                && !PhaseBlocks.serves(up, down, 2 * FilterBank.span(up, down, FilterBank.HALF_LENGTH))
                ? twoStageShape(inRate, outRate) : null;
        if (stage2 != null) {
            // Doubled with the Nyquist kernel on the block path, then the rest with a short kernel.
            this.first = new Resampler(inRate, 2 * inRate, channels);
            this.second = new Resampler(2 * inRate, outRate, channels, Quality.STANDARD, stage2);
            this.betweenLength = Math.max(first.maxOutputFrames(STAGE_FRAMES), first.maxFinishFrames()) * channels;
            this.nyquist = true;
            this.span = first.span + (second.span + 1) / 2;
            this.blocks = null;
            this.wholeCalls = false;
            this.bank = null;
            this.fine = null;
            this.scatter = false;
            this.capacity = 0;
            this.history = null;
            this.pending = null;
            this.row = null;
            this.windows8 = null;
            this.sums8 = null;
            this.exact4 = null;
            this.exact1 = null;
            return;
        }
        this.first = null;
        this.second = null;
        this.betweenLength = 0;
        this.nyquist = singleNyquist;
        int halfLength = exactShape != null ? exactShape.halfLength : telephony ? FilterBank.TELEPHONY_HALF_LENGTH
                : nyquist ? FilterBank.NYQUIST_HALF_LENGTH : FilterBank.HALF_LENGTH;
        this.span = copy ? 0 : FilterBank.span(up, down, halfLength);
        this.blocks = copy || exactShape != null || !PhaseBlocks.serves(up, down, 2 * span) ? null
                : new PhaseBlocks(up, down, span,
                        telephony ? FilterBank::telephony : nyquist ? FilterBank::nyquist : FilterBank::kernel,
                        PhaseBlocks.rows(inRate, down));
        this.bank = copy || blocks != null ? null
                : FilterBank.exact(up, down, exactShape != null ? exactShape : FilterBank.Shape.STANDARD);
        if (exactShape != null && bank == null) {
            // twoStageShape checked that the table fits: the fine rows hold the standard kernel only
            throw new IllegalStateException("no exact table for the second stage " + up + "/" + down);
        }
        this.wholeCalls = blocks != null || bank != null && bank.coefs8 != null;
        this.fine = copy || blocks != null || bank != null ? null : FilterBank.fineRows();
        this.scatter = fine != null && down > up;
        if (copy) {
            capacity = 0;
        } else if (scatter) {
            capacity = 2 * HALF + HEADROOM;
        } else {
            int window = bank != null ? bank.window : blocks != null ? 2 * span + down : 2 * span;
            capacity = window + Math.max(room(), window);
        }
        int overread = blocks != null ? blocks.overread() : 0;
        this.history = copy || scatter ? null : new float[capacity * channels + overread];
        this.pending = scatter ? new double[capacity * channels] : null;
        this.row = scatter ? new double[2 * HALF] : null;
        this.windows8 = bank != null && bank.coefs8 != null ? new int[4] : null;
        this.sums8 = windows8 != null ? new float[4 * FilterBank.LANES8] : null;
        this.exact4 = windows8 != null ? VectorKernels.EXACT : null;
        this.exact1 = windows8 != null ? VectorKernels.EXACT1 : null;
        reset();
    }

    /**
     * The second stage's kernel if {@code inRate -> outRate} runs in two stages, else null: upsampling off the
     * block path, from a rate whose doubling takes the Nyquist kernel, with the second stage's table exact and
     * the whole lookahead within 5 ms (22050 to 48000: 52 input frames, 2.4 ms).
     */
    private static FilterBank.Shape twoStageShape(int inRate, int outRate) {
        // Two stages pay from small ratios up: per 10 ms call 44100 to 48000 measured 12.0-13.0 us against
        // 16.4-17.6 in one stage, 46000 to 48000 9.4-9.7 against 14.1-17.7, 32000 to 39000 10.1-10.7 against
        // 11.8-15.3 (the same sitting; 22050 to 48000 earlier 8.6-10.2 against 13.7-17.0).
        if (outRate <= inRate || 2L * inRate > MAX_RATE || FilterBank.NYQUIST_HALF_LENGTH * 200L > inRate) {
            return null;
        }
        FilterBank.Shape shape = FilterBank.secondStage(inRate, outRate);
        int g = FilterBank.gcd(2 * inRate, outRate);
        int up2 = outRate / g;
        int down2 = 2 * inRate / g;
        int delay = FilterBank.NYQUIST_HALF_LENGTH + (FilterBank.span(up2, down2, shape.halfLength) + 1) / 2;
        if (delay * 200L > inRate || FilterBank.exact(up2, down2, shape) == null) {
            return null;
        }
        return shape;
    }

    private static void checkRate(String name, int rate) {
        if (rate < MIN_RATE || rate > MAX_RATE) {
            throw new IllegalArgumentException(name + " must be " + MIN_RATE + ".." + MAX_RATE + " Hz, got " + rate);
        }
    }

    /** Input sample rate, Hz. */
    public int inRate() {
        return inRate;
    }

    /** Output sample rate, Hz. */
    public int outRate() {
        return outRate;
    }

    /** Interleaved channels in and out. */
    public int channels() {
        return channels;
    }

    /**
     * Lookahead in input frames: the output at input time {@code t} is written once input frame
     * {@code floor(t) + delayFrames()} (counting from 0) has been given. 0 for equal rates.
     */
    public int delayFrames() {
        return span;
    }

    /**
     * Input frames per call that this instance computes in one go, a hint for callers that choose how to cut
     * their input (the output never depends on it). On the small ratios ({@code up} and {@code down} at most 8)
     * a call is one block of rows when it holds at most this many frames: 20 ms of input (at most 1,024 frames)
     * and at least 256 outputs per phase (512 at 24000 to 48000, 960 at 48000 to 16000); each block pays for its copies and the set-up
     * of every pass, so a 20 ms write cut in two costs 12 to 40 % more. Otherwise the history's free room: 20 ms
     * on the exact path when its Vector API kernel runs (882 frames at 44100 to 32000), else 256 frames, where
     * the size of a call changes little. Equal rates: 256.
     */
    public int callFrames() {
        return first != null ? first.callFrames() : room();
    }

    /** Free frames after a compaction: a whole block, 20 ms for the exact path's Vector API kernel, else {@link #HEADROOM}. */
    private int room() {
        if (blocks != null) {
            return blocks.rows() * down;
        }
        return wholeCalls ? Math.max(HEADROOM, PhaseBlocks.callInput(inRate)) : HEADROOM;
    }

    /**
     * Most frames {@link #process} returns for {@code inFrames} input frames:
     * {@code floor(inFrames * outRate / inRate) + 1}, or {@code inFrames} for equal rates.
     *
     * @throws IllegalArgumentException if {@code inFrames} is negative or the bound times the channel
     *                                  count exceeds {@link Integer#MAX_VALUE}
     */
    public int maxOutputFrames(int inFrames) {
        if (inFrames < 0) {
            throw new IllegalArgumentException("inFrames must be >= 0, got " + inFrames);
        }
        long frames = copy ? inFrames : (long) inFrames * outRate / inRate + 1;
        if (frames * channels > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("inFrames too large: " + inFrames);
        }
        return (int) frames;
    }

    /**
     * The filter this instance runs: the one asked for, except that {@link Quality#TELEPHONY} at a ratio it
     * does not serve runs {@link Quality#STANDARD}.
     */
    public Quality quality() {
        return quality;
    }

    /**
     * The conversion and how it runs, for logs: for example {@code Resampler[44100 -> 48000 Hz, 1 ch, two
     * stages: x2 Nyquist kernel, then x80/147 short kernel, exact, lookahead 52 frames]}.
     */
    @Override
    public String toString() {
        String how;
        if (copy) {
            how = "copy";
        } else if (first != null) {
            how = "two stages: x2 Nyquist kernel" + (PhaseBlocks.VECTOR ? " (Vector API)" : "") + ", then x" + second.up
                    + "/" + second.down + " short kernel" + (second.bank.coefs8 != null ? ", exact (Vector API)" : ", exact");
        } else {
            String kernel = quality == Quality.TELEPHONY ? "telephony kernel" : nyquist ? "Nyquist kernel" : "standard kernel";
            how = "x" + up + "/" + down + " " + kernel + (blocks != null ? (PhaseBlocks.VECTOR ? ", blocks (Vector API)" : ", blocks")
                    : bank != null ? (bank.coefs8 != null ? ", exact (Vector API)" : ", exact") : ", interpolated");
        }
        return "Resampler[" + inRate + " -> " + outRate + " Hz, " + channels + " ch, " + how + ", lookahead " + span + " frames]";
    }

    /** Whether this ratio runs in two stages (doubled, then a short kernel). */
    boolean twoStage() {
        return first != null;
    }

    /** Whether this ratio runs the Nyquist kernel (block-path ratios with a lower rate of 9.2 kHz or more). */
    boolean nyquist() {
        return nyquist;
    }

    /**
     * Most frames {@link #finish} writes: {@code ceil(delayFrames() * outRate / inRate)}; in two stages (class
     * comment) what the second writes from the first's tail plus its own (113 for 22050 to 48000, against 57 by the
     * formula).
     */
    public int maxFinishFrames() {
        if (first != null) {
            return second.maxOutputFrames(first.maxFinishFrames()) + second.maxFinishFrames();
        }
        return (int) (((long) span * outRate + inRate - 1) / inRate);
    }

    /**
     * Consumes {@code inFrames} interleaved frames from {@code in[inOffset..]} and writes every output frame
     * they complete, interleaved, to {@code out[outOffset..]}. The two ranges must not overlap.
     *
     * @return frames written, at most {@link #maxOutputFrames(int) maxOutputFrames(inFrames)}
     * @throws IndexOutOfBoundsException if the input range is outside {@code in}, or {@code out} has fewer
     *                                   than {@code maxOutputFrames(inFrames) * channels()} floats from
     *                                   {@code outOffset}; nothing is consumed then
     */
    public int process(float[] in, int inOffset, int inFrames, float[] out, int outOffset) {
        int room = maxOutputFrames(inFrames) * channels;
        Objects.checkFromIndexSize(inOffset, inFrames * channels, in.length);
        Objects.checkFromIndexSize(outOffset, room, out.length);
        return run(in, inOffset, inFrames, out, outOffset);
    }

    /** {@link #process} after its checks; a second stage is given exactly what the first wrote. */
    private int run(float[] in, int inOffset, int inFrames, float[] out, int outOffset) {
        if (copy) {
            System.arraycopy(in, inOffset, out, outOffset, inFrames * channels);
            return inFrames;
        }
        if (first != null) {
            PhaseBlocks.Scratch scratch = PhaseBlocks.Scratch.POOL.take();
            try {
                float[] between = scratch.between(betweenLength);
                int written = 0;
                for (int done = 0; done < inFrames; ) {
                    int n = Math.min(STAGE_FRAMES, inFrames - done);
                    int mid = first.run(in, inOffset + done * channels, n, between, 0);
                    written += second.run(between, 0, mid, out, outOffset + written * channels);
                    done += n;
                }
                return written;
            } finally {
                PhaseBlocks.Scratch.POOL.give(scratch);
            }
        }
        if (scatter) {
            return scatter(in, inOffset, inFrames, out, outOffset);
        }
        int written = 0;
        int consumed = 0;
        while (consumed < inFrames) {
            if (fill == capacity || wholeCalls && capacity - fill < inFrames - consumed) {
                compactHistory();
            }
            int n = Math.min(inFrames - consumed, capacity - fill);
            append(in, inOffset + consumed * channels, n);
            consumed += n;
            totalIn += n;
            written += gather(out, outOffset + written * channels, Long.MAX_VALUE);
        }
        return written;
    }

    /**
     * Ends the stream: writes the outputs still owed, computed as if zeros followed the input, so that the
     * frames written since construction or the last {@link #reset()}/{@code finish()} total exactly
     * {@code round(totalIn * outRate / inRate)} (halves rounded up); then resets.
     *
     * @return frames written, at most {@link #maxFinishFrames()}
     * @throws IndexOutOfBoundsException if {@code out} has fewer than {@code maxFinishFrames() * channels()}
     *                                   floats from {@code outOffset}; the state is kept then
     */
    public int finish(float[] out, int outOffset) {
        Objects.checkFromIndexSize(outOffset, maxFinishFrames() * channels, out.length);
        if (copy) {
            return 0;
        }
        if (first != null) {
            PhaseBlocks.Scratch scratch = PhaseBlocks.Scratch.POOL.take();
            try {
                float[] between = scratch.between(betweenLength);
                int mid = first.finish(between, 0);
                int written = second.run(between, 0, mid, out, outOffset);
                written += second.finish(out, outOffset + written * channels);
                reset();
                return written;
            } finally {
                PhaseBlocks.Scratch.POOL.give(scratch);
            }
        }
        long owed = totalIn / down * up + ((totalIn % down) * 2 * up + down) / (2L * down);
        int written;
        if (scatter) {
            // zeros add nothing: the pending sums are already final
            written = emit(out, outOffset, owed);
        } else {
            written = 0;
            while (produced < owed) {
                if (fill == capacity) {
                    compactHistory();
                }
                for (int c = 0; c < channels; c++) {
                    Arrays.fill(history, c * capacity + fill, (c + 1) * capacity, 0f);
                }
                fill = capacity;
                written += gather(out, outOffset + written * channels, owed);
            }
        }
        reset();
        return written;
    }

    /** Forgets all input and position: the next {@link #process} starts a new stream, as on a new instance. */
    public void reset() {
        if (copy) {
            return;
        }
        if (first != null) {
            first.reset();
            second.reset();
            return;
        }
        totalIn = 0;
        produced = 0;
        if (scatter) {
            Arrays.fill(pending, 0.0);
            // outputs before the stream start take the first inputs' contributions and are never written
            pendingStart = 1 - HALF;
            inputTime = 0;
            inputPhase = 0;
            return;
        }
        Arrays.fill(history, 0f);
        histStart = 1 - span;
        fill = span - 1;
        periodBase = 0;
        pos = 0;
        base = 0;
        phase = 0;
    }

    private void append(float[] in, int offset, int frames) {
        if (channels == 1) {
            System.arraycopy(in, offset, history, fill, frames);
        } else {
            for (int c = 0; c < channels; c++) {
                int h = c * capacity + fill;
                for (int f = 0, i = offset + c; f < frames; f++, i += channels) {
                    history[h + f] = in[i];
                }
            }
        }
        fill += frames;
    }

    /** Drops the frames no future output reads, moving the rest to the front. */
    private void compactHistory() {
        long first = blocks != null ? produced / up * down : bank != null ? periodBase + bank.baseOffset[pos] : base;
        long oldest = first - span + 1;
        int drop = (int) (oldest - histStart);
        for (int c = 0; c < channels; c++) {
            int h = c * capacity;
            System.arraycopy(history, h + drop, history, h, fill - drop);
        }
        fill -= drop;
        histStart = oldest;
    }

    /** Writes every output whose taps the history holds, up to a total of {@code limit} since reset. */
    private int gather(float[] out, int outOffset, long limit) {
        if (blocks != null) {
            return gatherBlocks(out, outOffset, limit);
        }
        if (bank == null) {
            return gatherFine(out, outOffset, limit);
        }
        return sums8 != null ? gatherExact8(out, outOffset, limit) : gatherExact(out, outOffset, limit);
    }

    /**
     * Small ratios: every ready output in blocks of whole rows (one output of each phase per row). A row's
     * outputs past the ready ones are computed too, from whatever the history holds after its fill, and
     * dropped; they are computed again, from the input, once it has arrived.
     */
    private int gatherBlocks(float[] out, int outOffset, long limit) {
        // output k is ready once frame floor(k * down / up) + span is held
        long newest = histStart + fill - 1 - span;
        long ready = newest < 0 ? 0 : ((newest + 1) * up - 1) / down + 1;
        long end = Math.min(ready, limit);
        int written = 0;
        if (produced >= end) {
            return 0;
        }
        blocks.acquire();
        try {
            while (produced < end) {
                long n0 = produced / up;
                long n1 = Math.min((end + up - 1) / up, n0 + blocks.rows());
                int count = (int) (n1 - n0);
                int n = (int) (Math.min(end, n1 * up) - produced);
                int x0 = (int) (n0 * down - span + 1 - histStart);
                int first = (int) (produced - n0 * up);
                for (int c = 0; c < channels; c++) {
                    blocks.compute(history, c * capacity + x0, c * capacity + fill, count);
                    blocks.write(first, n, out, outOffset + written * channels + c, channels);
                }
                written += n;
                produced += n;
            }
        } finally {
            blocks.release();
        }
        return written;
    }

    private int gatherExact(float[] out, int outOffset, long limit) {
        FilterBank b = bank;
        double[] k = b.coefs;
        int[] baseOffset = b.baseOffset;
        float[] h = history;
        int window = b.window;
        int period = b.period;
        int advance = (int) b.periodAdvance;
        int taps = 2 * span;
        int ch = channels;
        int cap = capacity;
        int held = fill;
        int s = pos;
        long done = produced;
        // window start of position 0 of the current period, as an index into each channel's history
        int periodStart = (int) (periodBase - histStart) - span + 1;
        int o = outOffset;
        while (done < limit) {
            int x = periodStart + baseOffset[s];
            int lanes = Math.min(LANES, period - s);
            if ((s & (LANES - 1)) == 0 && x + window <= held && done + lanes <= limit) {
                int co = s * window;
                for (int c = 0; c < ch; c++) {
                    group(k, co, h, c * cap + x, window, out, o + c, ch, lanes);
                }
            } else if (x + taps <= held) {
                lanes = 1;
                int first = s & -LANES;
                int co = first * window + (baseOffset[s] - baseOffset[first]) * LANES + (s - first);
                for (int c = 0; c < ch; c++) {
                    out[o + c] = (float) strided(k, co, h, c * cap + x, taps);
                }
            } else {
                break;
            }
            done += lanes;
            o += lanes * ch;
            s += lanes;
            if (s == period) {
                s = 0;
                periodStart += advance;
            }
        }
        return endExact(done, s, periodStart);
    }

    /**
     * {@link #gatherExact} with the Vector API: groups of eight outputs ({@link FilterBank#coefs8}), up to four
     * groups at once, each output a chain of float fused multiply-adds over its group's window in
     * {@link FilterBank#order8}. An output whose group is not ready as a whole is computed alone by the same
     * chain over its own taps (the group adds only exact zeros besides), so the output does not depend on how
     * the input was split into calls.
     */
    private int gatherExact8(float[] out, int outOffset, long limit) {
        FilterBank b = bank;
        float[] k = b.coefs8;
        int[] order = b.order8;
        int[] baseOffset = b.baseOffset;
        float[] h = history;
        int w = b.window8;
        int lanes = FilterBank.LANES8;
        int period = b.period;
        int advance = (int) b.periodAdvance;
        int taps = 2 * span;
        int ch = channels;
        int cap = capacity;
        int held = fill;
        int s = pos;
        long done = produced;
        int periodStart = (int) (periodBase - histStart) - span + 1;
        int o = outOffset;
        while (done < limit) {
            int groups = 0;
            if (s % lanes == 0) {
                while (groups < 4 && s + (groups + 1) * lanes <= period && done + (groups + 1) * lanes <= limit
                        && periodStart + baseOffset[s + groups * lanes] + w <= held) {
                    groups++;
                }
            }
            int n;
            if (groups > 0) {
                n = groups * lanes;
                for (int c = 0; c < ch; c++) {
                    for (int g = 0; g < groups; g++) {
                        windows8[g] = c * cap + periodStart + baseOffset[s + g * lanes];
                    }
                    exact8(k, s * w, w * lanes, order, w, h, groups);
                    for (int i = 0; i < n; i++) {
                        out[o + i * ch + c] = sums8[i];
                    }
                }
            } else {
                int first = s - s % lanes;
                int delta = baseOffset[s] - baseOffset[first];
                int x = periodStart + baseOffset[first];
                if (x + delta + taps > held) {
                    break;
                }
                n = 1;
                int co = first * w + s % lanes;
                int[] own = b.ownOrder8[delta];
                for (int c = 0; c < ch; c++) {
                    float a = 0f;
                    int xc = c * cap + x;
                    for (int i : own) {
                        a = Math.fma(k[co + i * lanes], h[xc + i], a);
                    }
                    out[o + c] = a;
                }
            }
            done += n;
            o += n * ch;
            s += n;
            if (s == period) {
                s = 0;
                periodStart += advance;
            }
        }
        return endExact(done, s, periodStart);
    }

    /**
     * Ends a pass of {@link #gatherExact} or {@link #gatherExact8}: stores how far it got (outputs {@code done},
     * position {@code s} in the period, whose first window starts at history index {@code periodStart}).
     *
     * @return outputs written by the pass
     */
    private int endExact(long done, int s, int periodStart) {
        int written = (int) (done - produced);
        produced = done;
        pos = s;
        periodBase = histStart + periodStart + span - 1;
        return written;
    }

    /** {@code groups} (1 to 4) groups of eight from {@link #windows8} into {@link #sums8}, through {@code VectorBlocks}. */
    private void exact8(float[] k, int co, int step, int[] order, int window, float[] h, int groups) {
        try {
            if (groups == 4) {
                exact4.invokeExact(k, co, step, order, window, h, windows8, sums8);
            } else {
                for (int g = 0; g < groups; g++) {
                    exact1.invokeExact(k, co + g * step, order, window, h, windows8[g], sums8, 8 * g);
                }
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    /** Four outputs from one window: coefficients tap-major, lane-minor; one load of x feeds four independent sums. */
    private static void group(double[] k, int co, float[] h, int x, int window,
                              float[] out, int o, int stride, int lanes) {
        double a0 = 0.0;
        double a1 = 0.0;
        double a2 = 0.0;
        double a3 = 0.0;
        for (int i = 0, j = co; i < window; i++, j += LANES) {
            double v = h[x + i];
            a0 += k[j] * v;
            a1 += k[j + 1] * v;
            a2 += k[j + 2] * v;
            a3 += k[j + 3] * v;
        }
        out[o] = (float) a0;
        if (lanes > 1) {
            out[o + stride] = (float) a1;
            if (lanes > 2) {
                out[o + 2 * stride] = (float) a2;
                if (lanes > 3) {
                    out[o + 3 * stride] = (float) a3;
                }
            }
        }
    }

    /**
     * One lane of a group over its own taps only. Equal to that lane of {@link #group} bit for bit on
     * finite input: the group adds only exact zeros besides, and a sum started at +0 is never -0.
     */
    private static double strided(double[] k, int co, float[] h, int x, int taps) {
        double a = 0.0;
        for (int i = 0; i < taps; i++) {
            a += k[co + i * LANES] * h[x + i];
        }
        return a;
    }

    private int gatherFine(float[] out, int outOffset, long limit) {
        int taps = 2 * span;
        long end = histStart + fill;
        int written = 0;
        while (produced < limit) {
            long start = base - span + 1;
            if (start + taps > end) {
                break;
            }
            double g = (double) phase / up * PHASES;
            double q = Math.rint(g);
            double d = g - q;
            double w0 = 0.5 * d * (d - 1);
            double w1 = 1 - d * d;
            double w2 = 0.5 * d * (d + 1);
            int r = (int) q * taps;
            int x = (int) (start - histStart);
            int o = outOffset + written * channels;
            for (int c = 0; c < channels; c++) {
                out[o + c] = (float) blended(fine, r, taps, w0, w1, w2, history, c * capacity + x);
            }
            written++;
            produced++;
            phase += down % up;
            base += down / up;
            if (phase >= up) {
                phase -= up;
                base++;
            }
        }
        return written;
    }

    /**
     * Upsampling off the exact table: the taps are unit-spaced kernel samples, so the output is a quadratic
     * (3-point Lagrange) blend of the dot products with the three fine rows nearest the phase, all three
     * summed in one pass over the input.
     */
    private static double blended(double[] t, int r, int taps, double w0, double w1, double w2, float[] h, int x) {
        double a0 = 0.0;
        double a1 = 0.0;
        double a2 = 0.0;
        for (int i = 0; i < taps; i++) {
            double v = h[x + i];
            a0 += t[r + i] * v;
            a1 += t[r + taps + i] * v;
            a2 += t[r + 2 * taps + i] * v;
        }
        return w0 * a0 + w1 * a1 + w2 * a2;
    }

    /**
     * Downsampling off the exact table, in transposed form: input {@code n} lies at output time
     * {@code w = n * out/in} and adds {@code r h(o - w) x[n]} to the 80 outputs {@code o} within the kernel's
     * reach. Those taps are unit-spaced in output samples, so one quadratic blend of three fine rows gives
     * them all, where gathering would need a separate interpolation for each of {@code 80 * in/out} taps.
     * An output is final, and written, once the inputs have moved past its reach. Each pending sum adds its
     * inputs in arrival order, so chunking does not change it.
     */
    private int scatter(float[] in, int inOffset, int inFrames, float[] out, int outOffset) {
        int taps = 2 * HALF;
        double gain = (double) up / down;
        double[] t = fine;
        double[] k = row;
        double[] p = pending;
        int written = 0;
        for (int f = 0; f < inFrames; f++) {
            long first = inputTime - HALF + 1;
            if (first - pendingStart + taps > capacity) {
                written += emit(out, outOffset + written * channels, first);
                compactPending();
            }
            double g = (double) inputPhase / down * PHASES;
            double q = Math.rint(g);
            double d = g - q;
            double w0 = 0.5 * d * (d - 1);
            double w1 = 1 - d * d;
            double w2 = 0.5 * d * (d + 1);
            int r = (int) q * taps;
            for (int j = 0; j < taps; j++) {
                k[j] = w0 * t[r + j] + w1 * t[r + taps + j] + w2 * t[r + 2 * taps + j];
            }
            int a = (int) (first - pendingStart);
            for (int c = 0; c < channels; c++) {
                double v = gain * in[inOffset + f * channels + c];
                int o = c * capacity + a;
                for (int j = 0; j < taps; j++) {
                    p[o + j] += k[j] * v;
                }
            }
            inputPhase += up;
            if (inputPhase >= down) {
                inputPhase -= down;
                inputTime++;
            }
        }
        totalIn += inFrames;
        written += emit(out, outOffset + written * channels, inputTime - HALF + 1);
        return written;
    }

    /** Scatter: writes the pending outputs before {@code upTo}. */
    private int emit(float[] out, int outOffset, long upTo) {
        if (upTo <= produced) {
            return 0;
        }
        int n = (int) (upTo - produced);
        int from = (int) (produced - pendingStart);
        for (int c = 0; c < channels; c++) {
            int src = c * capacity + from;
            for (int i = 0, o = outOffset + c; i < n; i++, o += channels) {
                out[o] = (float) pending[src + i];
            }
        }
        produced = upTo;
        return n;
    }

    /** Scatter: moves the unwritten sums to the front and clears the space behind them. */
    private void compactPending() {
        int drop = (int) (produced - pendingStart);
        for (int c = 0; c < channels; c++) {
            int o = c * capacity;
            System.arraycopy(pending, o + drop, pending, o, capacity - drop);
            Arrays.fill(pending, o + capacity - drop, o + capacity, 0.0);
        }
        pendingStart = produced;
    }
}
