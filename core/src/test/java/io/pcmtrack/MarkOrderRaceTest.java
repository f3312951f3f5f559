package io.pcmtrack;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Semantics 13, "marks resolve in position order (same position: in creation order)", as a user
 * sees it: when a mark's future completes, the futures of every earlier mark are done already, even
 * when different threads resolve them at the same moment.
 */
@Timeout(30)
class MarkOrderRaceTest {

    /** Holds the one event thread until {@code release}, so that completions queue up in the order they were handed over. */
    private static CountDownLatch holdEventThread(AudioStreamTrack gateTrack) throws Exception {
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        gateTrack.write(PcmData.ofShorts(48_000, 1, new short[gateTrack.samplesPerFrame()]));
        gateTrack.mark("gate").result().thenRun(() -> {
            held.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        gateTrack.recv();
        assertThat(held.await(5, TimeUnit.SECONDS)).isTrue();
        return release;
    }

    /**
     * Places marks in a loop while {@code racer} runs (it resolves {@code earlier}), then checks
     * that, with the event thread held meanwhile, the completions were queued in creation order.
     *
     * @return whether a mark placed during the race completed before {@code earlier} or an earlier mark
     */
    private static boolean marksPlacedDuringCompleteOutOfOrder(AudioStreamTrack t, Mark earlier, Callable<?> action,
            CountDownLatch release) throws Exception {
        List<Mark> marks = new ArrayList<>();
        marks.add(earlier);
        CountDownLatch started = new CountDownLatch(1);
        Thread racer = new Thread(() -> {
            started.countDown();
            try {
                action.call();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        racer.start();
        started.await();
        while (racer.isAlive()) {
            marks.add(t.mark("during"));
        }
        racer.join();
        marks.add(t.mark("after"));
        // When a mark's future completes, every earlier mark's future must be done already. (The
        // order in which dependent stages run is not the property: a thread blocked in get() may
        // run a stage of its own future late.)
        boolean[] earlierNotDone = new boolean[marks.size()];
        for (int i = 1; i < marks.size(); i++) {
            int index = i;
            marks.get(i).result().thenRun(() -> earlierNotDone[index] = !marks.get(index - 1).result().isDone());
        }
        release.countDown();
        for (Mark m : marks) {
            m.result().get(5, TimeUnit.SECONDS);
        }
        for (int i = 1; i < marks.size(); i++) {
            assertThat(marks.get(i).position()).isEqualTo(earlier.position());
            if (earlierNotDone[i]) {
                return true;
            }
        }
        return false;
    }

    @Test
    void marksPlacedWhileAFlushCutsAnEarlierOneCompleteAfterIt() throws Exception {
        AudioStreamTrack t = AudioStreamTrack.builder().clock(new VirtualClock()).build();
        AudioStreamTrack gateTrack = AudioStreamTrack.builder().clock(new VirtualClock()).build();
        PcmData tenSeconds = PcmData.ofShorts(48_000, 1, new short[48_000 * 10]);
        int rounds = 12;
        int outOfOrder = 0;
        for (int i = 0; i < rounds; i++) {
            CountDownLatch release = holdEventThread(gateTrack);
            t.write(tenSeconds);
            Mark cut = t.mark("cut" + i);
            // A long buffer: the flush hands many blocks back between its cut and handing over completions.
            if (marksPlacedDuringCompleteOutOfOrder(t, cut, t::flush, release)) {
                outOfOrder++;
            }
            assertThat(cut.result().join().outcome()).isEqualTo(MarkOutcome.FLUSHED);
        }
        assertThat(outOfOrder).as("of %d rounds, rounds where a later mark completed first", rounds).isZero();
    }

    @Test
    void marksPlacedWhileTheConsumerPlaysAnEarlierOneCompleteAfterIt() throws Exception {
        // Long frames: the consumer's frame drains many blocks, which widens the race.
        AudioStreamTrack t = AudioStreamTrack.builder().clock(new VirtualClock()).frameDuration(Duration.ofSeconds(2))
                .build();
        AudioStreamTrack gateTrack = AudioStreamTrack.builder().clock(new VirtualClock()).build();
        PcmData twoSeconds = PcmData.ofShorts(48_000, 1, new short[t.samplesPerFrame()]);
        int rounds = 12;
        int outOfOrder = 0;
        for (int i = 0; i < rounds; i++) {
            CountDownLatch release = holdEventThread(gateTrack);
            t.write(twoSeconds);
            Mark played = t.mark("played" + i);
            if (marksPlacedDuringCompleteOutOfOrder(t, played, t::recv, release)) {
                outOfOrder++;
            }
            assertThat(played.result().join().outcome()).isEqualTo(MarkOutcome.PLAYED);
        }
        assertThat(outOfOrder).as("of %d rounds, rounds where a later mark completed first", rounds).isZero();
    }
}
