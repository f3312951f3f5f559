package io.pcmtrack.webrtc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import io.pcmtrack.PcmData;
import io.pcmtrack.PcmFormat;
import io.pcmtrack.TrackEndedException;
import org.junit.jupiter.api.Test;

/** The receiving side, driven the way libwebrtc calls it (10 ms of 48 kHz mono per call), without the native library. */
class WebRtcAudioReceiverTest {

    /** 10 ms of 48 kHz mono whose first sample is {@code first}, as a fresh array (like webrtc-java). */
    private static byte[] chunk(int first) {
        byte[] b = new byte[960];
        b[0] = (byte) first;
        b[1] = (byte) (first >> 8);
        for (int i = 1; i < 480; i++) {
            b[2 * i] = 0x10;
        }
        return b;
    }

    private static void feed(WebRtcAudioReceiver rx, int first) {
        rx.onData(chunk(first), 16, 48_000, 1, 480);
    }

    private static int first(PcmData pcm) {
        return pcm.toShorts()[0];
    }

    @Test
    void deliversChunksInOrderInTheRequestedFormat() throws Exception {
        WebRtcAudioReceiver.Options stereoFloats = WebRtcAudioReceiver.options().format(PcmFormat.f32(48_000, 2));
        try (WebRtcAudioReceiver rx = WebRtcAudioReceiver.create(stereoFloats)) {
            feed(rx, 16384);
            feed(rx, -8192);
            PcmData a = rx.read(Duration.ofSeconds(1));
            PcmData b = rx.read(Duration.ofSeconds(1));
            assertThat(a.format()).isEqualTo(PcmFormat.f32(48_000, 2));
            assertThat(a.samplesPerChannel()).isEqualTo(480);
            assertThat(a.toFloats()[0]).isEqualTo(0.5f);
            assertThat(a.toFloats()[1]).isEqualTo(0.5f);
            assertThat(b.toFloats()[0]).isEqualTo(-0.25f);
            ReceiverStats s = rx.stats();
            assertThat(s.callbacks()).isEqualTo(2);
            assertThat(s.samplesReceived()).isEqualTo(960);
            assertThat(s.chunksDelivered()).isEqualTo(2);
            assertThat(s.samplesDelivered()).isEqualTo(960);
            assertThat(s.errors()).isZero();
        }
    }

    @Test
    void isBoundedDroppingTheOldestAndCountingIt() throws Exception {
        WebRtcAudioReceiver.Options small = WebRtcAudioReceiver.options().bufferLimit(Duration.ofMillis(100));
        try (WebRtcAudioReceiver rx = WebRtcAudioReceiver.create(small)) {
            for (int i = 0; i < 30; i++) {
                feed(rx, i);
            }
            assertThat(rx.buffered()).isEqualTo(Duration.ofMillis(100));
            ReceiverStats s = rx.stats();
            assertThat(s.droppedChunks()).isEqualTo(20);
            assertThat(s.droppedSamples()).isEqualTo(20 * 480);
            assertThat(first(rx.read(Duration.ZERO))).isEqualTo(20);
        }
    }

    @Test
    void readTimesOutWithNull() throws Exception {
        try (WebRtcAudioReceiver rx = WebRtcAudioReceiver.create(WebRtcAudioReceiver.options())) {
            long t0 = System.nanoTime();
            assertThat(rx.read(Duration.ofMillis(50))).isNull();
            assertThat(System.nanoTime() - t0).isGreaterThanOrEqualTo(45_000_000L);
        }
    }

    @Test
    void readAsyncCompletesOffTheCallbackThreadInCallOrder() throws Exception {
        try (WebRtcAudioReceiver rx = WebRtcAudioReceiver.create(WebRtcAudioReceiver.options())) {
            CompletableFuture<PcmData> f1 = rx.readAsync();
            CompletableFuture<PcmData> f2 = rx.readAsync();
            CompletableFuture<String> thread = f1.thenApply(pcm -> Thread.currentThread().getName());
            feed(rx, 1);
            feed(rx, 2);
            // Wait on the dependent first: a thread blocked in f1.get() may run f1's dependents itself.
            assertThat(thread.get(1, TimeUnit.SECONDS)).startsWith("pcmtrack-webrtc-async");
            assertThat(first(f1.get(1, TimeUnit.SECONDS))).isEqualTo(1);
            assertThat(first(f2.get(1, TimeUnit.SECONDS))).isEqualTo(2);
            feed(rx, 3);
            assertThat(first(rx.readAsync().get(1, TimeUnit.SECONDS))).isEqualTo(3);
        }
    }

    @Test
    void aCancelledFutureGivesItsChunkToTheNextReader() throws Exception {
        try (WebRtcAudioReceiver rx = WebRtcAudioReceiver.create(WebRtcAudioReceiver.options())) {
            rx.readAsync().cancel(false);
            feed(rx, 7);
            assertThat(first(rx.read(Duration.ofSeconds(1)))).isEqualTo(7);
        }
    }

    @Test
    void cancellingFuturesWhileChunksArriveNeitherLosesNorReordersAudio() throws Exception {
        try (WebRtcAudioReceiver rx = WebRtcAudioReceiver.create(WebRtcAudioReceiver.options())) {
            java.util.List<java.util.concurrent.CompletableFuture<PcmData>> futures = new java.util.ArrayList<>();
            for (int i = 0; i < 2_000; i++) {
                futures.add(rx.readAsync());
            }
            Thread canceller = new Thread(() -> {
                for (int i = 0; i < futures.size(); i += 2) {
                    futures.get(i).cancel(false); // races the callbacks below
                }
            });
            canceller.start();
            for (int i = 1; i <= 2_000; i++) {
                feed(rx, i);
            }
            canceller.join();
            java.util.List<Integer> got = new java.util.ArrayList<>();
            for (java.util.concurrent.CompletableFuture<PcmData> f : futures) {
                if (!f.isCancelled()) {
                    got.add(first(f.get(5, java.util.concurrent.TimeUnit.SECONDS)));
                }
            }
            PcmData rest;
            while ((rest = rx.read(Duration.ZERO)) != null) {
                got.add(first(rest));
            }
            assertThat(got).hasSize(2_000);
            for (int i = 0; i < got.size(); i++) {
                assertThat(got.get(i)).as("chunk %d", i).isEqualTo(i + 1);
            }
            assertThat(rx.stats().chunksDelivered()).isEqualTo(2_000);
        }
    }

    @Test
    void aChunkConvertedBeforeAClearIsNotQueuedAfterIt() throws Exception {
        // A converter slow enough to clear in the middle: 8 kHz output makes each callback resample.
        WebRtcAudioReceiver.Options narrow = WebRtcAudioReceiver.options().format(PcmFormat.s16(8_000, 1))
                .bufferLimit(Duration.ofSeconds(100));
        try (WebRtcAudioReceiver rx = WebRtcAudioReceiver.create(narrow)) {
            Thread feeder = new Thread(() -> {
                for (int i = 0; i < 3_000; i++) {
                    feed(rx, 1000);
                }
            });
            feeder.start();
            while (rx.stats().callbacks() < 200) {
                Thread.onSpinWait();
            }
            long beforeClear = rx.stats().callbacks();
            rx.clear();
            long afterClear = rx.stats().callbacks();
            feeder.join();
            // What is queued came in after the clear: nothing from before it, nothing after it lost
            // (the callbacks that raced the clear itself may go either way).
            long queued = rx.buffered().toMillis() / 10;
            assertThat(queued).isBetween(3_000 - afterClear - 1, 3_000 - beforeClear);
            assertThat(rx.stats().droppedChunks()).isZero();
        }
    }

    @Test
    void aListenerGetsEveryChunkAndSurvivesItsOwnExceptions() throws Exception {
        List<Integer> got = new CopyOnWriteArrayList<>();
        WebRtcAudioReceiver rx = WebRtcAudioReceiver.create(WebRtcAudioReceiver.options());
        rx.onAudio(pcm -> {
            got.add(first(pcm));
            if (got.size() == 2) {
                throw new IllegalStateException("listener failure (expected by the test)");
            }
        });
        for (int i = 0; i < 5; i++) {
            feed(rx, i);
        }
        long deadline = System.nanoTime() + 2_000_000_000L;
        while (got.size() < 5 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(got).containsExactly(0, 1, 2, 3, 4);
        assertThat(rx.stats().errors()).isEqualTo(1);
        assertThatThrownBy(() -> rx.read(Duration.ZERO)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("listener");
        assertThatThrownBy(() -> rx.onAudio(pcm -> { })).isInstanceOf(IllegalStateException.class);
        rx.close();
    }

    @Test
    void neverThrowsIntoTheCallerOnBadInput() throws Exception {
        try (WebRtcAudioReceiver rx = WebRtcAudioReceiver.create(WebRtcAudioReceiver.options())) {
            rx.onData(new byte[480], 8, 48_000, 1, 480);
            rx.onData(null, 16, 48_000, 1, 480);
            rx.onData(new byte[100], 16, 48_000, 1, 480);
            rx.onData(new byte[960], 16, 500, 1, 480);
            rx.sink().onData(new byte[960], 16, 48_000, 0, 480);
            assertThat(rx.stats().errors()).isEqualTo(5);
            assertThat(rx.read(Duration.ZERO)).isNull();
            feed(rx, 5);
            assertThat(first(rx.read(Duration.ZERO))).isEqualTo(5);
        }
    }

    @Test
    void closeFailsPendingFuturesAndReadsDrainThenThrow() throws Exception {
        WebRtcAudioReceiver rx = WebRtcAudioReceiver.create(WebRtcAudioReceiver.options());
        CompletableFuture<PcmData> pending = rx.readAsync();
        rx.close();
        assertThatThrownBy(() -> pending.get(1, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(TrackEndedException.class);

        WebRtcAudioReceiver rx2 = WebRtcAudioReceiver.create(WebRtcAudioReceiver.options());
        feed(rx2, 9);
        rx2.close();
        feed(rx2, 10); // after close: ignored
        assertThat(first(rx2.read(Duration.ZERO))).isEqualTo(9);
        assertThatThrownBy(() -> rx2.read(Duration.ofSeconds(1))).isInstanceOf(TrackEndedException.class);
        assertThat(rx2.stats().callbacks()).isEqualTo(1);
    }

    @Test
    void closeWakesABlockedReader() throws Exception {
        WebRtcAudioReceiver rx = WebRtcAudioReceiver.create(WebRtcAudioReceiver.options());
        CompletableFuture<Throwable> outcome = CompletableFuture.supplyAsync(() -> {
            try {
                rx.read(Duration.ofSeconds(30));
                return null;
            } catch (Throwable t) {
                return t;
            }
        });
        Thread.sleep(50);
        rx.close();
        assertThat(outcome.get(2, TimeUnit.SECONDS)).isInstanceOf(TrackEndedException.class);
    }

    @Test
    void countsCallbackGapsLongerThanTwoChunks() throws Exception {
        // Real time: on a loaded machine the "short" interval can itself exceed 20 ms; such a
        // run proves nothing either way and is repeated (the whole first interval is timed).
        for (int attempt = 1; ; attempt++) {
            try (WebRtcAudioReceiver rx = WebRtcAudioReceiver.create(WebRtcAudioReceiver.options())) {
                long before = System.nanoTime();
                feed(rx, 0);
                feed(rx, 0);
                long shortInterval = System.nanoTime() - before;
                Thread.sleep(40);
                feed(rx, 0);
                if (shortInterval >= 20_000_000 && attempt < 20) {
                    continue;
                }
                ReceiverStats s = rx.stats();
                assertThat(s.gaps()).isEqualTo(1);
                assertThat(s.maxCallbackInterval()).isGreaterThanOrEqualTo(Duration.ofMillis(40));
                return;
            }
        }
    }

    @Test
    void copiesAnArrayThatLibwebrtcWouldReuse() throws Exception {
        try (WebRtcAudioReceiver rx = WebRtcAudioReceiver.create(WebRtcAudioReceiver.options())) {
            byte[] reused = chunk(1);
            rx.onData(reused, 16, 48_000, 1, 480);
            reused[0] = 2;
            rx.onData(reused, 16, 48_000, 1, 480);
            reused[0] = 3;
            assertThat(first(rx.read(Duration.ZERO))).isEqualTo(3); // the first array was wrapped (fresh per call)
            assertThat(first(rx.read(Duration.ZERO))).isEqualTo(2); // the repeat was copied
        }
    }

    @Test
    void clearDropsQueuedAudio() throws Exception {
        try (WebRtcAudioReceiver rx = WebRtcAudioReceiver.create(WebRtcAudioReceiver.options())) {
            feed(rx, 1);
            feed(rx, 2);
            rx.clear();
            assertThat(rx.buffered()).isZero();
            feed(rx, 3);
            assertThat(first(rx.read(Duration.ZERO))).isEqualTo(3);
            assertThat(rx.stats().cleared()).isEqualTo(1);
            assertThat(rx.stats().droppedChunks()).isZero();
        }
    }
}
