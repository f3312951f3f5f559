package io.pcmtrack.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.pcmtrack.webrtc.AudioPush;
import org.junit.jupiter.api.Test;

/** The fan-out that feeds one track's chunks to every listener. */
class FanOutTest {
    private static final byte[] CHUNK = new byte[960];

    @Test
    void everyListenerGetsEveryChunkOnce() {
        FanOut fanOut = new FanOut("tone");
        List<Integer> a = new ArrayList<>();
        List<Integer> b = new ArrayList<>();
        fanOut.add((data, bits, rate, channels, frames) -> a.add(frames));
        fanOut.push(CHUNK, 16, 48_000, 1, 480);
        fanOut.add((data, bits, rate, channels, frames) -> b.add(frames));
        fanOut.push(CHUNK, 16, 48_000, 1, 480);

        assertThat(a).containsExactly(480, 480);
        assertThat(b).containsExactly(480); // joined live: nothing replayed
        assertThat(fanOut.listeners()).isEqualTo(2);
    }

    @Test
    void aFailingListenerDoesNotSilenceTheOthers() {
        FanOut fanOut = new FanOut("tone");
        AtomicInteger after = new AtomicInteger();
        fanOut.add((data, bits, rate, channels, frames) -> {
            throw new IllegalStateException("source disposed");
        });
        fanOut.add((data, bits, rate, channels, frames) -> after.incrementAndGet());
        fanOut.push(CHUNK, 16, 48_000, 1, 480);
        fanOut.push(CHUNK, 16, 48_000, 1, 480);

        assertThat(after.get()).isEqualTo(2);
        assertThat(fanOut.errors()).isEqualTo(2);
    }

    @Test
    void removeWaitsForAPushInProgressAndNothingReachesTheListenerAfterIt() throws Exception {
        FanOut fanOut = new FanOut("tone");
        CountDownLatch inPush = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger pushes = new AtomicInteger();
        AudioPush slow = (data, bits, rate, channels, frames) -> {
            pushes.incrementAndGet();
            inPush.countDown();
            try {
                release.await(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
        fanOut.add(slow);
        Thread scheduler = new Thread(() -> fanOut.push(CHUNK, 16, 48_000, 1, 480));
        scheduler.start();
        assertThat(inPush.await(5, TimeUnit.SECONDS)).isTrue();

        CountDownLatch removed = new CountDownLatch(1);
        Thread deleting = new Thread(() -> {
            fanOut.remove(slow);
            removed.countDown();
        });
        deleting.start();
        assertThat(removed.await(200, TimeUnit.MILLISECONDS)).as("remove returned during a push").isFalse();
        release.countDown();
        assertThat(removed.await(5, TimeUnit.SECONDS)).isTrue();
        scheduler.join(5_000);

        fanOut.push(CHUNK, 16, 48_000, 1, 480);
        assertThat(pushes.get()).isEqualTo(1);
        assertThat(fanOut.listeners()).isZero();
        assertThat(fanOut.remove(slow)).isFalse();
    }
}
