package io.pcmtrack;

import java.util.concurrent.locks.LockSupport;

/** {@link MediaClock#system()}: {@code System.nanoTime} and one park per call. */
enum SystemClock implements MediaClock {
    INSTANCE;

    @Override
    public long nanoTime() {
        return System.nanoTime();
    }

    @Override
    public void sleepUntil(long deadlineNanos) throws InterruptedException {
        long wait = deadlineNanos - System.nanoTime();
        if (wait > 0) {
            LockSupport.parkNanos(this, wait);
        }
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
    }

    @Override
    public String toString() {
        return "MediaClock.system()";
    }
}
