package io.pcmtrack;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * An outgoing audio track: producers {@link #write} PCM in bursts, in any format; the consumer
 * receives exactly one frame per frame duration, paced by a {@link MediaClock}, with continuous
 * timestamps and silence when starved.
 *
 * <pre>
 * write(PcmData) ─▶ Converter ─▶ FrameBuffer ─▶ pacing ─▶ recv() / FrameScheduler
 * </pre>
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
    private static final long LATE_THRESHOLD_NANOS = LATE_THRESHOLD.toNanos();
    private static final AtomicInteger SHARDS = new AtomicInteger();
    /** Samples per channel copied per lock hold when writing a long same-format chunk. */
    private static final int PIECE_FRAMES = 4096;
    /** An empty buffer keeps its spare block this long before giving it back (see FrameBuffer). */
    private static final long SPARE_KEEP_NANOS = 1_000_000_000L;

    private final String id = UUID.randomUUID().toString();
    private final PcmFormat format;
    private final int samplesPerFrame;
    private final int valuesPerFrame;
    private final Duration frameDuration;
    private final long frameNanos;
    private final int idleFramesBeforeRelease;
    private final Duration bufferLimit;
    private final long limitValues;
    private final OverflowPolicy overflow;
    private final MediaClock clock;

    private final ReentrantLock writeLock = new ReentrantLock();
    private final SpinLock lock = new SpinLock();
    private final FrameBuffer buffer;
    private final Sink sink = new Sink();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private volatile boolean stopped;

    // Guarded by lock.
    private long epoch;
    /** The writer parked for room ({@link OverflowPolicy#BLOCK}); writers are serialized, so at most one. */
    private volatile Thread blockedWriter;
    private long framesEmitted;
    private long silentFrames;
    private long paddedFrames;
    private long droppedValues;
    private long lateFrames;
    private long maxLatenessNanos;
    private long writtenValues;
    private long flushes;
    private long flushedValues;
    private int idleFrames;
    /** Producers waiting in {@link #playout()}, by the absolute position they wait for; null until used. */
    private ArrayDeque<Playout> playouts;

    // Guarded by writeLock.
    private Converter converter;
    private long converterEpoch;
    private long writeEpoch;
    private long chunkValues;

    // Consumer state: one consumer at a time, published between consumers through lock.
    private boolean anchored;
    private long anchorNanos;
    private long nextFrame;
    private volatile Thread sleeper;

    private final Object asyncLock = new Object();
    private CompletableFuture<AudioFrame> asyncTail;

    private AudioStreamTrack(Builder b) {
        this.format = new PcmFormat(b.sampleRate, b.channels, b.sampleFormat);
        this.frameDuration = b.frameDuration;
        this.frameNanos = b.frameDuration.toNanos();
        this.idleFramesBeforeRelease = (int) Math.max(1, SPARE_KEEP_NANOS / frameNanos);
        this.samplesPerFrame = (int) (frameNanos * b.sampleRate / 1_000_000_000L);
        this.valuesPerFrame = samplesPerFrame * b.channels;
        this.bufferLimit = b.bufferLimit;
        this.limitValues = b.limitFrames() * b.channels;
        this.overflow = b.overflow;
        this.clock = b.clock;
        this.buffer = new FrameBuffer(b.sampleFormat, SHARDS.getAndIncrement() & (BlockPool.SHARDS - 1));
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
        return !stopped;
    }

    /** {@code write(pcm, false)}. */
    public void write(PcmData pcm) {
        write(pcm, false);
    }

    /**
     * Converts {@code pcm} to the track's format and appends it to the buffer; copies what it
     * needs, so the caller may reuse the chunk's array once this returns.
     *
     * @param pcm  audio in any format; a zero-length chunk is valid
     * @param last true at the end of an utterance or stream: the resampler's tail is drained and a
     *             held partial frame is released, to come out padded with silence
     * @throws IllegalArgumentException   if {@code pcm} is null (the track is unchanged)
     * @throws TrackEndedException        if the track was stopped
     * @throws WriteInterruptedException  if interrupted while waiting for room ({@link OverflowPolicy#BLOCK})
     */
    public void write(PcmData pcm, boolean last) {
        if (pcm == null) {
            throw new IllegalArgumentException("pcm must not be null");
        }
        ensureLive();
        try {
            writeLock.lockInterruptibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new WriteInterruptedException(0, e);
        }
        chunkValues = 0;
        try {
            writeLocked(pcm, last);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new WriteInterruptedException(chunkValues / format.channels(), e);
        } finally {
            writeLock.unlock();
        }
    }

    private void writeLocked(PcmData pcm, boolean last) throws InterruptedException {
        lock.lock();
        try {
            ensureLive();
            writeEpoch = epoch;
        } finally {
            lock.unlock();
        }
        if (converter != null && converterEpoch != writeEpoch) {
            converter.reset(); // a flush came in since the converter last ran: its state is stale
        }
        converterEpoch = writeEpoch;
        PcmFormat in = pcm.format();
        if (converter != null && !converter.input().equals(in)) {
            // The input format changed: end the old stream (its tail plays), then start anew.
            if (!converter.finish(sink)) {
                return;
            }
            converter = null;
        }
        boolean kept;
        if (in.equals(format)) {
            kept = writeDirect(pcm);
        } else {
            if (converter == null) {
                converter = new Converter(in, format.sampleRate(), format.channels(),
                        format.sampleFormat() == SampleFormat.S16);
            }
            kept = converter.convert(pcm, sink);
        }
        if (kept && last) {
            if (converter != null && !converter.finish(sink)) {
                return;
            }
            lock.lock();
            try {
                if (epoch == writeEpoch && !stopped) {
                    buffer.markRelease();
                }
            } finally {
                lock.unlock();
            }
        }
    }

    /** Same format as the track: copy straight into the buffer, in pieces to keep lock holds short. */
    private boolean writeDirect(PcmData pcm) throws InterruptedException {
        short[] shorts = pcm.shortArray();
        float[] floats = pcm.floatArray();
        byte[] bytes = pcm.byteArray();
        int total = pcm.sampleCount();
        int piece = PIECE_FRAMES * format.channels();
        for (int off = 0; off < total; off += piece) {
            if (!enqueue(shorts, floats, bytes, off, Math.min(piece, total - off))) {
                return false;
            }
        }
        return true;
    }

    /**
     * Appends one piece (exactly one of the arrays is non-null) under the overflow policy.
     * Returns false if a flush moved the epoch since this write began.
     */
    private boolean enqueue(short[] shorts, float[] floats, byte[] bytes, int offset, int count)
            throws InterruptedException {
        while (true) {
            lock.lock();
            try {
                blockedWriter = null;
                if (stopped) {
                    throw ended();
                }
                if (epoch != writeEpoch) {
                    return false;
                }
                if (overflow == OverflowPolicy.DROP_OLDEST) {
                    if (count > limitValues) {
                        // Everything buffered and the head of this piece would be dropped at once.
                        long skip = count - limitValues;
                        dropLocked(buffer.size());
                        droppedValues += skip;
                        writtenValues += skip;
                        chunkValues += skip;
                        offset += (int) skip;
                        count = (int) limitValues;
                    }
                    appendLocked(shorts, floats, bytes, offset, count);
                    long excess = buffer.size() - limitValues;
                    if (excess > 0) {
                        dropLocked(excess);
                    }
                    return true;
                }
                long room = limitValues - buffer.size();
                if (room > 0) {
                    int n = (int) Math.min(room, count);
                    appendLocked(shorts, floats, bytes, offset, n);
                    offset += n;
                    count -= n;
                    if (count == 0) {
                        return true;
                    }
                }
                // Registered under the lock: a consumer that takes a frame after this unparks us.
                blockedWriter = Thread.currentThread();
            } finally {
                lock.unlock();
            }
            LockSupport.park(this);
            if (Thread.interrupted()) {
                blockedWriter = null;
                throw new InterruptedException();
            }
        }
    }

    private void appendLocked(short[] shorts, float[] floats, byte[] bytes, int offset, int count) {
        if (shorts != null) {
            buffer.append(shorts, offset, count);
        } else if (floats != null) {
            buffer.append(floats, offset, count);
        } else {
            buffer.appendLittleEndian(bytes, offset, count);
        }
        writtenValues += count;
        chunkValues += count;
    }

    private void dropLocked(long values) {
        buffer.skip(values);
        droppedValues += values;
    }

    /**
     * Barge-in: drops all buffered audio, any held partial frame and the converter's state.
     * A write in progress is abandoned at its next piece; nothing written before this call
     * comes out after it. Does nothing on a stopped track.
     */
    public void flush() {
        lock.lock();
        try {
            if (stopped) {
                return;
            }
            epoch++;
            flushes++;
            flushedValues += buffer.size();
            buffer.clear();
        } finally {
            lock.unlock();
        }
        wakeBlockedWriter(); // it sees the epoch moved and gives up
        completePlayouts(null);
    }

    private void wakeBlockedWriter() {
        Thread w = blockedWriter;
        if (w != null) {
            LockSupport.unpark(w);
        }
    }

    /**
     * A future that completes once everything written before this call has left the buffer:
     * emitted (a held partial frame must be completed or released first), dropped by overflow,
     * or discarded by {@link #flush()}. Like LiveKit's {@code wait_for_playout}: a producer writes
     * an utterance with {@code write(pcm, true)} and waits on this to know it was played. It
     * completes on a pool thread, never on the thread emitting frames; exceptionally with
     * {@link TrackEndedException} if the track is stopped first.
     */
    public CompletableFuture<Void> playout() {
        CompletableFuture<Void> future = new CompletableFuture<>();
        lock.lock();
        try {
            if (!stopped && buffer.size() > 0) {
                if (playouts == null) {
                    playouts = new ArrayDeque<>();
                }
                playouts.add(new Playout(buffer.writePosition(), future));
                return future;
            }
        } finally {
            lock.unlock();
        }
        if (stopped) {
            future.completeExceptionally(ended());
        } else {
            future.complete(null);
        }
        return future;
    }

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
     * @throws IllegalStateException    if the track is attached to a {@link FrameScheduler}
     * @throws InterruptedException     if interrupted while waiting (no frame is consumed)
     */
    public AudioFrame recv(AudioFrame reuse) throws InterruptedException {
        AudioFrame frame = frameFor(reuse);
        ensureLive();
        if (scheduled.get()) {
            throw new IllegalStateException("track " + id + " is attached to a FrameScheduler, which receives its frames");
        }
        long now = clock.nanoTime();
        long due = dueNanos(now);
        if (now < due) {
            sleepUntil(due);
            now = due; // a punctual consumer: the wake-up jitter is the clock's, not the track's
        }
        emit(frame, now - due);
        return frame;
    }

    /**
     * {@link #recv()} on a shared daemon thread. Futures complete in call order, one frame each;
     * a stopped track completes them exceptionally with {@link TrackEndedException}.
     */
    public CompletableFuture<AudioFrame> recvAsync() {
        synchronized (asyncLock) {
            CompletableFuture<AudioFrame> previous = asyncTail != null ? asyncTail : CompletableFuture.completedFuture(null);
            asyncTail = previous.handleAsync((ignored, error) -> {
                try {
                    return recv();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new CompletionException(e);
                }
            }, Async.EXECUTOR);
            return asyncTail;
        }
    }

    /** Audio in the buffer, held partial frame included, converter state excluded. */
    public Duration buffered() {
        long values;
        lock.lock();
        try {
            values = buffer.size();
        } finally {
            lock.unlock();
        }
        return Duration.ofNanos(values / format.channels() * 1_000_000_000L / format.sampleRate());
    }

    public TrackStats stats() {
        long emitted;
        long silent;
        long padded;
        long dropped;
        long late;
        long maxLate;
        long written;
        long flushCount;
        long flushed;
        lock.lock();
        try {
            emitted = framesEmitted;
            silent = silentFrames;
            padded = paddedFrames;
            dropped = droppedValues;
            late = lateFrames;
            maxLate = maxLatenessNanos;
            written = writtenValues;
            flushCount = flushes;
            flushed = flushedValues;
        } finally {
            lock.unlock();
        }
        int ch = format.channels();
        return new TrackStats(emitted, silent, padded, dropped / ch, late, Duration.ofNanos(maxLate), written / ch,
                flushCount, flushed / ch);
    }

    /**
     * Ends the track: buffered audio is released, blocked writers and a consumer waiting in
     * {@code recv} wake and throw {@link TrackEndedException}. Idempotent.
     */
    public void stop() {
        lock.lock();
        try {
            if (stopped) {
                return;
            }
            stopped = true;
            buffer.clear();
            buffer.releaseSpare();
        } finally {
            lock.unlock();
        }
        wakeBlockedWriter();
        completePlayouts(ended());
        Thread t = sleeper;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    /** Same as {@link #stop()}. */
    @Override
    public void close() {
        stop();
    }

    // ---- the consumer side, shared by recv and the FrameScheduler ----

    /** Due time of the next frame; the first call anchors the clock at {@code now}. */
    long dueNanos(long now) {
        if (!anchored) {
            anchored = true;
            anchorNanos = now;
        }
        return anchorNanos + nextFrame * frameNanos;
    }

    /** Fills {@code frame} with the next frame: audio, a padded partial or silence. */
    void emit(AudioFrame frame, long latenessNanos) {
        boolean playoutsDue;
        lock.lock();
        try {
            ensureLive();
            int n;
            boolean silence = false;
            int toRelease = buffer.samplesToRelease(valuesPerFrame);
            if (toRelease > 0 && toRelease < valuesPerFrame) {
                n = toRelease;
                paddedFrames++;
            } else if (buffer.size() >= valuesPerFrame) {
                n = valuesPerFrame;
            } else {
                n = 0;
                silence = true;
                silentFrames++;
            }
            if (format.sampleFormat() == SampleFormat.S16) {
                short[] out = frame.shorts();
                buffer.read(out, 0, n);
                java.util.Arrays.fill(out, n, valuesPerFrame, (short) 0);
            } else {
                float[] out = frame.floats();
                buffer.read(out, 0, n);
                java.util.Arrays.fill(out, n, valuesPerFrame, 0f);
            }
            if (!silence) {
                idleFrames = 0;
            } else if (++idleFrames == idleFramesBeforeRelease) {
                buffer.releaseSpare(); // starved for a second: hold no memory while idle
            }
            frame.stamp(nextFrame * samplesPerFrame, silence);
            nextFrame++;
            framesEmitted++;
            if (latenessNanos >= LATE_THRESHOLD_NANOS) {
                lateFrames++;
            }
            maxLatenessNanos = Math.max(maxLatenessNanos, latenessNanos);
            playoutsDue = playouts != null && !playouts.isEmpty() && playouts.peek().position <= buffer.readPosition();
        } finally {
            lock.unlock();
        }
        wakeBlockedWriter();
        if (playoutsDue) {
            completePlayouts(null);
        }
    }

    /**
     * Completes, off this thread, the playouts whose audio has left the buffer; all of them if
     * the buffer was flushed or {@code error} (the track stopped) is given.
     */
    private void completePlayouts(TrackEndedException error) {
        ArrayDeque<Playout> done = null;
        lock.lock();
        try {
            while (playouts != null && !playouts.isEmpty()
                    && (error != null || buffer.size() == 0 || playouts.peek().position <= buffer.readPosition())) {
                if (done == null) {
                    done = new ArrayDeque<>();
                }
                done.add(playouts.poll());
            }
        } finally {
            lock.unlock();
        }
        if (done == null) {
            return;
        }
        for (Playout p : done) {
            if (error != null) {
                CompletableFuture.runAsync(() -> p.future.completeExceptionally(error), Async.EXECUTOR);
            } else {
                p.future.completeAsync(() -> null, Async.EXECUTOR);
            }
        }
    }

    /** A producer waiting until the buffer's read position passes {@code position}. */
    private record Playout(long position, CompletableFuture<Void> future) {
    }

    /** Makes the caller the track's consumer; false if a scheduler already is. */
    boolean claimConsumer() {
        return scheduled.compareAndSet(false, true);
    }

    void releaseConsumer() {
        scheduled.set(false);
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

    private void sleepUntil(long due) throws InterruptedException {
        sleeper = Thread.currentThread();
        try {
            while (true) {
                if (stopped) {
                    throw ended();
                }
                if (clock.nanoTime() >= due) {
                    return;
                }
                clock.sleepUntil(due);
            }
        } finally {
            sleeper = null;
        }
    }

    /** Interleaved samples buffered (tests). */
    long bufferedValues() {
        lock.lock();
        try {
            return buffer.size();
        } finally {
            lock.unlock();
        }
    }

    /** Blocks the buffer holds (tests of memory behaviour). */
    int heldBlocks() {
        lock.lock();
        try {
            return buffer.heldBlocks();
        } finally {
            lock.unlock();
        }
    }

    private void ensureLive() {
        if (stopped) {
            throw ended();
        }
    }

    private TrackEndedException ended() {
        return new TrackEndedException("track " + id + " has been stopped");
    }

    @Override
    public String toString() {
        return "AudioStreamTrack[" + id + ", " + format + ", " + frameDuration.toMillis() + " ms frames"
                + (stopped ? ", stopped" : "") + "]";
    }

    /** Feeds converted pieces to the buffer under the overflow policy. */
    private final class Sink implements Converter.Sink {
        @Override
        public boolean accept(float[] samples, int offset, int count) throws InterruptedException {
            return enqueue(null, samples, null, offset, count);
        }

        @Override
        public boolean accept(short[] samples, int offset, int count) throws InterruptedException {
            return enqueue(samples, null, null, offset, count);
        }
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
            if (nanos > Long.MAX_VALUE / sampleRate || nanos * sampleRate % 1_000_000_000L != 0) {
                throw new IllegalArgumentException("frameDuration must be a whole number of samples at "
                        + sampleRate + " Hz, got " + frameDuration);
            }
            long frameSamples = nanos * sampleRate / 1_000_000_000L;
            if (frameSamples * channels > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("frameDuration gives " + frameSamples + " samples per channel at "
                        + sampleRate + " Hz, too many for one frame");
            }
            long limitFrames = limitFrames();
            if (limitFrames < 1) {
                throw new IllegalArgumentException("bufferLimit must hold at least one sample at " + sampleRate
                        + " Hz, got " + bufferLimit);
            }
            if (overflow == OverflowPolicy.BLOCK && limitFrames < frameSamples) {
                throw new IllegalArgumentException("bufferLimit must be at least frameDuration (" + frameDuration
                        + ") with OverflowPolicy.BLOCK, got " + bufferLimit);
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

    /** The daemon threads behind {@link #recvAsync()} and {@link #playout()} (created on first use). */
    private static final class Async {
        static final java.util.concurrent.ExecutorService EXECUTOR =
                java.util.concurrent.Executors.newCachedThreadPool(r -> {
                    Thread t = new Thread(r, "pcmtrack-async");
                    t.setDaemon(true);
                    return t;
                });
    }
}
