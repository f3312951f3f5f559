package io.pcmtrack.bench;

import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The floor under {@link SchedulerBenchmark}: only its audio's way through memory, with no track,
 * lock, queue or scheduler. Each operation is one 20 ms period: every "track" copies a 20 ms
 * chunk (960 shorts, from one hot array) into its own buffer, then every track's frame is copied
 * out of that buffer into one hot frame, in the same order. A track's buffer is a ring of two
 * 2,048-short blocks, as the pool's (the writes move on by 960 shorts each period, as a track's
 * tail does). Scores are per period; divide by {@code tracks} for one frame. What a frame costs
 * here at 10,000 tracks, against 1,000, is the part of the scheduler's growth that comes from the
 * audio alone: 1.9 KB written into memory gone cold since the last period and read back after
 * every other track's.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class AudioMemoryFloorBenchmark {
    private static final int FRAME = 960;
    private static final int BLOCK = 2_048;

    @Param({"1000", "5000", "10000", "20000"})
    public int tracks;

    private short[][] buffers;
    private int[] positions;
    private short[] chunk;
    private short[] frame;

    @Setup
    public void setUp() {
        buffers = new short[tracks][];
        positions = new int[tracks];
        for (int i = 0; i < tracks; i++) {
            buffers[i] = new short[2 * BLOCK];
        }
        chunk = Signals.toneShorts(48_000, 440, 0.3, FRAME);
        frame = new short[FRAME];
    }

    @Benchmark
    public int period() {
        short[][] b = buffers;
        int[] p = positions;
        for (int i = 0; i < b.length; i++) {
            int at = p[i];
            int first = Math.min(FRAME, b[i].length - at);
            System.arraycopy(chunk, 0, b[i], at, first);
            System.arraycopy(chunk, first, b[i], 0, FRAME - first);
        }
        int sum = 0;
        for (int i = 0; i < b.length; i++) {
            int at = p[i];
            int first = Math.min(FRAME, b[i].length - at);
            System.arraycopy(b[i], at, frame, 0, first);
            System.arraycopy(b[i], 0, frame, first, FRAME - first);
            p[i] = (at + FRAME) % b[i].length;
            sum += frame[0] + frame[FRAME - 1];
        }
        return sum;
    }
}
