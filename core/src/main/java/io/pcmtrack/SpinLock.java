package io.pcmtrack;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A test-and-test-and-set lock for critical sections of a few microseconds (one frame's copy,
 * a few counters). A contended {@code synchronized} parks the waiting thread, and waking a parked
 * thread costs a system call and, in a virtual machine whose idle vCPU has halted, milliseconds:
 * a scheduler thread that once waited 27 ms for a producer's 10-microsecond append showed it.
 * A waiter here spins, then yields; it never parks. Not reentrant; no fairness.
 */
final class SpinLock {
    private static final int SPINS_BEFORE_YIELD = 2_000;
    private final AtomicBoolean held = new AtomicBoolean();

    void lock() {
        if (held.compareAndSet(false, true)) {
            return;
        }
        int spins = 0;
        do {
            while (held.get()) {
                if (++spins < SPINS_BEFORE_YIELD) {
                    Thread.onSpinWait();
                } else {
                    Thread.yield(); // the holder may have been descheduled: let it run
                }
            }
        } while (!held.compareAndSet(false, true));
    }

    void unlock() {
        held.set(false);
    }
}
