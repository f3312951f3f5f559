package io.pcmtrack.webrtc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import dev.onvoid.webrtc.PeerConnectionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Shared factories: reference counting, linger, and no thread growth over many calls. */
class WebRtcFactoriesTest {

    @AfterEach
    void restoreLinger() {
        WebRtcFactories.linger(Duration.ofMillis(WebRtcFactories.DEFAULT_LINGER_MILLIS));
    }

    @Test
    void aFactoryOutlivesItsLastLeaseByTheLingerThenIsDisposed() throws Exception {
        WebRtcFactories.linger(Duration.ofMillis(300));
        PeerConnectionFactory first;
        try (WebRtcFactories.Lease a = WebRtcFactories.sender()) {
            first = a.factory();
            try (WebRtcFactories.Lease b = WebRtcFactories.sender()) {
                assertThat(b.factory()).isSameAs(first);
                assertThat(WebRtcFactories.leaseCounts()[0]).isEqualTo(2);
            }
        }
        assertThat(WebRtcFactories.leaseCounts()).containsExactly(0, 0);
        try (WebRtcFactories.Lease c = WebRtcFactories.sender()) {
            assertThat(c.factory()).as("reused within the linger").isSameAs(first);
        }
        long deadline = System.nanoTime() + 3_000_000_000L;
        while (WebRtcFactories.anyCreated() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(WebRtcFactories.anyCreated()).as("disposed after the linger").isFalse();
    }

    @Test
    void aClosedLeaseNoLongerGivesItsFactory() {
        WebRtcFactories.Lease lease = WebRtcFactories.receiver();
        lease.close();
        lease.close();
        assertThat(WebRtcFactories.leaseCounts()[1]).isZero();
        assertThatThrownBy(lease::factory).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("receiver factory is closed");
        assertThatThrownBy(() -> WebRtcFactories.linger(Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("got PT-0.001S");
    }

    @Test
    void callsOneAfterAnotherDoNotAddThreads() throws Exception {
        try (LoopbackCall warmUp = LoopbackCall.open()) {
            assertThat(warmUp.setupTime()).isPositive();
        }
        long before = threads();
        long slowest = 0;
        for (int i = 0; i < 8; i++) {
            try (LoopbackCall call = LoopbackCall.open()) {
                slowest = Math.max(slowest, call.setupTime().toMillis());
            }
        }
        long after = threads();
        System.out.printf("8 calls in a row: OS threads %d -> %d, slowest setup %d ms%n", before, after, slowest);
        assertThat(after - before).as("OS threads added by 8 sequential calls").isLessThanOrEqualTo(2);
    }

    private static long threads() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("Threads:")) {
                return Long.parseLong(line.substring(8).trim());
            }
        }
        throw new IllegalStateException("no Threads: line in /proc/self/status");
    }
}
