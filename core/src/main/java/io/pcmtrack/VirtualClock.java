package io.pcmtrack;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Deterministic time for tests and simulations: it starts at 0 and moves only when told.
 *
 * <p>{@link #sleepUntil} never blocks: it moves time forward to the deadline if that is later
 * and returns, so a paced consumer runs through hours of audio in milliseconds. Thread-safe.
 */
public final class VirtualClock implements MediaClock {
    private final AtomicLong nanos = new AtomicLong();

    /** A clock at time 0. */
    public VirtualClock() {
    }

    @Override
    public long nanoTime() {
        return nanos.get();
    }

    /** Moves time forward by {@code d}, which must not be negative. */
    public void advance(Duration d) {
        Objects.requireNonNull(d, "d");
        if (d.isNegative()) {
            throw new IllegalArgumentException("advance needs a duration >= 0, got " + d);
        }
        nanos.addAndGet(d.toNanos());
    }

    /** Moves time forward to {@code deadlineNanos} if that is later, then returns at once. */
    @Override
    public void sleepUntil(long deadlineNanos) {
        nanos.accumulateAndGet(deadlineNanos, Math::max);
    }

    @Override
    public String toString() {
        return "VirtualClock[" + Duration.ofNanos(nanos.get()) + "]";
    }
}
