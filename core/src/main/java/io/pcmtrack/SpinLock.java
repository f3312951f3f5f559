package io.pcmtrack;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A test-and-test-and-set lock for critical sections of a few microseconds (one frame's copy,
 * a few counters). A contended {@code synchronized} parks the waiting thread, and waking a parked
 * thread costs a system call and, in a virtual machine whose idle vCPU has halted, milliseconds:
 * a scheduler thread that once waited 27 ms for a producer's 10-microsecond append showed it.
 * A waiter here spins, then yields; it never parks. Not reentrant; no fairness.
 *
 * <p>The lock word is a field of this object, and a class it guards may extend it (as
 * {@link FrameBuffer} does) so that taking the lock touches no other object: at 10,000 tracks
 * every pointer chased per frame is a cache miss.
 */
class SpinLock {
    private static final int SPINS_BEFORE_YIELD = 2_000;
    private static final VarHandle HELD;

    static {
        try {
            HELD = MethodHandles.lookup().findVarHandle(SpinLock.class, "held", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @SuppressWarnings("unused") // through HELD
    private volatile int held;

    final void lock() {
        if (HELD.compareAndSet(this, 0, 1)) {
            return;
        }
        int spins = 0;
        do {
            while (held != 0) {
                if (++spins < SPINS_BEFORE_YIELD) {
                    Thread.onSpinWait();
                } else {
                    Thread.yield(); // the holder may have been descheduled: let it run
                }
            }
        } while (!HELD.compareAndSet(this, 0, 1));
    }

    final void unlock() {
        HELD.setRelease(this, 0);
    }
}
