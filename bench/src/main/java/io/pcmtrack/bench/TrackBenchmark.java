package io.pcmtrack.bench;

import java.time.Duration;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import io.pcmtrack.AudioFrame;
import io.pcmtrack.AudioStreamTrack;
import io.pcmtrack.PcmData;
import io.pcmtrack.VirtualClock;

/**
 * The cost of one 20 ms frame through a track, without pacing (virtual clock): {@code write} of
 * a 20 ms chunk plus {@code recv(reuse)}. Run with {@code -prof gc}: gc.alloc.rate.norm must be 0.
 *
 * <ul>
 *   <li>{@code steady}: one frame buffered.</li>
 *   <li>{@code deep28s}: 28 s buffered (where copying the remainder on every read would hurt).</li>
 *   <li>{@code cap30s}: at the 30 s cap; each op writes 40 ms so that every op drops 20 ms (overflow).</li>
 * </ul>
 * {@code inRate} other than 48000 adds the resampler (mono in, 48 kHz mono track).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class TrackBenchmark {
    @Param({"steady", "deep28s", "cap30s"})
    public String buffer;

    @Param({"48000", "24000", "16000", "44100"})
    public int inRate;

    private AudioStreamTrack track;
    private PcmData chunk;
    private AudioFrame frame;
    private boolean overflow;

    @Setup
    public void setUp() throws InterruptedException {
        track = AudioStreamTrack.builder().clock(new VirtualClock()).bufferLimit(Duration.ofSeconds(30)).build();
        chunk = PcmData.ofShorts(inRate, 1, Signals.toneShorts(inRate, 1000, 0.5, inRate / 50));
        frame = track.recv();
        int prefillFrames = switch (buffer) {
            case "steady" -> 0;
            case "deep28s" -> 28 * 50;
            case "cap30s" -> 30 * 50;
            default -> throw new IllegalArgumentException("buffer " + buffer);
        };
        for (int i = 0; i < prefillFrames; i++) {
            track.write(chunk);
        }
        overflow = buffer.equals("cap30s");
    }

    @TearDown
    public void tearDown() {
        track.stop();
    }

    @Benchmark
    public AudioFrame writeAndRecv() throws InterruptedException {
        track.write(chunk);
        if (overflow) {
            track.write(chunk);
        }
        return track.recv(frame);
    }
}
