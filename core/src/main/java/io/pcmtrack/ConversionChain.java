package io.pcmtrack;

import io.pcmtrack.dsp.ChannelMixer;
import io.pcmtrack.dsp.Resampler;
import io.pcmtrack.dsp.SampleCodec;
import io.pcmtrack.dsp.ScratchPool;

/**
 * Streaming conversion from one input format to an output rate and channel count: decode to
 * float, map channels, resample. Works through the input in pieces of {@link #CHUNK_FRAMES} frames, or when
 * it resamples of 20 ms or the resampler's {@link Resampler#callFrames()}, whichever is less (at least
 * {@link #CHUNK_FRAMES}, at most {@link #MAX_RESAMPLE_CHUNK_FRAMES}), so that its scratch arrays are small; they
 * are borrowed for each call from a pool shared by all chains ({@link Scratch}), or the chain's own for a track
 * whose writer may wait, and a steady stream allocates nothing. On the resampler's small ratios that is 20 ms: a 20 ms
 * write is then one block of the resampler's, where pieces of 256 frames cut it in two (a 24 kHz track's frame
 * cost 14 % more, a 48 kHz one's into 16 kHz 40 % more).
 *
 * <p>Channels are mapped before resampling when they decrease and after when they increase, so
 * the resampler always runs on the smaller count. A 16-bit input with the output rate goes
 * through an exact integer path (no float round trip). The resampler is the only state kept between
 * calls; it lives until {@link #reset()} or {@link #finish}.
 *
 * <p>Converted float output saturates at {@code ±Float.MAX_VALUE} (NaN becomes 0): a mix or a
 * filter sum of near-{@code Float.MAX_VALUE} samples would otherwise come out infinite. Integer
 * outputs clip to full scale as always.
 *
 * <p>The length of a stream is known ahead of its samples: {@link #outputFor} tells how many
 * output frames a chunk adds to the stream ({@code floor(in * outRate / inRate)} so far), and
 * {@link #finishExtra} what {@link #finish} adds on top (0 or 1: the total is rounded).
 */
final class ConversionChain {
    static final int CHUNK_FRAMES = 256;
    /** Most frames per piece when resampling (20 ms at 48 kHz is 960). */
    static final int MAX_RESAMPLE_CHUNK_FRAMES = 1024;

    /** Receives converted interleaved samples in the output's channel layout. */
    interface Output {
        /**
         * Returns false to stop the conversion (the rest of the input is abandoned). A chain that encodes to 16
         * bits ({@code integerOut}) hands over floats already clamped and scaled by
         * {@link SampleCodec#scaleForS16}, to be rounded with {@link SampleCodec#encodeScaled}.
         */
        boolean accept(float[] samples, int offset, int count) throws InterruptedException;

        boolean accept(short[] samples, int offset, int count) throws InterruptedException;
    }

    private final PcmFormat input;
    private final int outChannels;
    private final int inChannels;
    private final Resampler resampler;
    private final boolean integerPath;
    /** The output is encoded to 16 bits, which clips and maps NaN to 0 itself: no saturation pass. */
    private final boolean integerOut;
    /** Lengths of the arrays a call works in ({@link Scratch}); 0 where this chain needs none. */
    private final int decodedLength;
    private final int downmixedLength;
    private final int resampledLength;
    private final int upmixedLength;
    private final int shortsLength;
    /** This chain's own arrays when it does not borrow them from {@link Scratch}'s pool, else null. */
    private final Scratch own;
    /** Input frames per piece. */
    private final int chunk;
    private boolean pending;
    /** Input frames of the current stream, since the last reset or finish. */
    private long streamInput;
    /** Reduced rate ratio: {@code up} output frames per {@code down} input frames. */
    private final long up;
    private final long down;

    /**
     * @param input      format of the chunks this converter will see
     * @param outRate    output sample rate
     * @param outChannels output channel count
     * @param integerOut true if the sink keeps 16-bit samples (enables the exact integer path)
     */
    ConversionChain(PcmFormat input, int outRate, int outChannels, boolean integerOut) {
        this(input, outRate, outChannels, integerOut, Resampler.Quality.STANDARD);
    }

    /** As above, resampling with the given {@link Resampler.Quality}, borrowing its arrays for each call. */
    ConversionChain(PcmFormat input, int outRate, int outChannels, boolean integerOut, Resampler.Quality quality) {
        this(input, outRate, outChannels, integerOut, quality, true);
    }

    /**
     * As above. With {@code lend} the arrays a call works in are borrowed from a pool shared by all chains for
     * the length of the call ({@link Scratch}); without, this chain holds its own, for an output that may wait
     * in {@link Output#accept} (a track that blocks its writer until there is room) and would hold a borrowed
     * scratch all that time.
     */
    ConversionChain(PcmFormat input, int outRate, int outChannels, boolean integerOut, Resampler.Quality quality,
                    boolean lend) {
        this.input = input;
        this.inChannels = input.channels();
        this.outChannels = outChannels;
        boolean sameRate = input.sampleRate() == outRate;
        this.integerPath = sameRate && integerOut && input.sampleFormat() == SampleFormat.S16;
        this.integerOut = integerOut;
        long g = gcd(input.sampleRate(), outRate);
        this.up = outRate / g;
        this.down = input.sampleRate() / g;
        int resampleChannels = Math.min(inChannels, outChannels);
        this.resampler = sameRate ? null : new Resampler(input.sampleRate(), outRate, resampleChannels, quality);
        // 20 ms of input, or less if the resampler computes less in one go (its blocks may hold more: 24 kHz
        // into 8 kHz takes 768 frames at once), and never below CHUNK_FRAMES
        int twentyMs = (input.sampleRate() + 49) / 50;
        this.chunk = resampler == null ? CHUNK_FRAMES
                : Math.max(CHUNK_FRAMES, Math.min(MAX_RESAMPLE_CHUNK_FRAMES, Math.min(twentyMs, resampler.callFrames())));
        if (integerPath) {
            shortsLength = chunk * Math.max(inChannels, outChannels);
            decodedLength = downmixedLength = resampledLength = upmixedLength = 0;
        } else {
            shortsLength = 0;
            decodedLength = chunk * inChannels;
            downmixedLength = outChannels < inChannels ? chunk * outChannels : 0;
            int maxOut = resampler == null ? chunk
                    : Math.max(resampler.maxOutputFrames(chunk), resampler.maxFinishFrames());
            resampledLength = resampler == null ? 0 : maxOut * resampleChannels;
            upmixedLength = outChannels > inChannels ? maxOut * outChannels : 0;
        }
        if (lend) {
            own = null;
        } else {
            own = new Scratch();
            fit(own);
        }
    }

    private Scratch borrow() {
        return own != null ? own : fit(Scratch.POOL.take());
    }

    private void giveBack(Scratch s) {
        if (s != own) {
            Scratch.POOL.give(s);
        }
    }

    private Scratch fit(Scratch s) {
        s.decoded = grown(s.decoded, decodedLength);
        s.downmixed = grown(s.downmixed, downmixedLength);
        s.resampled = grown(s.resampled, resampledLength);
        s.upmixed = grown(s.upmixed, upmixedLength);
        if (s.shortsIn.length < shortsLength) {
            s.shortsIn = new short[shortsLength];
            s.shortsOut = new short[shortsLength];
        }
        return s;
    }

    private static float[] grown(float[] a, int length) {
        return a.length < length ? new float[length] : a;
    }

    PcmFormat input() {
        return input;
    }

    /** True if the resampler holds input whose output has not been produced yet. */
    boolean hasPending() {
        return pending;
    }

    /** Output frames that {@code inFrames} more input frames add to the current stream, tail excluded. */
    long outputFor(long inFrames) {
        return floorOutput(streamInput + inFrames) - floorOutput(streamInput);
    }

    /** Output frames that {@link #finish} adds beyond {@link #outputFor}'s count: 0 or 1. */
    long finishExtra() {
        if (resampler == null || !pending) {
            return 0;
        }
        long total = streamInput / down * up + ((streamInput % down) * 2 * up + down) / (2 * down);
        return total - floorOutput(streamInput);
    }

    private long floorOutput(long inFrames) {
        return inFrames / down * up + (inFrames % down) * up / down;
    }

    private static long gcd(long a, long b) {
        return b == 0 ? a : gcd(b, a % b);
    }

    /** Converts all of {@code pcm}; false if the output stopped it. */
    boolean convert(PcmData pcm, Output output) throws InterruptedException {
        Scratch s = borrow();
        try {
            return convert(pcm, output, s);
        } finally {
            giveBack(s);
        }
    }

    private boolean convert(PcmData pcm, Output output, Scratch s) throws InterruptedException {
        int frames = pcm.samplesPerChannel();
        streamInput += frames;
        for (int f = 0; f < frames; f += chunk) {
            int n = Math.min(chunk, frames - f);
            if (integerPath) {
                pcm.readShorts(f, n, s.shortsIn, 0);
                ChannelMixer.mix(s.shortsIn, 0, inChannels, s.shortsOut, 0, outChannels, n);
                if (!output.accept(s.shortsOut, 0, n * outChannels)) {
                    return false;
                }
                continue;
            }
            pcm.readFloats(f, n, s.decoded, 0);
            float[] x = s.decoded;
            if (downmixedLength > 0) {
                ChannelMixer.mix(s.decoded, 0, inChannels, s.downmixed, 0, outChannels, n);
                x = s.downmixed;
            }
            if (resampler != null) {
                pending = true;
                n = resampler.process(x, 0, n, s.resampled, 0);
                x = s.resampled;
            }
            if (!emit(x, n, output, s)) {
                return false;
            }
        }
        return true;
    }

    /** Drains the resampler's tail (end of stream) and resets it; false if the output stopped. */
    boolean finish(Output output) throws InterruptedException {
        if (resampler == null || !pending) {
            return true;
        }
        pending = false;
        streamInput = 0;
        Scratch s = borrow();
        try {
            int n = resampler.finish(s.resampled, 0);
            return emit(s.resampled, n, output, s);
        } finally {
            giveBack(s);
        }
    }

    /** Forgets all state: the next chunk starts a new stream. */
    void reset() {
        if (resampler != null) {
            resampler.reset();
        }
        pending = false;
        streamInput = 0;
    }

    private boolean emit(float[] x, int frames, Output output, Scratch s) throws InterruptedException {
        if (frames == 0) {
            return true;
        }
        if (upmixedLength > 0) {
            ChannelMixer.mix(x, 0, inChannels, s.upmixed, 0, outChannels, frames);
            x = s.upmixed;
        }
        int count = frames * outChannels;
        if (integerOut) {
            // the vectorised half of the encoding, here on this call's scratch and outside the buffer's lock
            SampleCodec.scaleForS16(x, 0, count);
        }
        for (int i = 0; !integerOut && i < count; i++) {
            float v = x[i];
            // x is this call's scratch array: saturate in place. NaN fails both tests and becomes 0.
            x[i] = v >= Float.MAX_VALUE ? Float.MAX_VALUE : v <= -Float.MAX_VALUE ? -Float.MAX_VALUE : v == v ? v : 0f;
        }
        return output.accept(x, 0, count);
    }

    /** {@link PcmData#convertTo}: the whole chunk as one stream, tail included. */
    static PcmData convertWhole(PcmData pcm, PcmFormat target) {
        ConversionChain c = new ConversionChain(pcm.format(), target.sampleRate(), target.channels(),
                target.sampleFormat() == SampleFormat.S16);
        long expected = c.outputFrames(pcm.samplesPerChannel());
        Collector out = new Collector(target, expected);
        try {
            c.convert(pcm, out);
            c.finish(out);
        } catch (InterruptedException e) {
            throw new AssertionError("a collector never waits", e);
        }
        if (out.frames() != expected) {
            throw new IllegalStateException("conversion gave " + out.frames() + " samples per channel, expected " + expected);
        }
        return out.toPcmData();
    }

    /** Most frames {@link #convert} can produce for {@code inFrames} input frames. */
    long maxOutputFrames(long inFrames) {
        if (resampler == null) {
            return inFrames;
        }
        long chunks = (inFrames + chunk - 1) / chunk;
        return chunks * resampler.maxOutputFrames(chunk);
    }

    /** Most frames {@link #finish} can produce. */
    long maxFinishFrames() {
        return resampler == null ? 0 : resampler.maxFinishFrames();
    }

    /** Output frames of a whole stream of {@code inFrames}, tail included. */
    long outputFrames(long inFrames) {
        if (resampler == null) {
            return inFrames;
        }
        return Math.round((double) inFrames * resampler.outRate() / resampler.inRate());
    }

    /** Gathers a conversion's output (up to a capacity), then encodes it to the target sample format. */
    static final class Collector implements Output {
        private final PcmFormat target;
        private final short[] shorts;
        private final float[] floats;
        private int size;

        Collector(PcmFormat target, long frames) {
            long n = frames * target.channels();
            if (n > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("conversion to " + target + " would give " + frames
                        + " samples per channel, more than one chunk can hold");
            }
            this.target = target;
            boolean s16 = target.sampleFormat() == SampleFormat.S16;
            this.shorts = s16 ? new short[(int) n] : null;
            this.floats = s16 ? null : new float[(int) n];
        }

        @Override
        public boolean accept(float[] samples, int offset, int count) {
            if (shorts != null) {
                SampleCodec.encodeScaled(samples, offset, shorts, size, count);
            } else {
                System.arraycopy(samples, offset, floats, size, count);
            }
            size += count;
            return true;
        }

        @Override
        public boolean accept(short[] samples, int offset, int count) {
            System.arraycopy(samples, offset, shorts, size, count);
            size += count;
            return true;
        }

        long frames() {
            return size / target.channels();
        }

        PcmData toPcmData() {
            int ch = target.channels();
            return switch (target.sampleFormat()) {
                case S16 -> PcmData.ofShorts(target.sampleRate(), ch, trimmed(shorts));
                case F32 -> PcmData.ofFloats(target.sampleRate(), ch, trimmed(floats));
                default -> {
                    byte[] bytes = new byte[size * target.sampleFormat().bytesPerSample()];
                    SampleCodec.encode(floats, 0, target.sampleFormat(), bytes, 0, size);
                    yield PcmData.ofBytes(target, bytes);
                }
            };
        }

        private short[] trimmed(short[] a) {
            return a.length == size ? a : java.util.Arrays.copyOf(a, size);
        }

        private float[] trimmed(float[] a) {
            return a.length == size ? a : java.util.Arrays.copyOf(a, size);
        }
    }

    /**
     * The arrays one conversion call works in: the decoded input, its downmix, the resampled audio, its upmix, or
     * the 16-bit pieces of the exact integer path. They hold nothing from one call to the next, so a chain that
     * lends ({@link #ConversionChain(PcmFormat, int, int, boolean, Resampler.Quality, boolean) lend}) borrows one
     * from a pool shared by all chains for the length of a call, as the resampler lends its block scratch: a
     * resampling track then holds none of them between its writes (24 kHz into 48 kHz, 20 ms pieces: 5.7 KB),
     * and a write finds arrays that some write just used, still in the cache. A scratch grows to the largest
     * chain it has served. The pool: {@link ScratchPool}.
     */
    static final class Scratch {
        static final ScratchPool<Scratch> POOL = new ScratchPool<>(Scratch::new);
        private static final float[] NO_FLOATS = new float[0];
        private static final short[] NO_SHORTS = new short[0];

        float[] decoded = NO_FLOATS;
        float[] downmixed = NO_FLOATS;
        float[] resampled = NO_FLOATS;
        float[] upmixed = NO_FLOATS;
        short[] shortsIn = NO_SHORTS;
        short[] shortsOut = NO_SHORTS;
    }
}
