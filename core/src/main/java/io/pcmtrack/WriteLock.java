package io.pcmtrack;

import java.util.concurrent.locks.AbstractQueuedSynchronizer;

/**
 * A non-reentrant mutex whose state is a field of the object that extends it (as
 * {@link Converter} does), for writers that may wait long (a {@link OverflowPolicy#BLOCK} write
 * parks until there is room): waiters park, unlike on a {@link SpinLock}. A
 * {@code ReentrantLock} would be two more objects to load per write, which at 10,000 tracks
 * are two more cache misses. The holder must not take it again.
 */
abstract class WriteLock extends AbstractQueuedSynchronizer {
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
            setExclusiveOwnerThread(Thread.currentThread());
            return true;
        }
        return false;
    }

    @Override
    protected final boolean tryRelease(int ignored) {
        if (getExclusiveOwnerThread() != Thread.currentThread()) {
            throw new IllegalMonitorStateException("the write lock is not held by " + Thread.currentThread().getName());
        }
        setExclusiveOwnerThread(null);
        setState(0);
        return true;
    }

    @Override
    protected final boolean isHeldExclusively() {
        return getExclusiveOwnerThread() == Thread.currentThread();
    }
}
