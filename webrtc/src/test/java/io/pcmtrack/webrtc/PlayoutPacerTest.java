package io.pcmtrack.webrtc;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PlayoutPacerTest {
    private static final long MS = 1_000_000L;

    @Test
    void theFirstDeliveryOfAPullIsHeldToTheNextWholeMillisecond() {
        long previous = 0;
        // A pull 10.3 ms after the last: held to 11 ms, not to 10.3 + 1.
        long end = PlayoutPacer.holdUntil(previous, 10 * MS + 300_000);
        assertThat(end).isEqualTo(11 * MS);
        // Just before a boundary: held to that boundary; exactly on one: to the next.
        assertThat(PlayoutPacer.holdUntil(end, 20 * MS + 999_999)).isEqualTo(21 * MS);
        assertThat(PlayoutPacer.holdUntil(end, 30 * MS)).isEqualTo(31 * MS);
        // The monotonic clock may read negative.
        assertThat(PlayoutPacer.holdUntil(-100 * MS, -50 * MS - 1)).isEqualTo(-50 * MS);
    }

    @Test
    void laterDeliveriesOfTheSamePullAreNotHeldAgain() {
        long end = PlayoutPacer.holdUntil(0, 10 * MS + 300_000);
        // The second and third sinks of the pull come right after the first returned, past its boundary.
        assertThat(PlayoutPacer.holdUntil(end, 11 * MS + 50_000)).isEqualTo(end);
        assertThat(PlayoutPacer.holdUntil(end, 13 * MS)).isEqualTo(end);
        assertThat(PlayoutPacer.holdUntil(end, 16 * MS)).isEqualTo(end);
        // The next pull, some 10 ms on: held to its own boundary.
        assertThat(PlayoutPacer.holdUntil(end, 16 * MS + 1)).isEqualTo(17 * MS);
        assertThat(PlayoutPacer.holdUntil(end, 21 * MS + 10_000)).isEqualTo(22 * MS);
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
