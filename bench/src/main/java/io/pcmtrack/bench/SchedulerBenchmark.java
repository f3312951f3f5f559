package io.pcmtrack.bench;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import io.pcmtrack.AudioStreamTrack;
import io.pcmtrack.FrameScheduler;
import io.pcmtrack.PcmData;
import io.pcmtrack.VirtualClock;

/**
 * Per-frame cost of the scheduler's delivery at scale, in virtual time on one thread: each
 * operation is one 20 ms period in which every track gets a 20 ms write and the scheduler
 * delivers every due frame. Scores are per period: divide by {@code tracks} for the cost of one
 * frame (its write and its delivery). gc.alloc.rate.norm must be 0.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class SchedulerBenchmark {
    @Param({"1000", "5000", "10000", "20000"})
    public int tracks;

    private VirtualClock clock;
    private FrameScheduler scheduler;
    private AudioStreamTrack[] all;
    private PcmData chunk;

    @Setup(Level.Trial)
    public void setUp(Blackhole bh) {
        clock = new VirtualClock();
        scheduler = FrameScheduler.manual(clock);
        all = new AudioStreamTrack[tracks];
        chunk = PcmData.ofShorts(48_000, 1, Signals.toneShorts(48_000, 440, 0.3, 960));
        for (int i = 0; i < tracks; i++) {
            all[i] = AudioStreamTrack.builder().clock(clock).bufferLimit(Duration.ofSeconds(2)).build();
            scheduler.attach(all[i], frame -> bh.consume(frame.shorts()[0]));
            clock.advance(Duration.ofNanos(20_000_000L / tracks)); // independent call start times
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        scheduler.close();
    }

    @Benchmark
    public int period() {
        for (AudioStreamTrack t : all) {
            t.write(chunk);
        }
        long end = clock.nanoTime() + 20_000_000L;
        int delivered = 0;
        long next;
        while ((next = scheduler.nextDueNanos()) <= end) {
            clock.sleepUntil(next);
            delivered += scheduler.runDue();
        }
        clock.sleepUntil(end);
        return delivered;
    }
}
