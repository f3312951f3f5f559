package io.pcmtrack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

/** The few tests that need real time; bounds are generous so a loaded machine passes. */
class RealClockPacingTest {

    @Test
    void firstFrameIsImmediateAndFramesAreSpacedByTheFrameDuration() throws Exception {
        AudioStreamTrack t = AudioStreamTrack.create();
        long start = System.nanoTime();
        t.recv();
        long first = System.nanoTime() - start;
        AudioFrame frame = null;
        for (int i = 0; i < 25; i++) {
            frame = t.recv(frame);
        }
        long elapsed = System.nanoTime() - start;
        assertThat(first).as("first frame").isLessThan(Duration.ofMillis(15).toNanos());
        // 25 frames after the first are due 500 ms after it; early is impossible, late is bounded.
        assertThat(elapsed).isBetween(Duration.ofMillis(499).toNanos(), Duration.ofMillis(900).toNanos());
        assertThat(frame.pts()).isEqualTo(25 * 960);
    }

    @Test
    void stopWakesAConsumerBlockedInRecv() throws Exception {
        AudioStreamTrack t = AudioStreamTrack.builder().frameDuration(Duration.ofSeconds(30)).build();
        t.recv(); // anchors; the next frame is due in 30 s
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread consumer = recvInThread(t, thrown);
        assertThat(consumer.isAlive()).as("recv is waiting for its frame").isTrue();
        long stoppedAt = System.nanoTime();
        t.stop();
        consumer.join(5_000);
        assertThat(consumer.isAlive()).isFalse();
        assertThat(System.nanoTime() - stoppedAt).isLessThan(Duration.ofSeconds(2).toNanos());
        assertThat(thrown.get()).isInstanceOf(TrackEndedException.class);
    }

    @Test
    void interruptingABlockedRecvThrowsWithoutConsumingAFrame() throws Exception {
        AudioStreamTrack t = AudioStreamTrack.builder().frameDuration(Duration.ofSeconds(30)).build();
        t.recv();
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread consumer = recvInThread(t, thrown);
        consumer.interrupt();
        consumer.join(5_000);
        assertThat(thrown.get()).isInstanceOf(InterruptedException.class);
        assertThat(t.stats().framesEmitted()).isEqualTo(1);
        assertThatThrownBy(() -> {
            t.stop();
            t.recv();
        }).isInstanceOf(TrackEndedException.class);
    }

    /** Starts a thread blocked in {@code recv} (the next frame is far off) and lets it get there. */
    private static Thread recvInThread(AudioStreamTrack t, AtomicReference<Throwable> thrown) throws InterruptedException {
        Thread consumer = new Thread(() -> {
            try {
                t.recv();
            } catch (Throwable e) {
                thrown.set(e);
            }
        });
        consumer.start();
        Thread.sleep(100);
        return consumer;
    }
}
