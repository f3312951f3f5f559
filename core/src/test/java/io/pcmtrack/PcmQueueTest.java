package io.pcmtrack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/** The queue of received audio that the WebRTC and phone receivers share. */
class PcmQueueTest {
    private static final PcmFormat FORMAT = PcmFormat.s16(8_000, 1);

    private static PcmData chunk(int first) {
        short[] s = new short[80];
        s[0] = (short) first;
        return PcmData.ofShorts(8_000, 1, s);
    }

    @Test
    void overTheLimitTheOldestChunksAreDroppedAndCounted() throws Exception {
        PcmQueue q = new PcmQueue(FORMAT, Duration.ofMillis(30), "test audio");
        for (int i = 1; i <= 5; i++) {
            q.offer(chunk(i)); // 10 ms each
        }
        assertThat(q.buffered()).isEqualTo(Duration.ofMillis(30));
        assertThat(q.read(Duration.ZERO).toShorts()[0]).isEqualTo((short) 3);
        assertThat(q.stats().droppedChunks()).isEqualTo(2);
        assertThat(q.stats().samplesDelivered()).isEqualTo(80);
    }

    @Test
    void cancellingWaitingFuturesWhileChunksArriveLosesAndReordersNothing() throws Exception {
        PcmQueue q = new PcmQueue(FORMAT, Duration.ofSeconds(100), "test audio");
        List<CompletableFuture<PcmData>> futures = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            futures.add(q.readAsync());
        }
        Thread canceller = new Thread(() -> {
            for (int i = 0; i < futures.size(); i += 2) {
                futures.get(i).cancel(false);
            }
        });
        canceller.start();
        for (int i = 1; i <= 2_000; i++) {
            q.offer(chunk(i));
        }
        canceller.join();
        List<Integer> got = new ArrayList<>();
        for (CompletableFuture<PcmData> f : futures) {
            if (!f.isCancelled()) {
                got.add((int) f.get(5, TimeUnit.SECONDS).toShorts()[0]);
            }
        }
        PcmData rest;
        while ((rest = q.read(Duration.ZERO)) != null) {
            got.add((int) rest.toShorts()[0]);
        }
        assertThat(got).hasSize(2_000);
        for (int i = 0; i < got.size(); i++) {
            assertThat(got.get(i)).as("chunk %d", i).isEqualTo(i + 1);
        }
    }

    @Test
    void afterCloseReadsDrainThenThrowAndOffersAreRefused() throws Exception {
        PcmQueue q = new PcmQueue(FORMAT, Duration.ofSeconds(1), "test audio");
        q.offer(chunk(7));
        CompletableFuture<PcmData> second = q.readAsync();
        assertThat(second.get(5, TimeUnit.SECONDS).toShorts()[0]).isEqualTo((short) 7);
        CompletableFuture<PcmData> pending = q.readAsync();
        q.close();
        assertThatThrownBy(() -> pending.get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(TrackEndedException.class);
        assertThat(q.offer(chunk(8))).isFalse();
        assertThatThrownBy(() -> q.read(Duration.ZERO)).isInstanceOf(TrackEndedException.class)
                .hasMessageContaining("test audio");
    }
}
