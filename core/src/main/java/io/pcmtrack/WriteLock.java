package io.pcmtrack;

import java.util.concurrent.locks.AbstractQueuedSynchronizer;

/**
 * A non-reentrant mutex whose state is a field of the object that extends it (as
 * {@link Converter} does), for writers that may wait long (a {@link OverflowPolicy#BLOCK} write
 * parks until there is room): waiters park, unlike on a {@link SpinLock}. A
 * {@code ReentrantLock} would be two more objects to load per write, which at 10,000 tracks
 * are two more cache misses. The holder must not take it again.
 *
 * <p>The holder is kept as its thread's id, not as AQS's owner {@code Thread}: storing a
 * reference into a long-lived object on every write makes G1's write barrier queue a card for
 * its concurrent refinement, and at 10,000 tracks that is 500,000 cards a second. The price:
 * thread dumps ({@code jstack -l}) and {@code ThreadMXBean} cannot name the holder of this lock.
 */
abstract class WriteLock extends AbstractQueuedSynchronizer {
    private static final long NO_OWNER = -1;

    /** Id of the thread holding the lock, or {@link #NO_OWNER}; written by the holder only. */
    private long owner = NO_OWNER;

    final void lockWrites() {
        acquire(1);
    }

    final void lockWritesInterruptibly() throws InterruptedException {
        acquireInterruptibly(1);
    }

    final void unlockWrites() {
        release(1);
    }

    @Override
    protected final boolean tryAcquire(int ignored) {
        if (compareAndSetState(0, 1)) {
            owner = Thread.currentThread().getId();
            return true;
        }
        return false;
    }

    @Override
    protected final boolean tryRelease(int ignored) {
        if (owner != Thread.currentThread().getId()) {
            throw new IllegalMonitorStateException("the write lock is not held by " + Thread.currentThread().getName());
        }
        owner = NO_OWNER;
        setState(0);
        return true;
    }

    @Override
    protected final boolean isHeldExclusively() {
        return owner == Thread.currentThread().getId();
    }
}
