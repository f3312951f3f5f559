package io.pcmtrack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The buffer between converter and pacer: positions, segments, epoch, reservations and marks. */
class FrameBufferTest {
    private static final PcmFormat MONO = PcmFormat.s16(48_000, 1);
    private static final int FRAME = 960;

    private final long[] appended = new long[1];

    private static FrameBuffer buffer(long limitFrames, OverflowPolicy overflow) {
        return new FrameBuffer("test", MONO, FRAME, limitFrames, overflow, 50);
    }

    private static short[] ramp(int start, int n) {
        short[] s = new short[n];
        for (int i = 0; i < n; i++) {
            s[i] = (short) (start + i);
        }
        return s;
    }

    /** Reserves and appends {@code n} samples under the current epoch, as one write does. */
    private void write(FrameBuffer b, int start, int n) throws InterruptedException {
        long epoch = b.epoch();
        assertThat(b.reserve(n, epoch)).isTrue();
        assertThat(b.append(ramp(start, n), null, null, 0, n, epoch, appended)).isTrue();
    }

    private static AudioFrame fill(FrameBuffer b, long pts) {
        AudioFrame f = AudioFrame.allocate(MONO, FRAME);
        b.fill(f, pts);
        return f;
    }

    private static MarkResult result(Mark m) throws Exception {
        return m.result().get(5, TimeUnit.SECONDS);
    }

    @Test
    void positionsFollowWritesAndEmittedFrames() throws Exception {
        FrameBuffer b = buffer(48_000, OverflowPolicy.DROP_OLDEST);
        write(b, 0, 2000);
        assertThat(b.writePosition()).isEqualTo(2000);
        assertThat(b.playedPosition()).isZero();
        assertThat(fill(b, 0).shorts()).containsExactly(ramp(0, FRAME));
        assertThat(b.playedPosition()).isEqualTo(960);
        fill(b, 960);
        assertThat(b.playedPosition()).isEqualTo(1920);
        AudioFrame starved = fill(b, 1920); // 80 samples held: silence, not a position
        assertThat(starved.isSilence()).isTrue();
        assertThat(b.playedPosition()).isEqualTo(1920);
    }

    @Test
    void aFadingFlushKeepsTheOldestAndNextWritesStartPastTheDiscardedPositions() throws Exception {
        FrameBuffer b = buffer(48_000, OverflowPolicy.DROP_OLDEST);
        write(b, 0, 3000);
        fill(b, 0);
        FlushReport r = b.flush(500);
        assertThat(r).isEqualTo(new FlushReport(1460, 1540));
        assertThat(b.writePosition()).isEqualTo(3000);
        assertThat(b.bufferedValues()).isEqualTo(500);
        write(b, 20_000, 1000); // stream positions 3000..3999 behind the faded 960..1459
        AudioFrame faded = fill(b, 960);
        assertThat(faded.shorts()[0]).isEqualTo((short) 960);
        assertThat(faded.shorts()[499]).isZero();
        assertThat(b.playedPosition()).isEqualTo(1460);
        AudioFrame next = fill(b, 1920);
        assertThat(next.shorts()).containsExactly(ramp(20_000, FRAME));
        assertThat(b.playedPosition()).isEqualTo(3960);
    }

    @Test
    void droppedSamplesAreSkippedByThePlayedPosition() throws Exception {
        FrameBuffer b = buffer(1920, OverflowPolicy.DROP_OLDEST);
        write(b, 0, 1000);
        write(b, 1000, 2000); // 1080 oldest dropped
        assertThat(b.bufferedValues()).isEqualTo(1920);
        assertThat(fill(b, 0).shorts()).containsExactly(ramp(1080, FRAME));
        assertThat(b.playedPosition()).isEqualTo(2040);
        assertThat(b.writePosition()).isEqualTo(3000);
    }

    @Test
    void aPieceLongerThanTheLimitSkipsItsHeadWithoutBufferingIt() throws Exception {
        FrameBuffer b = buffer(1920, OverflowPolicy.DROP_OLDEST);
        write(b, 0, 500);
        write(b, 500, 5000);
        assertThat(b.bufferedValues()).isEqualTo(1920);
        assertThat(fill(b, 0).shorts()).containsExactly(ramp(3580, FRAME));
        assertThat(b.playedPosition()).isEqualTo(4540);
        TrackStats s = b.stats(new Pacer("test", new VirtualClock(), 20_000_000L, FRAME, Long.MAX_VALUE, 20_000_000L));
        assertThat(s.droppedSamples()).isEqualTo(3580);
        assertThat(s.writtenSamples()).isEqualTo(5500);
    }

    @Test
    void positionsStayRightAcrossADropAfterAFadingFlush() throws Exception {
        FrameBuffer b = buffer(1920, OverflowPolicy.DROP_OLDEST);
        write(b, 0, 1000);
        b.flush(600); // faded 0..599, discarded 600..999
        write(b, 10_000, 1800); // positions 1000..2799; 480 oldest (faded 0..479) dropped
        assertThat(b.bufferedValues()).isEqualTo(1920);
        AudioFrame f = fill(b, 0); // faded 480..599 (a release boundary), then padding
        assertThat(b.playedPosition()).isEqualTo(600);
        assertThat(f.shorts()[120]).isZero();
        fill(b, 960);
        assertThat(b.playedPosition()).isEqualTo(1960);
    }

    @Test
    void aWriteStartedBeforeAFlushIsRefusedAfterIt() throws Exception {
        FrameBuffer b = buffer(48_000, OverflowPolicy.DROP_OLDEST);
        long epoch = b.epoch();
        b.flush(0);
        assertThat(b.reserve(100, epoch)).isFalse();
        assertThat(b.append(ramp(0, 100), null, null, 0, 100, epoch, appended)).isFalse();
        assertThat(appended[0]).isZero();
        assertThat(b.bufferedValues()).isZero();
        assertThat(b.writePosition()).isZero();
    }

    @Test
    void aFlushDiscardsTheReservedTailAndCountsIt() throws Exception {
        FrameBuffer b = buffer(48_000, OverflowPolicy.DROP_OLDEST);
        long epoch = b.epoch();
        b.reserve(1000, epoch);
        b.append(ramp(0, 400), null, null, 0, 400, epoch, appended);
        assertThat(b.writePosition()).isEqualTo(1000);
        assertThat(b.flush(0)).isEqualTo(new FlushReport(0, 1000));
        assertThat(b.writePosition()).isEqualTo(1000);
        write(b, 0, 960);
        fill(b, 0);
        assertThat(b.playedPosition()).isEqualTo(1960);
    }

    @Test
    void anAbandonedReservationShrinksToWhatWasAppended() throws Exception {
        FrameBuffer b = buffer(48_000, OverflowPolicy.DROP_OLDEST);
        long epoch = b.epoch();
        b.reserve(1000, epoch);
        b.append(ramp(0, 400), null, null, 0, 400, epoch, appended);
        b.abandonReservation(epoch);
        assertThat(b.writePosition()).isEqualTo(400);
        write(b, 400, 600);
        assertThat(b.writePosition()).isEqualTo(1000);
        assertThat(fill(b, 0).shorts()).containsExactly(ramp(0, FRAME));
    }

    @Test
    void anAbandonAfterAFlushChangesNothing() throws Exception {
        FrameBuffer b = buffer(48_000, OverflowPolicy.DROP_OLDEST);
        long epoch = b.epoch();
        b.reserve(1000, epoch);
        b.flush(0);
        b.abandonReservation(epoch);
        assertThat(b.writePosition()).isEqualTo(1000);
    }

    @Test
    void aMarkResolvesPlayedWithThePtsOfTheFrameCarryingItsLastSample() throws Exception {
        FrameBuffer b = buffer(48_000, OverflowPolicy.DROP_OLDEST);
        write(b, 0, 1500);
        Mark m = b.mark("a");
        assertThat(m.position()).isEqualTo(1500);
        write(b, 0, 420);
        fill(b, 7000);
        assertThat(m.result()).isNotDone();
        fill(b, 7960);
        assertThat(result(m)).isEqualTo(new MarkResult("a", 1500, MarkOutcome.PLAYED, 7960));
    }

    @Test
    void aMarkAtPositionZeroIsPlayedAtOnceWithNoPts() throws Exception {
        FrameBuffer b = buffer(48_000, OverflowPolicy.DROP_OLDEST);
        assertThat(result(b.mark("start"))).isEqualTo(new MarkResult("start", 0, MarkOutcome.PLAYED, -1));
    }

    @Test
    void aMarkBehindAFlushResolvesFlushed() throws Exception {
        FrameBuffer b = buffer(48_000, OverflowPolicy.DROP_OLDEST);
        write(b, 0, 2000);
        Mark m = b.mark("cut");
        b.flush(0);
        assertThat(result(m)).isEqualTo(new MarkResult("cut", 2000, MarkOutcome.FLUSHED, -1));
    }

    @Test
    void aMarkInsideTheFadeIsPlayedAndOnePastItIsFlushed() throws Exception {
        FrameBuffer b = buffer(48_000, OverflowPolicy.DROP_OLDEST);
        write(b, 0, 300);
        Mark inside = b.mark("inside");
        write(b, 300, 700);
        Mark past = b.mark("past");
        b.flush(500);
        Thread.sleep(50);
        assertThat(inside.result()).isNotDone();
        assertThat(past.result()).as("in position order, behind inside").isNotDone();
        fill(b, 0);
        assertThat(result(inside)).isEqualTo(new MarkResult("inside", 300, MarkOutcome.PLAYED, 0));
        assertThat(result(past)).isEqualTo(new MarkResult("past", 1000, MarkOutcome.FLUSHED, -1));
    }

    @Test
    void aMarkPlacedRightAfterAFadingFlushWaitsForTheFade() throws Exception {
        FrameBuffer b = buffer(48_000, OverflowPolicy.DROP_OLDEST);
        write(b, 0, 2000);
        b.flush(480);
        Mark after = b.mark("after");
        assertThat(after.position()).isEqualTo(2000);
        Thread.sleep(50);
        assertThat(after.result()).isNotDone();
        fill(b, 960);
        assertThat(result(after)).isEqualTo(new MarkResult("after", 2000, MarkOutcome.PLAYED, 960));
    }

    @Test
    void aMarkOverrunByOverflowResolvesDropped() throws Exception {
        FrameBuffer b = buffer(1920, OverflowPolicy.DROP_OLDEST);
        write(b, 0, 1000);
        Mark m = b.mark("old");
        write(b, 1000, 1920);
        assertThat(result(m)).isEqualTo(new MarkResult("old", 1000, MarkOutcome.DROPPED, -1));
    }

    @Test
    void pendingMarksResolveEndedAtStop() throws Exception {
        FrameBuffer b = buffer(48_000, OverflowPolicy.DROP_OLDEST);
        write(b, 0, 1000);
        Mark m = b.mark("late");
        assertThat(b.stop()).isTrue();
        assertThat(result(m)).isEqualTo(new MarkResult("late", 1000, MarkOutcome.ENDED, -1));
        assertThat(b.stop()).isFalse();
        assertThatThrownBy(() -> b.mark("x")).isInstanceOf(TrackEndedException.class).hasMessageContaining("test");
        assertThat(b.flush(0)).isNull();
    }

    @Test
    void marksResolveInPositionOrderThoughTheirSamplesEndOutOfOrder() throws Exception {
        FrameBuffer b = buffer(48_000, OverflowPolicy.DROP_OLDEST);
        write(b, 0, 400);
        Mark faded = b.mark("faded");
        write(b, 400, 1000);
        Mark flushed = b.mark("flushed");
        b.flush(960);
        // flushed's sample ended first, but it waits behind faded
        Thread.sleep(50);
        assertThat(flushed.result()).isNotDone();
        fill(b, 0);
        assertThat(result(faded).outcome()).isEqualTo(MarkOutcome.PLAYED);
        assertThat(result(flushed).outcome()).isEqualTo(MarkOutcome.FLUSHED);
    }

    @Test
    void aBlockWriterWaitsForRoomAndLosesNothing() throws Exception {
        FrameBuffer b = buffer(1920, OverflowPolicy.BLOCK);
        write(b, 0, 1920);
        Thread writer = new Thread(() -> {
            try {
                write(b, 1920, 960);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        writer.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (writer.getState() != Thread.State.WAITING && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        assertThat(b.bufferedValues()).isEqualTo(1920);
        fill(b, 0);
        writer.join(5_000);
        assertThat(writer.isAlive()).isFalse();
        assertThat(fill(b, 960).shorts()).containsExactly(ramp(960, FRAME));
        assertThat(fill(b, 1920).shorts()).containsExactly(ramp(1920, FRAME));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"append", "reserveAndAppend"})
    void aWriteAddsASlabBeforeTakingTheTracksLockNotWhileHoldingIt(String path) throws Exception {
        // A slab is 4 MiB to allocate and zero: under the track's lock, a scheduler delivering this track
        // would spin for it. The writer asks the pool before it locks; here the lock is held, as a delivery
        // holds it, and the slab must appear while the writer still waits. Both write paths: a write in
        // parts (append) and a whole same-format write under DROP_OLDEST (reserveAndAppend).
        BlockPool pool = new BlockPool(true, 4 * Block.SIZE * Short.BYTES, 0);
        FrameBuffer b = new FrameBuffer("test", MONO, FRAME, 48_000, OverflowPolicy.DROP_OLDEST, 50, pool);
        long epoch = b.epoch();
        long[] written = new long[1];
        Thread writer;
        if (path.equals("append")) {
            assertThat(b.reserve(FRAME, epoch)).isTrue();
            writer = new Thread(() -> {
                try {
                    b.append(ramp(0, FRAME), null, null, 0, FRAME, epoch, written);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        } else {
            writer = new Thread(() -> b.reserveAndAppend(ramp(0, FRAME), null, null, FRAME, FRAME, written));
        }
        b.lock();
        try {
            writer.start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (pool.slabs() == 0 && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertThat(pool.slabs()).as("slabs added while the track's lock was held").isEqualTo(1);
            assertThat(writer.isAlive()).as("the writer still waits for the lock").isTrue();
            assertThat(written[0]).isZero();
        } finally {
            b.unlock();
        }
        writer.join(10_000);
        assertThat(written[0]).isEqualTo(FRAME);
        assertThat(fill(b, 0).shorts()).containsExactly(ramp(0, FRAME));
        assertThat(pool.slabs()).as("the write took its blocks from that slab").isEqualTo(1);
    }
}
