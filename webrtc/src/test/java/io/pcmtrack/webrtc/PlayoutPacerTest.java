package io.pcmtrack.webrtc;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PlayoutPacerTest {
    private static final long MS = 1_000_000L;

    @Test
    void theFirstDeliveryOfAPullIsHeldToTheNextWholeMillisecond() {
        // A pull 9.7 ms after the last returned, at 10.3 ms: held to 11 ms, not to 10.3 + 1.
        assertThat(PlayoutPacer.holdUntil(600_000, 10 * MS + 300_000)).isEqualTo(11 * MS);
        // Just before a boundary: held to that boundary; exactly on one: to the next.
        assertThat(PlayoutPacer.holdUntil(11 * MS, 20 * MS + 999_999)).isEqualTo(21 * MS);
        assertThat(PlayoutPacer.holdUntil(21 * MS, 30 * MS)).isEqualTo(31 * MS);
        // The device sleeps at least a millisecond between pulls: a millisecond after the last return is a new pull.
        assertThat(PlayoutPacer.holdUntil(31 * MS + 100, 32 * MS + 100)).isEqualTo(33 * MS);
        // The monotonic clock may read negative.
        assertThat(PlayoutPacer.holdUntil(-100 * MS, -50 * MS - 1)).isEqualTo(-50 * MS);
    }

    @Test
    void laterDeliveriesOfTheSamePullAreNotHeld() {
        // The first sink of the pull returned at 11.05 ms; the others come microseconds apart, however many there
        // are and however long the pull takes: none is held.
        long lastReturn = 11 * MS + 50_000;
        for (int sink = 0; sink < 400; sink++) {
            long now = lastReturn + 30_000;
            assertThat(PlayoutPacer.holdUntil(lastReturn, now)).isEqualTo(now);
            lastReturn = now + 5_000;
        }
        assertThat(lastReturn).isGreaterThan(25 * MS);
        // The next pull, after the device's sleep.
        assertThat(PlayoutPacer.holdUntil(lastReturn, lastReturn + 2 * MS)).isEqualTo(Math.floorDiv(lastReturn + 2 * MS, MS) * MS + MS);
    }

    @Test
    void afterDeliveryReturnsPastTheNextWholeMillisecond() throws Exception {
        long[] times = new long[2];
        // A thread of its own, as the device's pulling thread is: its first delivery starts a pull.
        Thread t = new Thread(() -> {
            times[0] = System.nanoTime();
            PlayoutPacer.afterDelivery();
            times[1] = System.nanoTime();
        });
        t.start();
        t.join();
        assertThat(times[1]).isGreaterThanOrEqualTo(Math.floorDiv(times[0], MS) * MS + MS);
    }
}
