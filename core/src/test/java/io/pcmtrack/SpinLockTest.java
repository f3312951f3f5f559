package io.pcmtrack;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

class SpinLockTest {

    /** Plain fields, changed only under the lock: a lost update or an overlap shows a broken lock. */
    private long counter;
    private int inside;

    @Test
    void threadsNeverHoldTheLockAtOnceAndNoUpdateIsLost() throws Exception {
        SpinLock lock = new SpinLock();
        int threads = 4;
        int rounds = 50_000;
        AtomicInteger overlaps = new AtomicInteger();
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread w = new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < rounds; i++) {
                    lock.lock();
                    try {
                        if (++inside != 1) {
                            overlaps.incrementAndGet();
                        }
                        counter++;
                        inside--;
                    } finally {
                        lock.unlock();
                    }
                }
            });
            workers.add(w);
            w.start();
        }
        go.countDown();
        for (Thread w : workers) {
            w.join(TimeUnit.SECONDS.toMillis(20));
            assertThat(w.isAlive()).isFalse();
        }
        assertThat(overlaps.get()).isZero();
        assertThat(counter).isEqualTo((long) threads * rounds);
    }

    @Test
    void aWaiterGetsTheLockOnceItIsReleasedEvenIfTheHolderWasSlow() throws Exception {
        SpinLock lock = new SpinLock();
        lock.lock();
        AtomicBoolean acquired = new AtomicBoolean();
        Thread waiter = new Thread(() -> {
            lock.lock();
            acquired.set(true);
            lock.unlock();
        });
        waiter.start();
        Thread.sleep(100); // the waiter spins past its spin budget and yields meanwhile
        assertThat(acquired).isFalse();
        lock.unlock();
        waiter.join(5_000);
        assertThat(acquired).isTrue();
    }
}
