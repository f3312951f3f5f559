package io.pcmtrack;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;

/**
 * "After a flush, playedPosition + faded + discardedSamples is a write boundary" (API.md, positions
 * under races), checked where no write races: the boundary is then writePosition() itself, also
 * when samples ended unplayed (dropped, or cut by an earlier flush) since the last one emitted:
 * those count as discarded too.
 */
class FlushReportInvariantTest {
    private final VirtualClock clock = new VirtualClock();

    private static PcmData tone(int samples) {
        short[] s = new short[samples];
        java.util.Arrays.fill(s, (short) 1000);
        return PcmData.ofShorts(48_000, 1, s);
    }

    @Test
    void aFlushAfterPlayingAccountsForEveryWrittenPosition() throws Exception {
        AudioStreamTrack t = AudioStreamTrack.builder().clock(clock).build();
        t.write(tone(3000));
        t.recv();
        FlushReport r = t.flush();
        assertThat(r.playedPosition() + r.discardedSamples()).isEqualTo(t.writePosition());
    }

    @Test
    void aSecondFlushReportsNothingOfTheSecondUtteranceHeard() throws Exception {
        // Positions 960..2999 ended in the first flush; they are after the heard point, so the
        // second report counts them with the second utterance.
        AudioStreamTrack t = AudioStreamTrack.builder().clock(clock).build();
        t.write(tone(3000));
        t.recv();
        t.flush();
        long start = t.writePosition();
        t.write(tone(500));
        FlushReport r = t.flush();
        assertThat(r).isEqualTo(new FlushReport(960, 3500 - 960));
        assertThat(r.playedPosition() + r.discardedSamples()).isEqualTo(t.writePosition());
        assertThat(Math.max(0, Math.min(r.playedPosition() - start, 500))).isZero();
    }

    @Test
    void aFlushAfterOverflowDropsReportsNothingHeard() throws Exception {
        // The 15,200 dropped samples were never heard: they count as discarded, not as played.
        AudioStreamTrack t = AudioStreamTrack.builder().clock(clock).bufferLimit(Duration.ofMillis(100)).build();
        t.write(tone(20_000));
        FlushReport r = t.flush();
        assertThat(r).isEqualTo(new FlushReport(0, 20_000));
        assertThat(t.stats().flushedSamples()).as("the v1 counter: from the buffer only").isEqualTo(4800);
    }

    @Test
    void aFadingFlushAccountsForEveryWrittenPosition() throws Exception {
        AudioStreamTrack t = AudioStreamTrack.builder().clock(clock).build();
        t.write(tone(5000));
        t.recv();
        FlushReport r = t.flush(Duration.ofMillis(10));
        assertThat(r).isEqualTo(new FlushReport(1440, 3560));
        assertThat(r.playedPosition() + r.discardedSamples()).isEqualTo(t.writePosition());
    }

    @Test
    void underRacingWritesFlushesAndAConsumerEveryReportEndsOnAWriteBoundary() throws Exception {
        int chunk = 1000; // not a whole number of frames: boundaries fall inside frames
        AudioStreamTrack t = AudioStreamTrack.builder().clock(clock).bufferLimit(Duration.ofMillis(200)).build();
        java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.List<FlushReport> reports = new java.util.concurrent.CopyOnWriteArrayList<>();
        Thread flusher = new Thread(() -> {
            java.util.Random random = new java.util.Random(7);
            for (int i = 0; i < 300; i++) {
                reports.add(t.flush(Duration.ofMillis(random.nextInt(3) * 5)));
                Thread.yield();
            }
            done.set(true);
        });
        Thread writer = new Thread(() -> {
            for (int i = 0; !done.get(); i++) {
                t.write(tone(chunk), i % 7 == 0);
            }
        });
        writer.start();
        flusher.start();
        AudioFrame frame = null;
        while (!done.get()) {
            frame = t.recv(frame);
        }
        writer.join();
        flusher.join();
        assertThat(reports).hasSize(300);
        for (FlushReport r : reports) {
            assertThat((r.playedPosition() + r.discardedSamples()) % chunk).as("%s", r).isZero();
        }
    }
}
