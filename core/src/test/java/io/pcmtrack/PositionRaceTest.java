package io.pcmtrack;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Semantics 8 and 13-15 under real threads, on the public API only: writers (each write followed by
 * a mark), a flusher and one consumer race on a {@link VirtualClock}; afterwards every stream
 * position is accounted for and every mark's outcome is checked against what the consumer saw.
 *
 * <p>The track is stereo F32. Channel 1 of every written sample is non-zero, so a frame's audio is
 * the sample frames whose channel 1 is non-zero, and as no frame straddles a flush without a fade,
 * a frame with {@code n} of them after which {@code playedPosition() == p} carried positions
 * {@code p - n .. p - 1}. A single writer of same-format audio also writes each sample's position
 * into channel 0 (as {@code (position + 1) / 2^24}, times channel 1 so that a fade keeps it
 * readable), which checks the inference and identifies faded samples.
 */
@Timeout(30)
class PositionRaceTest {
    private static final int RATE = 48_000;
    private static final float SCALE = 1 << 24;

    enum Input { SAME_FORMAT, RESAMPLED }

    /** One race: the track's overflow, who writes what, whether a flusher runs and with what fades. */
    record Race(OverflowPolicy overflow, Duration bufferLimit, int writers, int writesEach, Input input,
            boolean flusher, int maxFadeMillis, long seed) {
    }

    /** What one mark's writer knew: the flush and drop counters before its write and after its mark. */
    record Placed(Mark mark, long flushesBefore, long flushesAfter, long droppedBefore, long droppedAfter) {
    }

    /** A run of emitted positions {@code from .. to - 1} in the frame stamped {@code pts}. */
    record Run(long from, long to, long pts) {
    }

    @Test
    void sameFormatWritesRacingHardFlushes() throws Exception {
        Outcome o = runUntil(new Race(OverflowPolicy.DROP_OLDEST, Duration.ofSeconds(600), 1, 300, Input.SAME_FORMAT,
                true, 0, 1), MarkOutcome.PLAYED, MarkOutcome.FLUSHED);
        assertThat(o.outcomes).as("both outcomes occurred").contains(MarkOutcome.PLAYED, MarkOutcome.FLUSHED);
    }

    @Test
    void sameFormatWritesRacingFadingFlushes() throws Exception {
        Outcome o = runUntil(new Race(OverflowPolicy.DROP_OLDEST, Duration.ofSeconds(600), 1, 300, Input.SAME_FORMAT,
                true, 40, 2), MarkOutcome.PLAYED, MarkOutcome.FLUSHED);
        assertThat(o.outcomes).contains(MarkOutcome.PLAYED, MarkOutcome.FLUSHED);
    }

    @Test
    void sameFormatWritesOverflowingAndRacingFadingFlushes() throws Exception {
        Outcome o = run(new Race(OverflowPolicy.DROP_OLDEST, Duration.ofMillis(100), 1, 300, Input.SAME_FORMAT,
                true, 30, 3));
        assertThat(o.stats.droppedSamples()).as("overflow was exercised").isPositive();
    }

    @Test
    void resampledWritesFromTwoThreadsRacingFlushes() throws Exception {
        Outcome o = runUntil(new Race(OverflowPolicy.DROP_OLDEST, Duration.ofSeconds(600), 2, 100, Input.RESAMPLED,
                true, 0, 4), MarkOutcome.PLAYED, MarkOutcome.FLUSHED);
        assertThat(o.outcomes).contains(MarkOutcome.PLAYED, MarkOutcome.FLUSHED);
    }

    @Test
    void resampledWritesOverflowingWithoutFlushes() throws Exception {
        Outcome o = runUntil(new Race(OverflowPolicy.DROP_OLDEST, Duration.ofMillis(100), 2, 150, Input.RESAMPLED,
                false, 0, 5), MarkOutcome.DROPPED);
        assertThat(o.stats.droppedSamples()).isPositive();
        assertThat(o.outcomes).contains(MarkOutcome.DROPPED);
    }

    @Test
    void blockingWritesFromTwoThreadsRacingFlushes() throws Exception {
        Outcome o = runUntil(new Race(OverflowPolicy.BLOCK, Duration.ofMillis(100), 2, 150, Input.RESAMPLED,
                true, 0, 6), MarkOutcome.PLAYED, MarkOutcome.FLUSHED);
        assertThat(o.stats.droppedSamples()).isZero();
        assertThat(o.outcomes).contains(MarkOutcome.PLAYED, MarkOutcome.FLUSHED);
    }

    @Test
    void blockingSameFormatWritesRacingFadingFlushes() throws Exception {
        Outcome o = run(new Race(OverflowPolicy.BLOCK, Duration.ofMillis(100), 1, 300, Input.SAME_FORMAT,
                true, 40, 7));
        assertThat(o.stats.droppedSamples()).isZero();
    }

    /** The summary a scenario may check further. */
    record Outcome(TrackStats stats, List<MarkOutcome> outcomes) {
    }

    /**
     * Runs the race with successive seeds until both outcomes occurred (how the threads interleave
     * is up to the machine's scheduler), at most five times; every run must pass all checks.
     */
    private Outcome runUntil(Race race, MarkOutcome... wanted) throws Exception {
        Outcome o = null;
        for (int attempt = 0; attempt < 5; attempt++) {
            o = run(new Race(race.overflow(), race.bufferLimit(), race.writers(), race.writesEach(), race.input(),
                    race.flusher(), race.maxFadeMillis(), race.seed() + 1000L * attempt));
            if (o.outcomes.containsAll(java.util.List.of(wanted))) {
                break;
            }
        }
        return o;
    }

    private Outcome run(Race race) throws Exception {
        VirtualClock clock = new VirtualClock();
        AudioStreamTrack t = AudioStreamTrack.builder().clock(clock).sampleFormat(SampleFormat.F32).channels(2)
                .overflow(race.overflow()).bufferLimit(race.bufferLimit()).build();
        boolean encoded = race.input() == Input.SAME_FORMAT && race.writers() == 1;
        ConcurrentLinkedQueue<Placed> placed = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<FlushReport> reports = new ConcurrentLinkedQueue<>();
        AtomicReference<String> violation = new AtomicReference<>();
        AtomicReference<String> orderViolation = new AtomicReference<>();
        AtomicInteger writersLeft = new AtomicInteger(race.writers());
        AtomicBoolean flushing = new AtomicBoolean(race.flusher());
        Thread consumerThread = Thread.currentThread();
        List<Thread> writers = new ArrayList<>();
        AtomicReference<Thread> flusherThread = new AtomicReference<>();

        for (int w = 0; w < race.writers(); w++) {
            Random random = new Random(race.seed() * 31 + w);
            Thread writer = new Thread(() -> {
                try {
                    long position = 0;
                    for (int i = 0; i < race.writesEach(); i++) {
                        TrackStats before = t.stats();
                        PcmData pcm;
                        if (race.input() == Input.SAME_FORMAT) {
                            int frames = 1 + random.nextInt(3000);
                            pcm = encoded ? positions(position, frames) : dc(RATE, frames);
                            position += frames;
                        } else {
                            int rate = random.nextBoolean() ? 24_000 : 44_100;
                            pcm = dc(rate, 1 + random.nextInt(1500));
                        }
                        t.write(pcm, random.nextInt(10) == 0);
                        if (encoded && t.writePosition() != position) {
                            violation.compareAndSet(null, "writePosition " + t.writePosition() + " after writing up to " + position);
                        }
                        Mark m = t.mark("m" + i);
                        TrackStats after = t.stats();
                        placed.add(new Placed(m, before.flushes(), after.flushes(), before.droppedSamples(),
                                after.droppedSamples()));
                        m.result().whenComplete((r, e) -> {
                            Thread th = Thread.currentThread();
                            if (th == consumerThread || th == flusherThread.get()) {
                                violation.compareAndSet(null, m + " completed on " + th.getName());
                            }
                            for (Placed p : placed) {
                                if (p.mark().position() < m.position() && !p.mark().result().isDone()) {
                                    orderViolation.compareAndSet(null, m + " resolved before " + p.mark());
                                }
                            }
                        });
                    }
                } catch (RuntimeException e) {
                    violation.compareAndSet(null, "writer threw " + e);
                } finally {
                    writersLeft.decrementAndGet();
                }
            }, "writer-" + w);
            writers.add(writer);
        }
        Thread flusher = new Thread(() -> {
            Random random = new Random(race.seed() * 17);
            while (flushing.get()) {
                LockSupport.parkNanos(20_000 + random.nextInt(300_000));
                long playedBefore = t.playedPosition();
                FlushReport r = race.maxFadeMillis() > 0 && random.nextBoolean()
                        ? t.flush(Duration.ofMillis(random.nextInt(race.maxFadeMillis() + 1)))
                        : t.flush();
                long writtenAfter = t.writePosition();
                if (r.playedPosition() < playedBefore || r.playedPosition() > writtenAfter) {
                    violation.compareAndSet(null, r + " outside [" + playedBefore + ", " + writtenAfter + "]");
                }
                reports.add(r);
            }
        }, "flusher");
        flusherThread.set(flusher);

        List<Run> runs = new ArrayList<>();
        List<Long> audioFramePts = new ArrayList<>();
        Random consumerRandom = new Random(race.seed() * 7);
        writers.forEach(Thread::start);
        if (race.flusher()) {
            flusher.start();
        }
        AudioFrame frame = null;
        long lastPlayed = 0;
        long lastDecoded = -1;
        boolean finalWritten = false;
        Mark finalMark = null;
        while (true) {
            boolean writing = writersLeft.get() > 0;
            if (!writing && flushing.getAndSet(false)) {
                flusher.join();
            }
            if (!writing && !finalWritten && t.buffered().compareTo(t.frameDuration()) < 0) {
                // After the last flush: a short write (it cannot block) that must come out whole.
                finalMark = writeFinal(t, race, encoded);
                finalWritten = true;
                continue;
            }
            if (finalWritten && t.buffered().isZero()) {
                break;
            }
            frame = t.recv(frame);
            long played = t.playedPosition();
            if (played < lastPlayed) {
                violation.compareAndSet(null, "playedPosition went back from " + lastPlayed + " to " + played);
            }
            if (!frame.isSilence()) {
                audioFramePts.add(frame.pts());
                float[] s = frame.floats();
                int n = 0;
                List<Long> decoded = new ArrayList<>();
                for (int i = 0; i < s.length; i += 2) {
                    if (s[i + 1] != 0f) {
                        n++;
                        if (encoded) {
                            decoded.add(Math.round((double) s[i] / s[i + 1] * SCALE) - 1);
                        }
                    }
                }
                if (encoded) {
                    // Every sample is known by its value but a fade's last one (gain 0), which ends the frame.
                    for (long p : decoded) {
                        if (p <= lastDecoded) {
                            violation.compareAndSet(null, "position " + p + " after " + lastDecoded + " (pts " + frame.pts() + ")");
                        }
                        lastDecoded = p;
                    }
                    if (lastDecoded > played - 1) {
                        violation.compareAndSet(null, "decoded " + lastDecoded + " past playedPosition " + played);
                    }
                    for (long p : decoded) {
                        addPosition(runs, p, frame.pts());
                    }
                    if (lastDecoded != played - 1) {
                        if (race.maxFadeMillis() == 0) {
                            violation.compareAndSet(null, "last sample " + lastDecoded + " but playedPosition " + played);
                        }
                        addPosition(runs, played - 1, frame.pts()); // the faded-out last sample
                        lastDecoded = played - 1;
                    }
                } else {
                    if (played - n < lastPlayed) {
                        violation.compareAndSet(null, n + " samples but playedPosition " + lastPlayed + " -> " + played);
                    }
                    runs.add(new Run(played - n, played, frame.pts()));
                }
            }
            lastPlayed = played;
            if (consumerRandom.nextInt(4) == 0) {
                LockSupport.parkNanos(consumerRandom.nextInt(100_000));
            }
        }
        for (Thread w : writers) {
            w.join();
        }
        MarkResult last = finalMark.result().get(5, TimeUnit.SECONDS);
        assertThat(last.outcome()).as("the mark after the last write").isEqualTo(MarkOutcome.PLAYED);
        for (Placed p : placed) {
            p.mark().result().get(5, TimeUnit.SECONDS);
        }
        assertThat(violation.get()).isNull();

        TrackStats stats = t.stats();
        long emitted = runs.stream().mapToLong(r -> r.to() - r.from()).sum();
        long written = t.writePosition();
        assertThat(runs.get(runs.size() - 1).to()).as("played up to the end").isEqualTo(written).isEqualTo(t.playedPosition());
        assertThat(stats.writtenSamples()).as("written == emitted + flushed + dropped + buffered")
                .isEqualTo(emitted + stats.flushedSamples() + stats.droppedSamples());
        for (FlushReport r : reports) {
            // Everything after the heard point up to the write position at the cut.
            assertThat(r.playedPosition() + r.discardedSamples()).as("%s", r)
                    .isBetween(r.playedPosition(), written);
        }
        assertThat(last.pts()).isEqualTo(audioFramePts.get(audioFramePts.size() - 1));

        List<MarkOutcome> outcomes = new ArrayList<>();
        for (Placed p : placed) {
            MarkResult r = p.mark().result().join();
            outcomes.add(r.outcome());
            checkOutcome(p, r, runs, race, stats);
        }
        t.stop();
        assertThat(orderViolation.get()).as("marks complete in position order").isNull();
        return new Outcome(stats, Collections.unmodifiableList(outcomes));
    }

    /** The outcome a mark must have, given which positions were emitted in which frame. */
    private static void checkOutcome(Placed p, MarkResult r, List<Run> runs, Race race, TrackStats stats) {
        long position = p.mark().position();
        assertThat(r.label()).isEqualTo(p.mark().label());
        assertThat(r.position()).isEqualTo(position);
        Run carrier = runContaining(runs, position - 1);
        if (carrier != null) {
            assertThat(r).as("sample %d was emitted at pts %d", position - 1, carrier.pts())
                    .isEqualTo(new MarkResult(r.label(), position, MarkOutcome.PLAYED, carrier.pts()));
            return;
        }
        if (position == 0) {
            assertThat(r.outcome()).isEqualTo(MarkOutcome.PLAYED);
            return;
        }
        List<MarkOutcome> allowed = new ArrayList<>();
        if (race.flusher()) {
            allowed.add(MarkOutcome.FLUSHED);
        }
        if (stats.droppedSamples() > 0) {
            allowed.add(MarkOutcome.DROPPED);
        }
        // Only a flush can end sample P-1 unplayed before the mark is placed: overflow drops the oldest.
        if (p.flushesAfter() != p.flushesBefore()) {
            allowed.add(MarkOutcome.PLAYED);
        }
        assertThat(r.outcome()).as("%s: sample %d was not emitted", r, position - 1).isIn(allowed);
        if (r.outcome() == MarkOutcome.PLAYED) {
            Run before = lastRunBefore(runs, position);
            assertThat(r.pts()).as("%s: pts of the last sample emitted before it", r).isEqualTo(before == null ? -1 : before.pts());
        } else {
            assertThat(r.pts()).isEqualTo(-1);
        }
    }

    private static void addPosition(List<Run> runs, long p, long pts) {
        if (!runs.isEmpty()) {
            Run last = runs.get(runs.size() - 1);
            if (last.pts() == pts && last.to() == p) {
                runs.set(runs.size() - 1, new Run(last.from(), p + 1, pts));
                return;
            }
        }
        runs.add(new Run(p, p + 1, pts));
    }

    private static Run runContaining(List<Run> runs, long p) {
        Run r = lastRunBefore(runs, p + 1);
        return r != null && r.to() > p ? r : null;
    }

    /** The last run with a position below {@code p}; runs are in increasing position order. */
    private static Run lastRunBefore(List<Run> runs, long p) {
        int lo = 0;
        int hi = runs.size() - 1;
        Run found = null;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (runs.get(mid).from() < p) {
                found = runs.get(mid);
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return found;
    }

    private static Mark writeFinal(AudioStreamTrack t, Race race, boolean encoded) {
        if (race.input() == Input.SAME_FORMAT) {
            long from = t.writePosition();
            t.write(encoded ? positions(from, 1000) : dc(RATE, 1000), true);
        } else {
            t.write(dc(24_000, 500), true);
        }
        return t.mark("final");
    }

    /** Stereo 48 kHz: channel 0 the position code, channel 1 a constant. */
    private static PcmData positions(long from, int frames) {
        float[] x = new float[frames * 2];
        for (int i = 0; i < frames; i++) {
            x[2 * i] = (from + i + 1) / SCALE;
            x[2 * i + 1] = 1f;
        }
        return PcmData.ofFloats(RATE, 2, x);
    }

    private static PcmData dc(int rate, int frames) {
        float[] x = new float[frames * 2];
        java.util.Arrays.fill(x, 0.5f);
        return PcmData.ofFloats(rate, 2, x);
    }
}
