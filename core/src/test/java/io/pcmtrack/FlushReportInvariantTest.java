package io.pcmtrack;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;

/**
 * "After a flush, playedPosition + faded + discardedSamples is a write boundary" (API.md, positions
 * under races), checked where no write races: the boundary is then writePosition() itself. It holds
 * when no sample ended unplayed (dropped, or cut by an earlier flush) since the last one emitted.
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
        // The sum is no write boundary here (960 + 500): positions 960..2999 ended in the first flush
        // and neither field counts them. What semantics 14 promises holds.
        AudioStreamTrack t = AudioStreamTrack.builder().clock(clock).build();
        t.write(tone(3000));
        t.recv();
        t.flush();
        long start = t.writePosition();
        t.write(tone(500));
        FlushReport r = t.flush();
        assertThat(r.discardedSamples()).isEqualTo(500);
        assertThat(Math.max(0, Math.min(r.playedPosition() - start, 500))).isZero();
    }

    @Test
    void aFlushAfterOverflowDropsReportsNothingHeard() throws Exception {
        // 15,200 dropped samples are in neither field, so the sum (4800) is no write boundary either;
        // a report whose sum were one would claim some of the dropped audio as heard.
        AudioStreamTrack t = AudioStreamTrack.builder().clock(clock).bufferLimit(Duration.ofMillis(100)).build();
        t.write(tone(20_000));
        FlushReport r = t.flush();
        assertThat(r).isEqualTo(new FlushReport(0, 4800));
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
}
