package io.pcmtrack;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongPredicate;

/**
 * The converted audio of one track between its {@link Converter} and its {@link Pacer}: a
 * bounded {@link BlockQueue} under a {@link SpinLock} (both inherited, so that they are one
 * object with this), with the overflow policy, the flush epoch, stream positions, marks and the
 * counters that move with the samples.
 *
 * <p><b>Locking.</b> Every method takes the spin lock for a few field updates or one frame's copy,
 * never longer: drained blocks are recycled and futures completed after it is released. A
 * {@link OverflowPolicy#BLOCK} writer parks outside the lock and is unparked by the consumer,
 * {@code flush} and {@code stop}.
 *
 * <p><b>Positions.</b> Stream positions count samples per channel from 0 at creation; every
 * converted sample has one. A write reserves its whole converted length up front
 * ({@link #reserve}), so a flush racing it knows what it discards; the samples of a reservation
 * not yet appended are the resampler's tail. After a flush the next write's positions start
 * past everything discarded, while faded samples from before it may still be queued: queue
 * positions (interleaved, contiguous) map to stream positions through a short list of segments,
 * one per such jump.
 *
 * <p><b>Epoch.</b> {@code flush} bumps it; a writer passes the epoch it started under to every
 * call and is refused ({@code false}) once it moved, so a racing write lands wholly before a flush
 * or wholly after it.
 */
final class FrameBuffer extends BlockQueue {
    private static final VarHandle PLAYED;

    static {
        try {
            PLAYED = MethodHandles.lookup().findVarHandle(FrameBuffer.class, "playedPosition", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final int channels;
    private final int valuesPerFrame;
    private final long limitValues;
    private final OverflowPolicy overflow;
    private final int idleFramesBeforeRelease;
    private final boolean shorts;
    private final String trackId;

    private final MarkQueue marks = new MarkQueue();
    /** Set once the track has had a mark or a playout waiter: until then a frame never looks at {@link #marks}. */
    private boolean marksUsed;
    private final LongPredicate pending = this::isPendingLocked;

    // Guarded by lock.
    // The counters that move with the samples (interleaved samples where they count samples):
    // fields of this object, so a frame touches no other object for them.
    private long framesEmitted;
    private long silentFrames;
    private long paddedFrames;
    private long droppedValues;
    private long writtenValues;
    private long flushes;
    private long flushedValues;
    private long epoch;
    /** Written under the lock; volatile so that {@link #isStopped()} (every scheduled frame) reads it without the lock. */
    private volatile boolean stopped;
    private int idleFrames;
    /** Stream position one past the last accepted sample: appended samples plus the reserved tail. */
    private long reservedEnd;
    /** One past the last emitted sample; only grows. Written under the lock with a release store, read by any thread. */
    private long playedPosition;
    private long lastAudioPts = -1;
    /** Segments: queue position {@code segQueue[i]} holds stream position {@code segStream[i]}; increasing. */
    private long[] segQueue = new long[2];
    private long[] segStream = new long[2];
    private int segments = 1;
    /** Copies of segment 0, so that the usual single segment costs a frame no array loads. */
    private long firstSegQueue;
    private long firstSegStream;

    /**
     * Completions of marks and playouts in resolution order, filled under the lock and drained on
     * the event thread, so that two threads resolving marks at once cannot hand them over out of
     * order. Allocated on first use.
     */
    private ArrayDeque<Runnable> outbox;
    private final Runnable drainOutbox = this::drainOutbox;

    /** The writer parked for room ({@link OverflowPolicy#BLOCK}); writers are serialized, so at most one. */
    private volatile Thread blockedWriter;

    FrameBuffer(String trackId, PcmFormat format, int samplesPerFrame, long limitFrames, OverflowPolicy overflow,
            int idleFramesBeforeRelease) {
        this(trackId, format, samplesPerFrame, limitFrames, overflow, idleFramesBeforeRelease, BlockPool.of(format.sampleFormat()));
    }

    /** A buffer on the given pool (tests: a pool of its own). */
    FrameBuffer(String trackId, PcmFormat format, int samplesPerFrame, long limitFrames, OverflowPolicy overflow,
            int idleFramesBeforeRelease, BlockPool pool) {
        super(pool);
        this.trackId = trackId;
        this.channels = format.channels();
        this.valuesPerFrame = samplesPerFrame * channels;
        this.limitValues = limitFrames * channels;
        this.overflow = overflow;
        this.idleFramesBeforeRelease = idleFramesBeforeRelease;
        this.shorts = format.sampleFormat() == SampleFormat.S16;
    }

    // ---- the writer side (the Converter, under its write lock) ----

    /** The current flush epoch, for a write about to start. */
    long epoch() {
        lock();
        try {
            ensureLive();
            return epoch;
        } finally {
            unlock();
        }
    }

    /** Reserves {@code frames} positions under the current epoch, which it returns: a write with no chain to check. */
    long reserveNow(long frames) {
        lock();
        try {
            ensureLive();
            reservedEnd += frames;
            return epoch;
        } finally {
            unlock();
        }
    }

    /** Reserves the positions of {@code frames} converted samples; false if a flush moved the epoch. */
    boolean reserve(long frames, long writeEpoch) {
        lock();
        try {
            ensureLive();
            if (epoch != writeEpoch) {
                return false;
            }
            reservedEnd += frames;
            return true;
        } finally {
            unlock();
        }
    }

    /**
     * A write was interrupted: its reservation shrinks to what was appended (the resampler's tail
     * goes with it, as the converter is reset). Marks cannot be placed during a write, so none
     * sits in the range given back.
     */
    void abandonReservation(long writeEpoch) {
        lock();
        try {
            if (epoch == writeEpoch && !stopped) {
                reservedEnd = streamPosition(endPosition());
            }
        } finally {
            unlock();
        }
    }

    /** Marks the end as a release boundary: a held partial frame goes out padded. */
    void release(long writeEpoch) {
        lock();
        try {
            if (epoch == writeEpoch && !stopped) {
                markRelease();
            }
        } finally {
            unlock();
        }
    }

    /**
     * Appends {@code count} interleaved samples from exactly one of the arrays under the overflow
     * policy: {@link OverflowPolicy#DROP_OLDEST} drops the oldest audio down to the limit,
     * {@link OverflowPolicy#BLOCK} parks until the consumer makes room.
     *
     * @return false if a flush moved the epoch since {@code writeEpoch} (the rest is abandoned)
     * @throws TrackEndedException  if the track stopped
     * @throws InterruptedException if interrupted while waiting for room; {@code appended} tells how much went in
     */
    boolean append(short[] s, float[] f, byte[] b, int offset, int count, long writeEpoch, long[] appended)
            throws InterruptedException {
        while (true) {
            int garbage;
            boolean completions = false;
            reserveFor(count);
            lock();
            try {
                if (blockedWriter != null) {
                    blockedWriter = null; // a volatile store is a full fence: only when there is something to clear
                }
                ensureLive();
                if (epoch != writeEpoch) {
                    return false;
                }
                if (overflow == OverflowPolicy.DROP_OLDEST) {
                    completions = appendDroppingOldestLocked(s, f, b, offset, count, appended);
                    garbage = takeDrained();
                    count = 0;
                } else {
                    long room = limitValues - size();
                    if (room > 0) {
                        int n = (int) Math.min(room, count);
                        appendLocked(s, f, b, offset, n);
                        appended[0] += n;
                        offset += n;
                        count -= n;
                    }
                    garbage = Block.NONE;
                    if (count > 0) {
                        // Registered under the lock: a consumer that takes a frame after this unparks us.
                        blockedWriter = Thread.currentThread();
                    }
                }
            } finally {
                unlock();
            }
            recycle(garbage);
            postCompletions(completions);
            if (count == 0) {
                return true;
            }
            LockSupport.park(this);
            if (Thread.interrupted()) {
                blockedWriter = null;
                throw new InterruptedException();
            }
        }
    }

    /**
     * A whole write of {@code frames} frames in the track's format under
     * {@link OverflowPolicy#DROP_OLDEST}: reserves its positions and appends its samples in one
     * hold of the lock, which is what {@link #reserveNow} and {@link #append} do in two.
     *
     * @return the epoch the write ran under
     * @throws TrackEndedException if the track stopped
     */
    long reserveAndAppend(short[] s, float[] f, byte[] b, int count, long frames, long[] appended) {
        int garbage;
        boolean completions;
        long writeEpoch;
        reserveFor(count);
        lock();
        try {
            ensureLive();
            reservedEnd += frames;
            writeEpoch = epoch;
            completions = appendDroppingOldestLocked(s, f, b, 0, count, appended);
            garbage = takeDrained();
        } finally {
            unlock();
        }
        recycle(garbage);
        postCompletions(completions);
        return writeEpoch;
    }

    /** Appends under {@link OverflowPolicy#DROP_OLDEST}; true if marks or playouts completed. */
    private boolean appendDroppingOldestLocked(short[] s, float[] f, byte[] b, int offset, int count, long[] appended) {
        if (count > limitValues) {
            // Everything buffered and the head of this piece would be dropped at once:
            // the head never enters the queue, its positions are skipped.
            long skip = count - limitValues;
            long next = streamPosition(endPosition()) + skip / channels;
            dropLocked(size());
            jumpTo(next);
            droppedValues += skip;
            writtenValues += skip;
            appended[0] += skip;
            offset += (int) skip;
            count = (int) limitValues;
        }
        appendLocked(s, f, b, offset, count);
        appended[0] += count;
        long excess = size() - limitValues;
        if (excess > 0) {
            dropLocked(excess);
        }
        if (marksUsed && !marks.isEmpty()) {
            marks.settle(MarkOutcome.DROPPED, pending);
            return marks.resolve(minPendingLocked(), lastAudioPts, outbox());
        }
        return false;
    }

    private void appendLocked(short[] s, float[] f, byte[] b, int offset, int count) {
        if (count == 0) {
            return;
        }
        if (s != null) {
            append(s, offset, count);
        } else if (f != null) {
            append(f, offset, count);
        } else {
            appendLittleEndian(b, offset, count);
        }
        writtenValues += count;
        long end = streamPosition(endPosition());
        if (end > reservedEnd) {
            reservedEnd = end; // never expected: a converter gave more than it announced
        }
    }

    private void dropLocked(long values) {
        skip(values);
        droppedValues += values;
        pruneSegments();
    }

    // ---- the consumer side (the Pacer's consumer, one at a time) ----

    /**
     * Fills {@code frame} with the next frame (audio, a padded partial or silence), stamped
     * {@code pts}, and moves the positions and marks on.
     */
    void fill(AudioFrame frame, long pts) {
        int garbage;
        boolean completions = false;
        lock();
        try {
            ensureLive();
            int n;
            boolean silence = false;
            int toRelease = samplesToRelease(valuesPerFrame);
            if (toRelease > 0 && toRelease < valuesPerFrame) {
                n = toRelease;
                paddedFrames++;
            } else if (size() >= valuesPerFrame) {
                n = valuesPerFrame;
            } else {
                n = 0;
                silence = true;
                silentFrames++;
            }
            if (shorts) {
                short[] out = frame.shorts();
                read(out, 0, n);
                Arrays.fill(out, n, valuesPerFrame, (short) 0);
            } else {
                float[] out = frame.floats();
                read(out, 0, n);
                Arrays.fill(out, n, valuesPerFrame, 0f);
            }
            if (!silence) {
                idleFrames = 0;
                PLAYED.setRelease(this, streamPosition(headPosition() - channels) + 1);
                lastAudioPts = pts;
                pruneSegments();
                if (marksUsed && !marks.isEmpty()) {
                    marks.settle(MarkOutcome.PLAYED, pending);
                    completions = marks.resolve(minPendingLocked(), lastAudioPts, outbox());
                }
            } else if (++idleFrames == idleFramesBeforeRelease) {
                releaseSpare(); // starved for a second: hold no memory while idle
            }
            frame.stamp(pts, silence);
            framesEmitted++;
            garbage = takeDrained();
        } finally {
            unlock();
        }
        recycle(garbage);
        wakeBlockedWriter();
        postCompletions(completions);
    }

    /**
     * Loads what {@link #fill} reads first (the lock word, the queue and this object's other
     * lines, the head block's next samples), for a scheduler that prefetches. Takes no
     * lock: the values may be stale, and mean nothing. Consumer thread only.
     */
    long prefetch() {
        long sum = size() + framesEmitted + firstSegStream + idleFrames + (stopped ? 1 : 0) + (blockedWriter != null ? 1 : 0);
        return sum + peekHead();
    }

    /**
     * Loads what a write touches first (this object's lines, the tail block and where the next
     * samples go), so that the track can overlap these cache misses with loading its converter.
     * Takes no lock: the values may be stale, and mean nothing.
     */
    long prefetchForWrite() {
        long sum = size() + epoch + reservedEnd + writtenValues + firstSegStream + (stopped ? 1 : 0)
                + (marksUsed ? 1 : 0);
        return sum + peekTail();
    }

    // ---- any thread ----

    /**
     * Keeps the oldest {@code fadeFrames} buffered frames (fewer if fewer are buffered), fades them
     * to silence and releases them; discards the rest, the reserved tail and any write under way.
     *
     * @return the report, or null if the track is stopped
     */
    FlushReport flush(long fadeFrames) {
        int garbage;
        boolean completions = false;
        FlushReport report;
        lock();
        try {
            if (stopped) {
                return null;
            }
            epoch++;
            flushes++;
            long buffered = size() / channels;
            long keep = Math.min(fadeFrames, buffered);
            truncate(keep * channels);
            flushedValues += (buffered - keep) * channels;
            long played;
            if (keep > 0) {
                fadeOut((int) keep, channels);
                markRelease();
                played = streamPosition(endPosition() - channels) + 1;
            } else {
                played = (long) PLAYED.getAcquire(this);
            }
            pruneSegments();
            jumpTo(reservedEnd);
            // Everything after the heard point is reported, not only what this flush cut: so that
            // playedPosition + discardedSamples == writePosition() (a write boundary) also after an
            // earlier flush or overflow drops left a gap behind the last emitted sample.
            report = new FlushReport(played, reservedEnd - played);
            if (marksUsed && !marks.isEmpty()) {
                marks.settle(MarkOutcome.FLUSHED, pending);
                completions = marks.resolve(minPendingLocked(), lastAudioPts, outbox());
            }
            garbage = takeDrained();
        } finally {
            unlock();
        }
        recycle(garbage);
        wakeBlockedWriter(); // it sees the epoch moved and gives up
        postCompletions(completions);
        return report;
    }

    /** A mark at the reserved end; the caller holds the write lock, so no write is under way. */
    Mark mark(String label) {
        boolean completions;
        Mark mark;
        lock();
        try {
            ensureLive();
            mark = new Mark(label, reservedEnd);
            MarkOutcome known = reservedEnd == 0 || !isPendingLocked(reservedEnd - 1) ? MarkOutcome.PLAYED : null;
            marksUsed = true;
            marks.add(mark, known);
            completions = marks.resolve(minPendingLocked(), lastAudioPts, outbox());
        } finally {
            unlock();
        }
        postCompletions(completions);
        return mark;
    }

    /** A future completed once every sample appended so far has ended; exceptionally at stop. */
    CompletableFuture<Void> playout() {
        CompletableFuture<Void> future = new CompletableFuture<>();
        lock();
        try {
            if (stopped) {
                future.completeExceptionally(ended());
                return future;
            }
            if (size() == 0) {
                future.complete(null);
                return future;
            }
            marksUsed = true;
            marks.addPlayout(streamPosition(endPosition()), future);
        } finally {
            unlock();
        }
        return future;
    }

    /**
     * Ends the track: buffered audio is released, marks resolve, a blocked writer wakes.
     *
     * @return false if it was stopped already
     */
    boolean stop() {
        int garbage;
        boolean completions;
        lock();
        try {
            if (stopped) {
                return false;
            }
            stopped = true;
            clear();
            releaseSpare();
            completions = marks.endAll(ended(), outbox());
            garbage = takeDrained();
        } finally {
            unlock();
        }
        recycle(garbage);
        wakeBlockedWriter();
        postCompletions(completions);
        return true;
    }

    boolean isStopped() {
        return stopped;
    }

    long writePosition() {
        lock();
        try {
            return reservedEnd;
        } finally {
            unlock();
        }
    }

    long playedPosition() {
        return (long) PLAYED.getAcquire(this);
    }

    /** Interleaved samples buffered, held partial included, tail excluded. */
    long bufferedValues() {
        lock();
        try {
            return size();
        } finally {
            unlock();
        }
    }

    @Override
    int heldBlocks() {
        lock();
        try {
            return super.heldBlocks();
        } finally {
            unlock();
        }
    }

    /** The sample counters, per channel, with the pacer's own counters filled in. */
    TrackStats stats(Pacer pacer) {
        TrackCounters c;
        lock();
        try {
            c = new TrackCounters(framesEmitted, silentFrames, paddedFrames, droppedValues, writtenValues, flushes,
                    flushedValues);
        } finally {
            unlock();
        }
        return c.toStats(channels, pacer);
    }

    private ArrayDeque<Runnable> outbox() {
        if (outbox == null) {
            outbox = new ArrayDeque<>();
        }
        return outbox;
    }

    /** After the lock is released: has the event thread run what the outbox holds. */
    private void postCompletions(boolean any) {
        if (any) {
            TrackEvents.post(drainOutbox);
        }
    }

    /** On the event thread: runs the completions in the order they were resolved. */
    private void drainOutbox() {
        while (true) {
            Runnable next;
            lock();
            try {
                next = outbox == null ? null : outbox.poll();
            } finally {
                unlock();
            }
            if (next == null) {
                return;
            }
            TrackEvents.runSafely(next);
        }
    }

    private void wakeBlockedWriter() {
        Thread w = blockedWriter;
        if (w != null) {
            LockSupport.unpark(w);
        }
    }

    // ---- positions (lock held) ----

    /** Stream position of the sample at queue position {@code q}. */
    private long streamPosition(long q) {
        if (segments == 1) {
            long values = q - firstSegQueue;
            return firstSegStream + (channels == 1 ? values : values / channels);
        }
        int i = segments - 1;
        while (i > 0 && segQueue[i] > q) {
            i--;
        }
        long values = q - segQueue[i];
        return segStream[i] + (channels == 1 ? values : values / channels);
    }

    /** The next appended sample gets stream position {@code position}. */
    private void jumpTo(long position) {
        long q = endPosition();
        if (streamPosition(q) == position) {
            return;
        }
        while (segments > 0 && segQueue[segments - 1] >= q) {
            segments--; // a segment with no sample in it
        }
        if (segments == segQueue.length) {
            segQueue = Arrays.copyOf(segQueue, segments * 2);
            segStream = Arrays.copyOf(segStream, segments * 2);
        }
        segQueue[segments] = q;
        segStream[segments] = position;
        segments++;
        firstSegQueue = segQueue[0];
        firstSegStream = segStream[0];
    }

    /** Forgets the segments wholly behind the head. */
    private void pruneSegments() {
        long read = headPosition();
        int drop = 0;
        while (drop + 1 < segments && segQueue[drop + 1] <= read) {
            drop++;
        }
        if (drop > 0) {
            System.arraycopy(segQueue, drop, segQueue, 0, segments - drop);
            System.arraycopy(segStream, drop, segStream, 0, segments - drop);
            segments -= drop;
            firstSegQueue = segQueue[0];
            firstSegStream = segStream[0];
        }
    }

    /** True if stream position {@code p} is still to end: queued, or in the reserved tail. */
    private boolean isPendingLocked(long p) {
        long read = headPosition();
        long write = endPosition();
        if (p >= streamPosition(write)) {
            return p < reservedEnd;
        }
        for (int i = 0; i < segments; i++) {
            long from = Math.max(segQueue[i], read);
            long to = i + 1 < segments ? segQueue[i + 1] : write;
            if (from < to && p >= segStream[i] + (from - segQueue[i]) / channels
                    && p < segStream[i] + (to - segQueue[i]) / channels) {
                return true;
            }
        }
        return false;
    }

    /** The smallest stream position still to end, or {@code Long.MAX_VALUE}. */
    private long minPendingLocked() {
        if (size() > 0) {
            return streamPosition(headPosition());
        }
        long end = streamPosition(endPosition());
        return end < reservedEnd ? end : Long.MAX_VALUE;
    }

    private void ensureLive() {
        if (stopped) {
            throw ended();
        }
    }

    TrackEndedException ended() {
        return new TrackEndedException("track " + trackId + " has been stopped");
    }
}
