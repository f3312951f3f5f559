package io.pcmtrack;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Semantics 16 with a writer racing the consumer: stalls of random length re-anchor the pacing,
 * yet every written sample comes out once and in order, and pts stays on the frame grid.
 */
@Timeout(30)
class CatchUpRaceTest {

    @Test
    void stallsWhileAWriterRacesLoseNoAudioAndKeepPtsOnTheGrid() throws Exception {
        VirtualClock clock = new VirtualClock();
        AudioStreamTrack t = AudioStreamTrack.builder().clock(clock).maxCatchUp(Duration.ofMillis(100))
                .bufferLimit(Duration.ofSeconds(600)).build();
        int total = 48_000 * 10;
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread writer = new Thread(() -> {
            try {
                Random random = new Random(1);
                int next = 0;
                while (next < total) {
                    int n = Math.min(total - next, 1 + random.nextInt(2000));
                    short[] s = new short[n];
                    for (int i = 0; i < n; i++) {
                        s[i] = (short) (1 + (next + i) % 30_000); // never zero
                    }
                    t.write(PcmData.ofShorts(48_000, 1, s), next + n == total);
                    next += n;
                }
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        writer.start();
        Random random = new Random(2);
        int expected = 0;
        long lastPts = -960;
        long skippedSeen = 0;
        AudioFrame frame = null;
        while (expected < total) {
            if (random.nextInt(50) == 0) {
                clock.advance(Duration.ofMillis(random.nextInt(2000))); // a stall, sometimes within the limit
            }
            frame = t.recv(frame);
            assertThat(frame.pts() % 960).isZero();
            assertThat(frame.pts()).isGreaterThan(lastPts);
            skippedSeen += (frame.pts() - lastPts) / 960 - 1;
            lastPts = frame.pts();
            for (short v : frame.shorts()) {
                if (v != 0) {
                    assertThat(v).as("sample %d", expected).isEqualTo((short) (1 + expected % 30_000));
                    expected++;
                }
            }
        }
        writer.join();
        assertThat(failure.get()).isNull();
        TrackStats s = t.stats();
        assertThat(s.stalls()).as("stalls were exercised").isPositive();
        assertThat(s.skippedFrames()).as("pts jumps are the skipped slots").isEqualTo(skippedSeen);
        assertThat(t.playedPosition()).isEqualTo(total);
        assertThat(s.framesEmitted()).isEqualTo(lastPts / 960 + 1 - skippedSeen);
    }
}
