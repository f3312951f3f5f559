package io.pcmtrack;

import java.util.concurrent.locks.LockSupport;

/**
 * The time everything in pcmtrack waits on, so that pacing can be tested in virtual time.
 *
 * <p>Contract, in the spirit of {@link LockSupport#parkNanos}: {@link #sleepUntil} blocks the
 * calling thread until {@link #nanoTime()} reaches the deadline, but it may return earlier, for
 * instance when the thread is unparked with {@link LockSupport#unpark}; callers re-check the time
 * in a loop. That is how a track wakes a consumer blocked in {@code recv} when it is stopped.
 * Implementations must be thread-safe.
 */
public interface MediaClock {

    /** Monotonic time in nanoseconds; only differences are meaningful. */
    long nanoTime();

    /**
     * Blocks until {@code nanoTime() >= deadlineNanos}, or returns early (spuriously or when the
     * thread is unparked). Returns at once if the deadline has passed.
     *
     * @throws InterruptedException if the thread is interrupted while waiting
     */
    void sleepUntil(long deadlineNanos) throws InterruptedException;

    /** The JVM's monotonic clock ({@link System#nanoTime()}), sleeping with {@link LockSupport#parkNanos}. */
    static MediaClock system() {
        return SystemClock.INSTANCE;
    }
}
