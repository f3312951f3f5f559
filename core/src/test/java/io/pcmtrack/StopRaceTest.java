package io.pcmtrack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code stop()} racing a writer, a thread placing marks and a consumer (semantics 9 and 13): every
 * mark handed out completes, with the outcome the final positions dictate; afterwards everything
 * throws {@link TrackEndedException} and nothing moves.
 */
@Timeout(30)
class StopRaceTest {

    @Test
    void everyMarkHandedOutBeforeStopCompletesWithTheOutcomeOfItsSample() throws Exception {
        for (int round = 0; round < 30; round++) {
            Random random = new Random(round);
            AudioStreamTrack t = AudioStreamTrack.builder().clock(new VirtualClock()).bufferLimit(Duration.ofSeconds(600))
                    .build();
            ConcurrentLinkedQueue<Mark> marks = new ConcurrentLinkedQueue<>();
            AtomicReference<Throwable> unexpected = new AtomicReference<>();
            short[] chunk = new short[731];
            java.util.Arrays.fill(chunk, (short) 1000);
            Thread writer = loop(t, unexpected, () -> {
                t.write(PcmData.ofShorts(48_000, 1, chunk));
                LockSupport.parkNanos(50_000);
            });
            Thread marker = loop(t, unexpected, () -> {
                marks.add(t.mark("m"));
                LockSupport.parkNanos(30_000);
            });
            Thread consumer = loop(t, unexpected, () -> {
                t.recv();
                LockSupport.parkNanos(20_000);
            });
            awaitUnderWay(t, marks);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(random.nextInt(10)));
            t.stop();
            writer.join();
            marker.join();
            consumer.join();
            assertThat(unexpected.get()).isNull();

            long played = t.playedPosition();
            long written = t.writePosition();
            assertThat(t.stats().droppedSamples()).as("the buffer never overflowed").isZero();
            assertThat(marks).as("round %d placed marks", round).isNotEmpty();
            for (Mark m : marks) {
                MarkResult r = m.result().get(5, TimeUnit.SECONDS);
                if (m.position() <= played) {
                    assertThat(r.outcome()).as("%s, played up to %d", r, played).isEqualTo(MarkOutcome.PLAYED);
                    assertThat(r.pts()).isGreaterThanOrEqualTo(m.position() == 0 ? -1 : 0);
                } else {
                    assertThat(r).as("played up to %d", played)
                            .isEqualTo(new MarkResult("m", m.position(), MarkOutcome.ENDED, -1));
                }
            }
            assertThatThrownBy(() -> t.mark("late")).isInstanceOf(TrackEndedException.class);
            assertThatThrownBy(() -> t.write(PcmData.ofShorts(48_000, 1, chunk))).isInstanceOf(TrackEndedException.class);
            assertThatThrownBy(t::recv).isInstanceOf(TrackEndedException.class);
            assertThat(t.playedPosition()).isEqualTo(played);
            assertThat(t.writePosition()).isEqualTo(written);
            assertThat(t.isLive()).isFalse();
        }
    }

    @Test
    void aStopRacingFadingFlushesLeavesNoMarkPendingAndEndedMarksLast() throws Exception {
        for (int round = 0; round < 15; round++) {
            Random random = new Random(round);
            AudioStreamTrack t = AudioStreamTrack.builder().clock(new VirtualClock()).build();
            ConcurrentLinkedQueue<Mark> marks = new ConcurrentLinkedQueue<>();
            AtomicReference<Throwable> unexpected = new AtomicReference<>();
            short[] chunk = new short[1500];
            java.util.Arrays.fill(chunk, (short) 1000);
            Thread writer = loop(t, unexpected, () -> {
                t.write(PcmData.ofShorts(24_000, 1, chunk));
                marks.add(t.mark("m"));
            });
            Thread flusher = loop(t, unexpected, () -> {
                t.flush(Duration.ofMillis(10));
                LockSupport.parkNanos(200_000);
            });
            Thread consumer = loop(t, unexpected, () -> {
                t.recv();
                LockSupport.parkNanos(20_000);
            });
            awaitUnderWay(t, marks);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(random.nextInt(10)));
            t.stop();
            writer.join();
            flusher.join();
            consumer.join();
            assertThat(unexpected.get()).isNull();

            List<Mark> inOrder = marks.stream().toList();
            boolean ended = false;
            for (Mark m : inOrder) {
                MarkResult r = m.result().get(5, TimeUnit.SECONDS);
                if (r.outcome() == MarkOutcome.ENDED) {
                    ended = true;
                    assertThat(m.position()).as("an ended mark's sample had not ended").isGreaterThan(t.playedPosition());
                } else if (ended) {
                    // After an ended mark only marks whose sample a flush discarded earlier may follow.
                    assertThat(r.outcome()).as("%s after an ended mark", r).isEqualTo(MarkOutcome.FLUSHED);
                }
                if (r.outcome() != MarkOutcome.PLAYED) {
                    assertThat(r.pts()).isEqualTo(-1);
                }
            }
        }
    }

    /** Waits until audio was written, marked and played, so that the stop lands in the middle. */
    private static void awaitUnderWay(AudioStreamTrack t, ConcurrentLinkedQueue<Mark> marks) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while ((marks.isEmpty() || t.playedPosition() == 0) && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
    }

    interface Step {
        void run() throws Exception;
    }

    /** A thread repeating {@code step} until the track ends; any other exception is recorded. */
    private static Thread loop(AudioStreamTrack t, AtomicReference<Throwable> unexpected, Step step) {
        Thread th = new Thread(() -> {
            try {
                while (t.isLive()) { // flush on a stopped track does not throw
                    step.run();
                }
            } catch (TrackEndedException expected) {
                // the track stopped: this thread is done
            } catch (Throwable e) {
                unexpected.compareAndSet(null, e);
            }
        });
        th.start();
        return th;
    }
}
