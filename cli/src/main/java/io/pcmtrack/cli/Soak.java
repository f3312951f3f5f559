package io.pcmtrack.cli;

import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.concurrent.locks.LockSupport;
import java.util.function.ToLongFunction;

import io.pcmtrack.AudioFrame;
import io.pcmtrack.AudioStreamTrack;
import io.pcmtrack.FrameScheduler;
import io.pcmtrack.FrameSink;
import io.pcmtrack.LatencyHistogram;
import io.pcmtrack.MediaClock;
import io.pcmtrack.PcmData;
import io.pcmtrack.SchedulerStats;
import io.pcmtrack.TrackStats;
import io.pcmtrack.VirtualClock;

/**
 * Many tracks with TTS-like producers for hours: utterances arrive as bursts of 50..400 ms,
 * faster than real time; some are cut by a barge-in flush, some are dumped whole into a buffer
 * too small for them (overflow). A {@link FrameScheduler} delivers every frame to a sink that
 * checks pts continuity. Memory (heap after GC, RSS) is sampled at fixed intervals, right after
 * flushing every track.
 *
 * <p>In virtual time ({@link VirtualClock}, manual scheduler) a day runs in minutes; in real time
 * the scheduler has its own thread and the lateness histogram is meaningful.
 */
final class Soak {
    static final int RATE = 48_000;
    static final int CHANNELS = 2;
    static final Duration BUFFER_LIMIT = Duration.ofSeconds(5);
    private static final long MS = 1_000_000L;

    /**
     * What to run. Samples taken in the first {@code warmupSeconds} of wall-clock time are shown
     * but are not the baseline for growth: the JVM compiles and sizes its native memory then.
     */
    record Options(double hours, int tracks, boolean realtime, double sampleEveryHours, long seed, int warmupSeconds) {
    }

    /**
     * One memory and counter sample; lateness over the interval since the previous one. Only
     * the three figures are kept: a histogram per sample would itself grow the heap being measured.
     */
    record Sample(double hours, long heapAfterGc, long rss, long frames, long silentFrames, long droppedSamples,
                  long flushes, Duration latenessP50, Duration latenessP99, Duration latenessMax, boolean warmup) {
    }

    /**
     * Outcome: the samples, frames out of sequence, memory growth from the first sample after the
     * warm-up (RSS: MIN_VALUE if unknown) and the whole run's lateness. Growth needs two samples after
     * the warm-up, and is 0 (RSS: MIN_VALUE) with fewer.
     */
    record Result(List<Sample> samples, long ptsErrors, long sinkErrors, long heapGrowth, long rssGrowth,
                  LatencyHistogram lateness) {
        /** Samples taken after the warm-up. */
        long measured() {
            return samples.stream().filter(s -> !s.warmup()).count();
        }

        boolean memoryMeasured() {
            return measured() > 1;
        }
    }

    private final Options options;
    private final PrintWriter out;
    private final MediaClock clock;
    private final VirtualClock virtual;
    private final List<AudioStreamTrack> tracks = new ArrayList<>();
    private final PcmData[] bursts;
    private final PcmData overflowDump;
    private final PcmData empty = PcmData.ofShorts(RATE, CHANNELS, new short[0]);

    Soak(Options options, PrintWriter out) {
        this.options = options;
        this.out = out;
        this.virtual = options.realtime() ? null : new VirtualClock();
        this.clock = options.realtime() ? MediaClock.system() : virtual;
        // Bursts of 50..400 ms in 10 ms steps, all views of one tone so the soak itself allocates little.
        short[] tone = new short[RATE * CHANNELS * 8];
        for (int i = 0; i < tone.length / CHANNELS; i++) {
            short v = (short) Math.round(8000 * Math.sin(2 * Math.PI * 440 * i / RATE));
            tone[2 * i] = v;
            tone[2 * i + 1] = v;
        }
        bursts = new PcmData[36];
        for (int k = 0; k < bursts.length; k++) {
            bursts[k] = PcmData.ofShorts(RATE, CHANNELS, Arrays.copyOf(tone, (50 + 10 * k) * RATE / 1000 * CHANNELS));
        }
        overflowDump = PcmData.ofShorts(RATE, CHANNELS, tone);
    }

    Result run() throws InterruptedException {
        long endNanos = (long) (options.hours() * 3600e9);
        long sampleEvery = (long) (options.sampleEveryHours() * 3600e9);
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        Random random = new Random(options.seed());
        PriorityQueue<Producer> producers = new PriorityQueue<>((a, b) -> Long.compare(a.nextNanos, b.nextNanos));
        List<Checker> checkers = new ArrayList<>();
        List<Sample> samples = new ArrayList<>();
        long start = clock.nanoTime();
        long wallStart = System.nanoTime();

        try (FrameScheduler scheduler = options.realtime() ? new FrameScheduler(clock, 1) : FrameScheduler.manual(clock)) {
            for (int i = 0; i < options.tracks(); i++) {
                AudioStreamTrack t = AudioStreamTrack.builder().clock(clock).sampleRate(RATE).channels(CHANNELS)
                        .bufferLimit(BUFFER_LIMIT).build();
                tracks.add(t);
                Checker checker = new Checker(t.samplesPerFrame());
                checkers.add(checker);
                producers.add(new Producer(t, new Random(random.nextLong()), start + random.nextInt(2_000) * MS));
            }
            // Calls start at independent times: attach over one second.
            long attachSpacing = 1_000 * MS / options.tracks();
            for (int i = 0; i < tracks.size(); i++) {
                long at = start + i * attachSpacing;
                if (!options.realtime()) {
                    // Virtual time moves only when told: serve every frame at its due time on the way.
                    long due;
                    while ((due = scheduler.nextDueNanos()) <= at) {
                        virtual.sleepUntil(due);
                        scheduler.runDue();
                    }
                }
                waitUntil(at);
                scheduler.attach(tracks.get(i), checkers.get(i));
            }
            out.printf(Locale.ROOT, "%s soak: %d tracks of %d Hz stereo, buffer %d s, %.2f h, sample every %.2f h%n",
                    options.realtime() ? "real-time" : "virtual-time", options.tracks(), RATE,
                    BUFFER_LIMIT.toSeconds(), options.hours(), options.sampleEveryHours());
            out.println("| hour | heap after GC | RSS | frames | silent | dropped samples | flushes | lateness p50 / p99 / max |");
            out.println("|---|---|---|---|---|---|---|---|");
            out.flush();

            LatencyHistogram lastLateness = new LatencyHistogram();
            long nextSample = start + sampleEvery;
            while (true) {
                long next = Math.min(Math.min(producers.peek().nextNanos, nextSample), start + endNanos);
                if (!options.realtime()) {
                    next = Math.min(next, scheduler.nextDueNanos());
                }
                waitUntil(next);
                long now = clock.nanoTime();
                boolean over = now - start >= endNanos;
                while (producers.peek().nextNanos <= now) {
                    Producer p = producers.poll();
                    p.act(now);
                    producers.add(p);
                }
                if (!options.realtime()) {
                    scheduler.runDue();
                }
                // At the end, a sample that rounding put a few nanoseconds past it is taken anyway.
                if (now >= nextSample || (over && nextSample - (start + endNanos) < sampleEvery / 2)) {
                    nextSample += sampleEvery;
                    // A barge-in on every track first: the heap then holds no audio, only what the
                    // tracks keep when empty, so that a sample-to-sample difference is a leak and not
                    // the few seconds of audio that happened to be buffered at that instant.
                    for (AudioStreamTrack t : tracks) {
                        t.flush();
                    }
                    SchedulerStats stats = scheduler.stats();
                    LatencyHistogram window = stats.lateness().since(lastLateness);
                    lastLateness = stats.lateness();
                    boolean warmup = System.nanoTime() - wallStart < options.warmupSeconds() * 1_000_000_000L;
                    Sample s = sample((now - start) / 3600e9, memory, window, warmup);
                    samples.add(s);
                    print(s);
                }
                if (over) {
                    break;
                }
            }
            long ptsErrors = checkers.stream().mapToLong(c -> c.ptsErrors).sum();
            SchedulerStats end = scheduler.stats();
            long sinkErrors = end.sinkErrors();
            for (AudioStreamTrack t : tracks) {
                t.stop();
            }
            long heapGrowth = 0;
            long rssGrowth = Long.MIN_VALUE;
            List<Sample> measured = samples.stream().filter(x -> !x.warmup()).toList();
            if (measured.size() > 1) {
                Sample first = measured.get(0);
                heapGrowth = lowestOfLastHalf(measured, Sample::heapAfterGc) - first.heapAfterGc();
                if (first.rss() > 0) {
                    rssGrowth = lowestOfLastHalf(measured, Sample::rss) - first.rss();
                }
            }
            return new Result(samples, ptsErrors, sinkErrors, heapGrowth, rssGrowth, end.lateness());
        }
    }

    /**
     * Growth is measured from the first sample to the lowest reading of the run's second half: a
     * leak raises every later reading, while a transient (a JIT compilation's native arena, a
     * burst being collected) raises only some.
     */
    private static long lowestOfLastHalf(List<Sample> samples, ToLongFunction<Sample> reading) {
        return samples.subList(samples.size() / 2, samples.size()).stream().mapToLong(reading).min().orElse(0);
    }

    private void waitUntil(long deadline) throws InterruptedException {
        if (virtual != null) {
            virtual.sleepUntil(deadline);
            return;
        }
        long now;
        while ((now = clock.nanoTime()) < deadline) {
            LockSupport.parkNanos(deadline - now);
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
        }
    }

    private Sample sample(double hours, MemoryMXBean memory, LatencyHistogram lateness, boolean warmup) {
        long frames = 0;
        long silent = 0;
        long dropped = 0;
        long flushes = 0;
        for (AudioStreamTrack t : tracks) {
            TrackStats s = t.stats();
            frames += s.framesEmitted();
            silent += s.silentFrames();
            dropped += s.droppedSamples();
            flushes += s.flushes();
        }
        return new Sample(hours, Memory.heapAfterGc(memory), Memory.rss(), frames, silent, dropped, flushes,
                lateness.percentile(50), lateness.percentile(99), lateness.max(), warmup);
    }

    private void print(Sample s) {
        out.printf(Locale.ROOT, "| %.2f%s | %s | %s | %,d | %,d | %,d | %,d | %s / %s / %s |%n", s.hours(),
                s.warmup() ? " (warm-up)" : "",
                Memory.mib(s.heapAfterGc()), Memory.mib(s.rss()), s.frames(), s.silentFrames(), s.droppedSamples(),
                s.flushes(), Memory.ms(s.latenessP50()), Memory.ms(s.latenessP99()), Memory.ms(s.latenessMax()));
        out.flush();
    }

    /** A TTS-like writer: utterances of bursts, barge-ins, pauses, the odd overflow. */
    private final class Producer {
        final AudioStreamTrack track;
        final Random random;
        long nextNanos;
        int burstsLeft;
        boolean bargeIn;

        Producer(AudioStreamTrack track, Random random, long firstNanos) {
            this.track = track;
            this.random = random;
            this.nextNanos = firstNanos;
        }

        void act(long now) {
            if (burstsLeft == 0) {
                // A new utterance: 5..40 bursts (about 1..9 s of speech); a few are dumped at once.
                if (random.nextInt(40) == 0) {
                    track.write(overflowDump, true); // 8 s into a 5 s buffer: the oldest 3 s are dropped
                    nextNanos = now + (2_000 + random.nextInt(8_000)) * MS;
                    return;
                }
                burstsLeft = 5 + random.nextInt(36);
                bargeIn = random.nextInt(10) == 0;
            }
            int k = random.nextInt(bursts.length);
            burstsLeft--;
            if (bargeIn && burstsLeft == 2) {
                track.flush(); // the user spoke: cut the agent off
                burstsLeft = 0;
                nextNanos = now + (500 + random.nextInt(3_000)) * MS;
                return;
            }
            boolean last = burstsLeft == 0;
            track.write(bursts[k], last);
            long burstMs = 50 + 10L * k;
            // TTS runs ahead of playout: the next burst comes sooner than this one lasts. Between
            // utterances the other side talks (2..10 s), so an agent speaks about half of the time.
            nextNanos = now + (last ? (2_000 + random.nextInt(8_000)) : (long) (burstMs * random.nextDouble())) * MS;
        }
    }

    /** Sink that checks every frame follows the previous one. */
    private static final class Checker implements FrameSink {
        final int samplesPerFrame;
        long expectedPts;
        long ptsErrors;

        Checker(int samplesPerFrame) {
            this.samplesPerFrame = samplesPerFrame;
        }

        @Override
        public void onFrame(AudioFrame frame) {
            if (frame.pts() != expectedPts) {
                ptsErrors++;
            }
            expectedPts = frame.pts() + samplesPerFrame;
        }
    }
}
