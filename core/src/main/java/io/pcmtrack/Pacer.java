package io.pcmtrack;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A track's time: anchors at the first frame, says when each frame is due and which pts it
 * carries, skips ahead after a stall longer than the catch-up limit, and knows who consumes.
 *
 * <p>Frame {@code n} is due at {@code anchor + n * frameDuration} with pts
 * {@code n * samplesPerFrame}: due times come from the anchor, never from the previous frame,
 * so no drift accumulates. A consumer more than {@code maxCatchUp} late skips the slots due
 * earlier than that (pts jumps with them, so timestamps stay on the wall clock) and catches up
 * the rest at once, on the same grid.
 *
 * <p>Threads: one consumer at a time ({@code recv} or a {@link FrameScheduler}), which
 * {@link #claim} makes exclusive; the claim's atomic hand-over publishes the consumer state to
 * the next consumer. The counters have that one writer and are read from any thread.
 */
final class Pacer {
    static final int NONE = 0;
    static final int RECV = 1;
    static final int SCHEDULER = 2;

    /** A frame handed out this long after its due time is late (see {@link AudioStreamTrack#LATE_THRESHOLD}). */
    private final long lateNanos;
    private final String trackId;
    private final MediaClock clock;
    private final long frameNanos;
    private final int samplesPerFrame;
    /** Set by the builder or {@link AudioStreamTrack#setMaxCatchUp} (any thread); read once per due time. */
    private volatile long maxCatchUpNanos;
    private final AtomicInteger consumer = new AtomicInteger(NONE);

    // Consumer state: written by the consumer holding the claim.
    private boolean anchored;
    private long anchorNanos;
    private long nextFrame;
    private volatile Thread sleeper;
    private volatile boolean stopped;

    // Counters: one writer (the consumer), any reader.
    private volatile long lateFrames;
    private volatile long maxLatenessNanos;
    private volatile long stalls;
    private volatile long skippedFrames;

    /**
     * @param maxCatchUpNanos most a consumer catches up at once; {@code Long.MAX_VALUE} for no limit
     */
    Pacer(String trackId, MediaClock clock, long frameNanos, int samplesPerFrame, long maxCatchUpNanos, long lateNanos) {
        this.trackId = trackId;
        this.clock = clock;
        this.frameNanos = frameNanos;
        this.samplesPerFrame = samplesPerFrame;
        this.maxCatchUpNanos = maxCatchUpNanos;
        this.lateNanos = lateNanos;
    }

    /** Makes {@code who} the consumer; false if another one is. */
    boolean claim(int who) {
        return consumer.compareAndSet(NONE, who);
    }

    void release(int who) {
        consumer.compareAndSet(who, NONE);
    }

    /** Who consumes now: {@link #NONE}, {@link #RECV} or {@link #SCHEDULER}. */
    int consumer() {
        return consumer.get();
    }

    /**
     * Due time of the next frame, seen at {@code now}: the first call anchors the clock at
     * {@code now}; a frame overdue by more than the catch-up limit makes the pacer skip ahead.
     */
    long due(long now) {
        if (!anchored) {
            anchored = true;
            anchorNanos = now;
        }
        long due = anchorNanos + nextFrame * frameNanos;
        long limit = maxCatchUpNanos;
        if (now - due > limit) {
            // Skip every slot due strictly more than the limit before now.
            long first = Math.floorDiv(now - limit - anchorNanos + frameNanos - 1, frameNanos);
            skippedFrames += first - nextFrame;
            stalls++;
            nextFrame = first;
            due = anchorNanos + nextFrame * frameNanos;
        }
        return due;
    }

    void maxCatchUpNanos(long nanos) {
        maxCatchUpNanos = nanos;
    }

    /** Due time of the next frame without looking at the clock (anchored already). */
    long nextDue() {
        return anchorNanos + nextFrame * frameNanos;
    }

    /** Loads the fields a frame uses, for a scheduler that prefetches; the value means nothing. */
    long prefetch() {
        return anchorNanos + nextFrame + maxCatchUpNanos + maxLatenessNanos;
    }

    /** pts of the next frame. */
    long pts() {
        return nextFrame * samplesPerFrame;
    }

    /** The next frame went out {@code latenessNanos} after its due time. */
    void emitted(long latenessNanos) {
        nextFrame++;
        if (latenessNanos >= lateNanos) {
            lateFrames++;
        }
        if (latenessNanos > maxLatenessNanos) {
            maxLatenessNanos = latenessNanos;
        }
    }

    /** Waits on the clock until {@code due}; wakes and throws if the track stops. */
    void sleepUntil(long due) throws InterruptedException {
        sleeper = Thread.currentThread();
        try {
            while (true) {
                if (stopped) {
                    throw new TrackEndedException("track " + trackId + " has been stopped");
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

    /** Wakes a consumer sleeping in {@link #sleepUntil}; it then throws. */
    void stop() {
        stopped = true;
        Thread t = sleeper;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    long lateFrames() {
        return lateFrames;
    }

    long maxLatenessNanos() {
        return maxLatenessNanos;
    }

    long stalls() {
        return stalls;
    }

    long skippedFrames() {
        return skippedFrames;
    }
}
