package io.pcmtrack;

import io.pcmtrack.dsp.Resampler;

import java.time.Duration;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An outgoing audio track: producers {@link #write} PCM in bursts, in any format; the consumer
 * receives exactly one frame per frame duration, paced by a {@link MediaClock}, with continuous
 * timestamps and silence when starved.
 *
 * <pre>
 * write(PcmData) ─▶ Converter ─▶ FrameBuffer ─▶ Pacer ─▶ recv() / FrameScheduler
 * </pre>
 *
 * <p>This class is a facade over those three package-private parts, one per lock domain:
 * {@code Converter} (the write lock and the conversion chain), {@code FrameBuffer} (a spin lock
 * over the queued samples, the flush epoch, positions, marks and counters) and {@code Pacer}
 * (the consumer's clock: anchor, next frame, catch-up).
 *
 * <p>Semantics (numbered as in the API contract):
 * <ol>
 *   <li>Every frame has {@link #samplesPerFrame()} samples per channel in {@link #format()}.</li>
 *   <li>{@code write} converts sample format, channels and rate; rate conversion is a streaming
 *       resampler with its delay compensated, so chunked writes equal one big write.</li>
 *   <li>A remainder shorter than a frame is held until more audio completes it or
 *       {@code write(pcm, true)} releases it; it then comes out padded with trailing silence.</li>
 *   <li>The first frame is due at once and anchors the clock; frame {@code n} is due at
 *       {@code anchor + n * frameDuration} and has {@code pts == n * samplesPerFrame}. A consumer
 *       that fell behind gets overdue frames at once; no drift accumulates.</li>
 *   <li>With nothing ready, the frame is silence ({@link AudioFrame#isSilence()}).</li>
 *   <li>Frames come out in write order.</li>
 *   <li>The buffer never holds more than {@link #bufferLimit()}: {@link OverflowPolicy#DROP_OLDEST}
 *       drops the oldest audio sample-exact, {@link OverflowPolicy#BLOCK} makes {@code write} wait.</li>
 *   <li>{@link #flush()} discards buffered audio, held partials and converter state, atomically
 *       with respect to {@code write}: a racing write lands wholly before (and is discarded) or
 *       wholly after (and is kept).</li>
 *   <li>After {@link #stop()}, {@code write} and {@code recv} throw {@link TrackEndedException}.</li>
 *   <li>Bad input throws {@link IllegalArgumentException} and changes nothing.</li>
 *   <li>{@code write}, {@code flush} and {@code stop} are thread-safe; {@code recv} has one
 *       consumer at a time.</li>
 *   <li>{@code write} of same-format chunks and {@code recv(reuse)} allocate nothing; memory
 *       follows the audio buffered, not the limit.</li>
 * </ol>
 *
 * <p>Locking: writers take {@code writeLock} (it owns the converter) and, for each converted
 * piece, the buffer's {@link SpinLock}; {@code recv} takes only the spin lock, for one frame's
 * copy, so a consumer is never parked behind a producer. A flush never waits for a writer: it
 * bumps an epoch, and a writer that sees the epoch move abandons the rest of its chunk. A
 * {@link OverflowPolicy#BLOCK} writer parks outside the lock and is unparked by the consumer.
 */
public final class AudioStreamTrack implements AutoCloseable {
    /**
     * A frame handed out at least this long after its due time counts in
     * {@link TrackStats#lateFrames()}; less is timer jitter that a receiver's jitter buffer absorbs.
     */
    public static final Duration LATE_THRESHOLD = Duration.ofMillis(1);
    /** An empty buffer keeps its spare block this long before giving it back (see BlockQueue). */
    private static final long SPARE_KEEP_NANOS = 1_000_000_000L;
    private static final Logger LOG = LoggerFactory.getLogger(AudioStreamTrack.class);

    private final String id = UUID.randomUUID().toString();
    private final PcmFormat format;
    private final int samplesPerFrame;
    private final Duration frameDuration;
    private final Duration bufferLimit;
    private volatile Duration maxCatchUp;
    private final Resampler.Quality resampling;
    private final OverflowPolicy overflow;
    private final MediaClock clock;

    private final Converter converter;
    private final FrameBuffer buffer;
    private final Pacer pacer;
    /** Only keeps the loads of {@link FrameBuffer#prefetchForWrite()} from being optimized away; racy, meaningless. */
    private long prefetched;
    private final CopyOnWriteArrayList<Consumer<FlushReport>> flushListeners = new CopyOnWriteArrayList<>();
    private final AsyncReceiver async = new AsyncReceiver(this);

    private AudioStreamTrack(Builder b) {
        this.format = new PcmFormat(b.sampleRate, b.channels, b.sampleFormat);
        this.frameDuration = b.frameDuration;
        this.bufferLimit = b.bufferLimit;
        this.maxCatchUp = b.maxCatchUp;
        this.overflow = b.overflow;
        this.clock = b.clock;
        long frameNanos = b.frameDuration.toNanos();
        this.samplesPerFrame = (int) (frameNanos * b.sampleRate / 1_000_000_000L);
        int idleFramesBeforeRelease = (int) Math.max(1, SPARE_KEEP_NANOS / frameNanos);
        this.buffer = new FrameBuffer(id, format, samplesPerFrame, b.limitFrames(), b.overflow, idleFramesBeforeRelease);
        this.resampling = b.resampling;
        this.converter = new Converter(format, buffer, b.overflow, b.resampling);
        this.pacer = new Pacer(id, b.clock, frameNanos, samplesPerFrame,
                b.maxCatchUp == null ? Long.MAX_VALUE : b.maxCatchUp.toNanos(), LATE_THRESHOLD.toNanos());
    }

    /** 48000 Hz, mono, S16, 20 ms frames, 30 s buffer, drop-oldest, system clock. */
    public static AudioStreamTrack create() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The track's output format: every frame is in it. */
    public PcmFormat format() {
        return format;
    }

    /** Samples per channel in every frame: {@code sampleRate * frameDuration}. */
    public int samplesPerFrame() {
        return samplesPerFrame;
    }

    public Duration frameDuration() {
        return frameDuration;
    }

    public Duration bufferLimit() {
        return bufferLimit;
    }

    /** The catch-up limit (semantics 16), or null when a late consumer catches up on everything. */
    public Duration maxCatchUp() {
        return maxCatchUp;
    }

    /** The filter asked for writes at another rate ({@link Builder#resampling}). */
    public Resampler.Quality resampling() {
        return resampling;
    }

    /**
     * Sets the catch-up limit after the track was built (see {@link Builder#maxCatchUp}); a
     * transport that publishes the track uses this to give it a default. Any thread; the
     * consumer sees it at its next frame.
     *
     * @param d at least one frame duration, or null for no limit
     * @throws IllegalArgumentException if {@code d} is negative or shorter than a frame
     */
    public void setMaxCatchUp(Duration d) {
        if (d != null && (d.isNegative() || d.compareTo(frameDuration) < 0)) {
            throw new IllegalArgumentException("maxCatchUp must be >= frameDuration (" + frameDuration + "), got " + d);
        }
        pacer.maxCatchUpNanos(d == null ? Long.MAX_VALUE : d.toNanos());
        maxCatchUp = d;
    }

    public OverflowPolicy overflow() {
        return overflow;
    }

    public MediaClock clock() {
        return clock;
    }

    /** Always {@code "audio"}, as in WebRTC's MediaStreamTrack. */
    public String kind() {
        return "audio";
    }

    /** A unique id (a random UUID). */
    public String id() {
        return id;
    }

    /** False once {@link #stop()} was called. */
    public boolean isLive() {
        return !buffer.isStopped();
    }

    // ---- producers ----

    /** {@code write(pcm, false)}. */
    public void write(PcmData pcm) {
        write(pcm, false);
    }

    /**
     * Converts {@code pcm} to the track's format and appends it to the buffer; copies what it
     * needs, so the caller may reuse the chunk's array once this returns. Its converted length is
     * added to {@link #writePosition()} at once, before its samples are appended.
     *
     * @param pcm  audio in any format; a zero-length chunk is valid
     * @param last true at the end of an utterance or stream: the resampler's tail is drained and a
     *             held partial frame is released, to come out padded with silence
     * @throws IllegalArgumentException   if {@code pcm} is null (the track is unchanged)
     * @throws TrackEndedException        if the track was stopped
     * @throws WriteInterruptedException  if interrupted while waiting ({@link OverflowPolicy#BLOCK} only)
     */
    public void write(PcmData pcm, boolean last) {
        if (pcm == null) {
            throw new IllegalArgumentException("pcm must not be null");
        }
        // At 10,000 tracks the converter and the buffer are both cold: start loading the buffer
        // before the converter's lock, which waits for the loads issued before it, is taken.
        prefetched = buffer.prefetchForWrite();
        converter.write(pcm, last);
    }

    /**
     * Places a mark at {@link #writePosition()}, after every write that returned before this call
     * and before every write that starts after it returns. Its {@link Mark#result()} tells,
     * once every sample before it has ended, whether the sample just before it was played,
     * flushed or dropped (semantics 13). Allocates; never per frame.
     *
     * @throws IllegalArgumentException if {@code label} is null
     * @throws TrackEndedException      if the track was stopped
     */
    public Mark mark(String label) {
        if (label == null) {
            throw new IllegalArgumentException("label must not be null");
        }
        return converter.mark(label);
    }

    /**
     * One past the last sample accepted, in samples per channel of the track's format, from 0 at
     * creation: the converted length of every write so far, held partial frame and resampler
     * tail included. Any thread.
     */
    public long writePosition() {
        return buffer.writePosition();
    }

    /**
     * One past the last sample emitted in a frame; silence and padding have no position, and
     * dropped or flushed samples are skipped. Only grows. Any thread.
     */
    public long playedPosition() {
        return buffer.playedPosition();
    }

    /** {@code flush(Duration.ZERO)}: barge-in, everything buffered is gone at once. */
    public FlushReport flush() {
        return flush(Duration.ZERO);
    }

    /**
     * Barge-in: keeps the oldest {@code min(fadeOut, buffered())} of the buffered audio and plays
     * it with a raised-cosine gain from 1 down to 0 (it never waits for more audio), and
     * discards the rest, any held partial frame beyond it, the resampler's state and the rest of a
     * write under way, at once. Atomic with respect to {@code write} (semantics 8). Listeners
     * added with {@link #addFlushListener} are called before this returns. On a stopped track it
     * changes nothing and reports {@code discardedSamples == 0}.
     *
     * @param fadeOut how much of the buffered audio to fade out, rounded to the nearest sample; zero for a hard cut
     * @throws IllegalArgumentException if {@code fadeOut} is null or negative (nothing changed)
     */
    public FlushReport flush(Duration fadeOut) {
        if (fadeOut == null || fadeOut.isNegative()) {
            throw new IllegalArgumentException("fadeOut must be >= 0, got " + fadeOut);
        }
        long fadeFrames = Math.round(fadeOut.getSeconds() * (double) format.sampleRate()
                + fadeOut.getNano() * (double) format.sampleRate() / 1e9);
        FlushReport report = buffer.flush(fadeFrames);
        if (report == null) {
            return new FlushReport(playedPosition(), 0);
        }
        for (Consumer<FlushReport> listener : flushListeners) {
            try {
                listener.accept(report);
            } catch (RuntimeException e) {
                LOG.warn("flush listener of track {} threw; the flush stands", id, e);
            }
        }
        return report;
    }

    /**
     * Calls {@code listener} on the flushing thread after each flush's cut, outside the track's
     * locks, with the flush's report: how a transport that buffers downstream (a phone leg's
     * {@code clear}) learns of a barge-in at once. Keep it short; exceptions are logged.
     */
    public void addFlushListener(Consumer<FlushReport> listener) {
        flushListeners.add(Objects.requireNonNull(listener, "listener"));
    }

    public void removeFlushListener(Consumer<FlushReport> listener) {
        flushListeners.remove(listener);
    }

    /**
     * A future that completes once everything written before this call has left the buffer:
     * emitted (a held partial frame must be completed or released first), dropped by overflow,
     * or discarded by {@link #flush()}. Like LiveKit's {@code wait_for_playout}: a producer writes
     * an utterance with {@code write(pcm, true)} and waits on this to know it was played. It
     * cannot tell played from discarded audio; {@link #mark} can. It completes on a pcmtrack
     * thread, never the one emitting frames; exceptionally with {@link TrackEndedException} if the
     * track is stopped first.
     */
    public CompletableFuture<Void> playout() {
        return buffer.playout();
    }

    // ---- the consumer ----

    /** {@code recv(null)}: the next frame in a new {@link AudioFrame}. */
    public AudioFrame recv() throws InterruptedException {
        return recv(null);
    }

    /**
     * Waits until the next frame is due and returns it (see the pacing rules above).
     *
     * @param reuse a frame from this track (or {@link AudioFrame#allocate} with the track's
     *              format and frame size) to refill in place; null for a new frame
     * @return {@code reuse}, refilled, or a new frame
     * @throws TrackEndedException      if the track is or gets stopped, also while waiting
     * @throws IllegalArgumentException if {@code reuse} has another format or size
     * @throws IllegalStateException    if the track is attached to a {@link FrameScheduler}, or
     *                                  another thread is in {@code recv}
     * @throws InterruptedException     if interrupted while waiting (no frame is consumed)
     */
    public AudioFrame recv(AudioFrame reuse) throws InterruptedException {
        AudioFrame frame = frameFor(reuse);
        if (!isLive()) {
            throw buffer.ended();
        }
        if (!pacer.claim(Pacer.RECV)) {
            throw busy();
        }
        try {
            long now = clock.nanoTime();
            long due = pacer.due(now);
            if (now < due) {
                pacer.sleepUntil(due);
                now = due; // a punctual consumer: the wake-up jitter is the clock's, not the track's
            }
            emit(frame, now - due);
        } finally {
            pacer.release(Pacer.RECV);
        }
        return frame;
    }

    /**
     * {@link #recv()} without blocking the caller: the frame is taken on one daemon thread shared
     * by all tracks, which waits for due times without sleeping on them (a system clock) or
     * sleeps on the track's clock (any other clock). Futures complete in call order, one frame
     * each; exceptionally with {@link TrackEndedException} once the track stops, or
     * {@link IllegalStateException} if a {@link FrameScheduler} took the track meanwhile.
     */
    public CompletableFuture<AudioFrame> recvAsync() {
        return async.request();
    }

    /** Audio in the buffer, held partial frame included, resampler state excluded. Any thread. */
    public Duration buffered() {
        long values = buffer.bufferedValues();
        return Duration.ofNanos(values / format.channels() * 1_000_000_000L / format.sampleRate());
    }

    /** A snapshot of the counters. Any thread. */
    public TrackStats stats() {
        return buffer.stats(pacer);
    }

    /**
     * Ends the track: buffered audio is released, pending marks resolve ({@link MarkOutcome#ENDED}
     * unless their sample ended before), blocked writers and a consumer waiting in {@code recv}
     * wake and throw {@link TrackEndedException}. Idempotent.
     */
    public void stop() {
        if (buffer.stop()) {
            pacer.stop();
            async.stop(buffer.ended());
        }
    }

    /** Same as {@link #stop()}. */
    @Override
    public void close() {
        stop();
    }

    // ---- shared by recv and the FrameScheduler ----

    /** Due time of the next frame seen at {@code now}: anchors on first use, applies the catch-up limit. */
    long dueNanos(long now) {
        return pacer.due(now);
    }

    /** Due time of the next frame, once anchored. */
    long nextDueNanos() {
        return pacer.nextDue();
    }

    /** Fills {@code frame} with the next frame: audio, a padded partial or silence. */
    void emit(AudioFrame frame, long latenessNanos) {
        buffer.fill(frame, pacer.pts());
        pacer.emitted(latenessNanos);
    }

    Pacer pacer() {
        return pacer;
    }

    FrameBuffer buffer() {
        return buffer;
    }

    /** Makes a scheduler the track's consumer; false if a scheduler or a recv already is. */
    boolean claimConsumer() {
        return pacer.claim(Pacer.SCHEDULER);
    }

    void releaseConsumer() {
        pacer.release(Pacer.SCHEDULER);
    }

    IllegalStateException busy() {
        return new IllegalStateException(pacer.consumer() == Pacer.SCHEDULER
                ? "track " + id + " is attached to a FrameScheduler, which receives its frames"
                : "track " + id + " is being received by another thread; recv has one consumer at a time");
    }

    AudioFrame frameFor(AudioFrame reuse) {
        if (reuse == null) {
            return AudioFrame.allocate(format, samplesPerFrame);
        }
        if (!reuse.fits(format, samplesPerFrame)) {
            throw new IllegalArgumentException("reuse must be a frame of " + format + " with " + samplesPerFrame
                    + " samples per channel, got " + reuse.format() + " with " + reuse.samplesPerChannel());
        }
        return reuse;
    }

    /** Interleaved samples buffered (tests). */
    long bufferedValues() {
        return buffer.bufferedValues();
    }

    /** Blocks the buffer holds (tests of memory behaviour). */
    int heldBlocks() {
        return buffer.heldBlocks();
    }

    @Override
    public String toString() {
        return "AudioStreamTrack[" + id + ", " + format + ", " + frameDuration.toMillis() + " ms frames"
                + (isLive() ? "" : ", stopped") + "]";
    }

    /** Builds a track; every setter validates its argument at once. */
    public static final class Builder {
        private int sampleRate = 48_000;
        private int channels = 1;
        private SampleFormat sampleFormat = SampleFormat.S16;
        private Duration frameDuration = Duration.ofMillis(20);
        private Duration bufferLimit = Duration.ofSeconds(30);
        private OverflowPolicy overflow = OverflowPolicy.DROP_OLDEST;
        private MediaClock clock = MediaClock.system();
        private Duration maxCatchUp;
        private Resampler.Quality resampling = Resampler.Quality.STANDARD;

        private Builder() {
        }

        /** Output sample rate, 1000..768000 Hz; default 48000. */
        public Builder sampleRate(int hz) {
            PcmFormat.checkSampleRate("sampleRate", hz);
            this.sampleRate = hz;
            return this;
        }

        /** Output channels, 1..32; default 1. */
        public Builder channels(int n) {
            PcmFormat.checkChannels("channels", n);
            this.channels = n;
            return this;
        }

        /** {@link SampleFormat#S16} (default) or {@link SampleFormat#F32}. */
        public Builder sampleFormat(SampleFormat f) {
            if (f != SampleFormat.S16 && f != SampleFormat.F32) {
                throw new IllegalArgumentException("sampleFormat must be S16 or F32, got " + f);
            }
            this.sampleFormat = f;
            return this;
        }

        /** Frame duration, &gt; 0; with the sample rate it must give a whole number of samples. Default 20 ms. */
        public Builder frameDuration(Duration d) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("frameDuration must be > 0, got " + d);
            }
            this.frameDuration = d;
            return this;
        }

        /** Most audio the buffer holds, &gt; 0; default 30 s. */
        public Builder bufferLimit(Duration d) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("bufferLimit must be > 0, got " + d);
            }
            this.bufferLimit = d;
            return this;
        }

        /** What a write does when the buffer is full; default {@link OverflowPolicy#DROP_OLDEST}. */
        public Builder overflow(OverflowPolicy p) {
            this.overflow = Objects.requireNonNull(p, "overflow");
            return this;
        }

        /**
         * The most a late consumer ({@code recv} or a {@link FrameScheduler}) catches up at once:
         * frame slots due more than this before now are skipped, pts jumping with them, and the
         * buffered audio continues in the next frame (semantics 16). Default: no limit (every
         * overdue frame is delivered at once). At least one frame duration.
         */
        public Builder maxCatchUp(Duration d) {
            if (d == null || d.isNegative()) {
                throw new IllegalArgumentException("maxCatchUp must be >= frameDuration, got " + d);
            }
            this.maxCatchUp = d;
            return this;
        }

        /**
         * The filter that converts audio written at another sample rate: {@link Resampler.Quality#STANDARD}
         * (default) or {@link Resampler.Quality#TELEPHONY}, 1.5 to 2 times as fast for speech at 8 and 16 kHz
         * at -100 dB instead of -135 dB (where the ratio has it; see there).
         */
        public Builder resampling(Resampler.Quality q) {
            this.resampling = Objects.requireNonNull(q, "resampling");
            return this;
        }

        /** The clock that paces {@code recv}; default {@link MediaClock#system()}. */
        public Builder clock(MediaClock c) {
            this.clock = Objects.requireNonNull(c, "clock");
            return this;
        }

        /**
         * @throws IllegalArgumentException if the frame duration is not a whole number of samples
         *         at the sample rate, or the buffer limit cannot hold a sample (or, with
         *         {@link OverflowPolicy#BLOCK}, a whole frame: a writer would wait forever)
         */
        public AudioStreamTrack build() {
            long nanos;
            try {
                nanos = frameDuration.toNanos();
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException("frameDuration is too long: " + frameDuration, e);
            }
            if (nanos > Long.MAX_VALUE / sampleRate) {
                throw new IllegalArgumentException("frameDuration is too long: " + frameDuration
                        + " at " + sampleRate + " Hz would overflow a frame's sample count");
            }
            if (nanos * sampleRate % 1_000_000_000L != 0) {
                throw new IllegalArgumentException("frameDuration must be a whole number of samples at "
                        + sampleRate + " Hz, got " + frameDuration);
            }
            long frameSamples = nanos * sampleRate / 1_000_000_000L;
            if (frameSamples * channels > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("frameDuration gives " + frameSamples + " samples per channel at "
                        + sampleRate + " Hz, too many for one frame");
            }
            if (limitFrames() < frameSamples) {
                // A shorter buffer never holds a whole frame: drop-oldest would discard all ordinary
                // writes, and a blocked writer would wait forever.
                throw new IllegalArgumentException("bufferLimit must be at least frameDuration (" + frameDuration
                        + "), got " + bufferLimit);
            }
            if (maxCatchUp != null && maxCatchUp.compareTo(frameDuration) < 0) {
                throw new IllegalArgumentException("maxCatchUp must be >= frameDuration (" + frameDuration
                        + "), got " + maxCatchUp);
            }
            return new AudioStreamTrack(this);
        }

        private long limitFrames() {
            // Saturates instead of overflowing: a limit of years is simply "no limit".
            double frames = bufferLimit.getSeconds() * (double) sampleRate
                    + bufferLimit.getNano() * (double) sampleRate / 1e9;
            return (long) Math.min(Math.floor(frames + 1e-9), (double) (Long.MAX_VALUE / 64));
        }
    }

}
