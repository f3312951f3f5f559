package io.pcmtrack;

import static io.pcmtrack.AudioStreamTrackTest.rampPcm;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/** Semantics 13: marks resolve in position order with the fate of the sample before them. */
class MarkTest {
    private final VirtualClock clock = new VirtualClock();

    private AudioStreamTrack track() {
        return AudioStreamTrack.builder().clock(clock).build();
    }

    private static MarkResult result(Mark m) throws Exception {
        return m.result().get(5, TimeUnit.SECONDS);
    }

    @Test
    void aMarkWithNothingPendingResolvesPlayedAtOnce() throws Exception {
        AudioStreamTrack t = track();
        Mark m = t.mark("start");
        assertThat(m.position()).isZero();
        assertThat(result(m)).isEqualTo(new MarkResult("start", 0, MarkOutcome.PLAYED, -1));
    }

    @Test
    void aMarkResolvesPlayedWithThePtsOfTheFrameCarryingItsLastSample() throws Exception {
        AudioStreamTrack t = track();
        t.write(rampPcm(0, 1500));
        Mark m = t.mark("end of sentence");
        t.write(rampPcm(0, 420));
        assertThat(m.position()).isEqualTo(1500);
        t.recv();
        assertThat(m.result()).isNotDone();
        t.recv(); // carries samples 960..1919: 1499 among them
        assertThat(result(m)).isEqualTo(new MarkResult("end of sentence", 1500, MarkOutcome.PLAYED, 960));
    }

    @Test
    void aMarkInAHeldPartialResolvesWhenThatFrameIsEmitted() throws Exception {
        AudioStreamTrack t = track();
        t.write(rampPcm(0, 500));
        Mark m = t.mark("partial");
        t.recv(); // held: silence
        Thread.sleep(20);
        assertThat(m.result()).isNotDone();
        t.write(rampPcm(0, 100), true);
        AudioFrame f = t.recv();
        assertThat(f.pts()).isEqualTo(960);
        assertThat(result(m).outcome()).isEqualTo(MarkOutcome.PLAYED);
        assertThat(result(m).pts()).isEqualTo(960);
    }

    @Test
    void flushedMarksResolveFlushed() throws Exception {
        AudioStreamTrack t = track();
        t.write(rampPcm(0, 960));
        Mark played = t.mark("a");
        t.write(rampPcm(0, 4000));
        Mark flushed = t.mark("b");
        t.recv();
        t.flush();
        assertThat(result(played).outcome()).isEqualTo(MarkOutcome.PLAYED);
        assertThat(result(flushed)).isEqualTo(new MarkResult("b", 4960, MarkOutcome.FLUSHED, -1));
    }

    @Test
    void droppedMarksResolveDropped() throws Exception {
        AudioStreamTrack t = AudioStreamTrack.builder().clock(clock).bufferLimit(Duration.ofMillis(100)).build();
        t.write(rampPcm(0, 1000));
        Mark m = t.mark("old");
        t.write(rampPcm(0, 4800)); // 100 ms more: the first 1000 samples are dropped
        assertThat(result(m)).isEqualTo(new MarkResult("old", 1000, MarkOutcome.DROPPED, -1));
    }

    @Test
    void pendingMarksResolveEndedAtStopAndMarkThenThrows() throws Exception {
        AudioStreamTrack t = track();
        t.write(rampPcm(0, 2000));
        Mark m = t.mark("x");
        t.stop();
        assertThat(result(m)).isEqualTo(new MarkResult("x", 2000, MarkOutcome.ENDED, -1));
        assertThatThrownBy(() -> t.mark("late")).isInstanceOf(TrackEndedException.class);
    }

    @Test
    void aNullLabelIsRejected() {
        assertThatThrownBy(() -> track().mark(null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("label");
    }

    @Test
    void marksResolveInPositionOrderOnTheEventThread() throws Exception {
        AudioStreamTrack t = track();
        List<String> order = new CopyOnWriteArrayList<>();
        List<String> threads = new CopyOnWriteArrayList<>();
        List<Mark> marks = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            t.write(rampPcm(0, 300));
            Mark m = t.mark("m" + i);
            m.result().thenAccept(r -> {
                order.add(r.label());
                threads.add(Thread.currentThread().getName());
            });
            marks.add(m);
        }
        t.write(rampPcm(0, 0), true);
        for (int i = 0; i < 8; i++) {
            t.recv();
        }
        // Wait without get(): a thread blocked in get() may itself run the dependents.
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (order.size() < 20 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            expected.add("m" + i);
        }
        assertThat(order).isEqualTo(expected);
        assertThat(threads).allMatch(n -> n.equals("pcmtrack-events"));
    }

    @Test
    void marksAtTheSamePositionResolveInCreationOrder() throws Exception {
        AudioStreamTrack t = track();
        t.write(rampPcm(0, 960));
        List<String> order = new CopyOnWriteArrayList<>();
        Mark a = t.mark("a");
        Mark b = t.mark("b");
        a.result().thenAccept(r -> order.add("a"));
        b.result().thenAccept(r -> order.add("b"));
        t.recv();
        result(b);
        Thread.sleep(20);
        assertThat(order).containsExactly("a", "b");
        assertThat(result(a).pts()).isZero();
        assertThat(result(b).pts()).isZero();
    }

    @Test
    void aMarkAfterAFadingFlushResolvesPlayedOnceTheFadeHasPlayed() throws Exception {
        AudioStreamTrack t = track();
        t.write(rampPcm(0, 4800));
        Mark flushed = t.mark("cut");
        t.flush(Duration.ofMillis(10)); // 480 samples kept and faded
        Mark after = t.mark("after");
        assertThat(after.position()).isEqualTo(4800);
        Thread.sleep(20);
        assertThat(after.result()).isNotDone();
        assertThat(flushed.result()).as("waits for the faded samples before it").isNotDone();
        AudioFrame f = t.recv();
        assertThat(f.pts()).isZero();
        assertThat(result(flushed)).isEqualTo(new MarkResult("cut", 4800, MarkOutcome.FLUSHED, -1));
        assertThat(result(after)).isEqualTo(new MarkResult("after", 4800, MarkOutcome.PLAYED, 0));
    }

    @Test
    void aMarkWaitingForAFadeThatNeverPlaysEndsEndedAtStop() throws Exception {
        AudioStreamTrack t = track();
        t.write(rampPcm(0, 4800));
        Mark cut = t.mark("cut");
        t.flush(Duration.ofMillis(10)); // 480 faded samples still to play
        Mark after = t.mark("after");
        t.stop();
        assertThat(result(cut).outcome()).as("its sample was flushed").isEqualTo(MarkOutcome.FLUSHED);
        assertThat(result(after)).isEqualTo(new MarkResult("after", 4800, MarkOutcome.ENDED, -1));
    }

    @Test
    void aMarkInsideTheFadedPartResolvesPlayed() throws Exception {
        AudioStreamTrack t = track();
        t.write(rampPcm(0, 200));
        Mark inside = t.mark("inside");
        t.write(rampPcm(0, 4000));
        t.flush(Duration.ofMillis(10));
        t.recv();
        assertThat(result(inside)).isEqualTo(new MarkResult("inside", 200, MarkOutcome.PLAYED, 0));
    }

    @Test
    void aMarkBeforeAResampledTailWaitsForTheTail() throws Exception {
        AudioStreamTrack t = track();
        t.write(PcmData.ofShorts(24_000, 1, new short[480])); // 20 ms in, 960 positions
        Mark m = t.mark("utterance");
        assertThat(m.position()).isEqualTo(960);
        t.recv(); // the resampler still holds the last samples: nothing whole to play
        Thread.sleep(20);
        assertThat(m.result()).isNotDone();
        t.write(PcmData.ofShorts(24_000, 1, new short[0]), true);
        t.recv();
        assertThat(result(m).outcome()).isEqualTo(MarkOutcome.PLAYED);
    }
}
