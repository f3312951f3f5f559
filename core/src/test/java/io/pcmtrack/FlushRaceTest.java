package io.pcmtrack;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.RepeatedTest;

/**
 * Semantic 8 under real threads: a writer, a flusher and a consumer race. Each sample encodes its
 * write and its position in that write, so that every emitted sample can be traced back.
 */
class FlushRaceTest {
    /** Three pieces per write, so that a flush can land in the middle of one. */
    private static final int WRITE_FRAMES = 3 * 4096 + 100;
    private static final int WRITES = 150;

    @RepeatedTest(5)
    void writesAreNeverTornNorReorderedAndNothingOldOutlivesAFlush() throws Exception {
        VirtualClock clock = new VirtualClock();
        AudioStreamTrack t = AudioStreamTrack.builder().clock(clock).sampleFormat(SampleFormat.F32)
                .bufferLimit(Duration.ofSeconds(600)).build();
        // Writes with an id below this had completed before some flush began; once that flush has
        // returned, none of their audio may come out.
        class Shared {
            volatile int started;
            volatile int watermark;
        }
        Shared shared = new Shared();
        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicBoolean done = new AtomicBoolean();
        java.util.concurrent.CountDownLatch flusherStopped = new java.util.concurrent.CountDownLatch(1);

        Thread writer = new Thread(() -> {
            for (int id = 1; id <= WRITES + 1; id++) {
                if (id == WRITES + 1) {
                    // The last write comes after the flushes: it must come out whole, whatever the
                    // flusher did to the ones before (which it may have discarded entirely).
                    writing.set(false);
                    try {
                        flusherStopped.await();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                float[] chunk = new float[WRITE_FRAMES];
                for (int pos = 0; pos < WRITE_FRAMES; pos++) {
                    chunk[pos] = encode(id, pos);
                }
                shared.started = id;
                t.write(PcmData.ofFloats(48_000, 1, chunk), id >= WRITES); // these release their partial frame
            }
            done.set(true);
        });
        Thread flusher = new Thread(() -> {
            Random random = new Random(42);
            try {
                while (writing.get()) {
                    int started = shared.started;
                    t.flush();
                    shared.watermark = started;
                    if (random.nextInt(4) == 0) {
                        Thread.yield();
                    }
                    Thread.sleep(0, random.nextInt(200_000));
                }
            } catch (InterruptedException e) {
                // the test is over
            } finally {
                flusherStopped.countDown();
            }
        });

        List<float[]> emitted = new ArrayList<>();
        List<Integer> watermarks = new ArrayList<>();
        writer.start();
        flusher.start();
        AudioFrame frame = null;
        while (!done.get() || t.buffered().compareTo(Duration.ZERO) > 0) {
            int watermark = shared.watermark;
            frame = t.recv(frame);
            if (!frame.isSilence()) {
                emitted.add(frame.floats().clone());
                watermarks.add(watermark);
            }
        }
        writer.join();
        flusher.join();

        int lastId = 0;
        int[] nextPos = new int[WRITES + 2];
        for (int f = 0; f < emitted.size(); f++) {
            for (float v : emitted.get(f)) {
                if (v == 0f) {
                    continue; // the tail of the last partial frame is never emitted; zeros are not audio
                }
                int id = idOf(v);
                int pos = posOf(v);
                assertThat(id).as("frames never go back to an older write").isGreaterThanOrEqualTo(lastId);
                assertThat(id).as("no audio of a write finished before a completed flush")
                        .isGreaterThanOrEqualTo(watermarks.get(f));
                assertThat(pos).as("a write comes out as a contiguous prefix, never torn").isEqualTo(nextPos[id]);
                nextPos[id]++;
                lastId = id;
            }
        }
        assertThat(nextPos[WRITES + 1]).as("the write after the last flush came out whole").isEqualTo(WRITE_FRAMES);
    }

    private static float encode(int id, int pos) {
        return id * 16384f + pos + 1; // exact in float: below 2^24
    }

    private static int idOf(float v) {
        return ((int) v - 1) / 16384;
    }

    private static int posOf(float v) {
        return ((int) v - 1) % 16384;
    }
}
