package io.pcmtrack.bench;

import io.pcmtrack.dsp.Resampler;
import org.openjdk.jmh.annotations.AuxCounters;
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
import org.openjdk.jmh.annotations.Warmup;

import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Resampler throughput on one thread. One operation converts one 10 ms chunk, as a track does; the
 * secondary result {@code :audioSeconds} (seconds of audio converted per second) is the "x real time"
 * figure. With {@code -prof gc}, gc.alloc.rate.norm is the bytes per chunk: 0 apart from JMH's own
 * per-iteration bookkeeping spread over the chunks (a few hundredths of a byte).
 *
 * <pre>java -jar bench/target/benchmarks.jar ResamplerBenchmark -prof gc</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ResamplerBenchmark {
    @Param({
        "24000:48000", "48000:24000", "16000:48000", "48000:16000", "44100:48000", "8000:48000",
        "48000:44100", "44101:48000", "7999:48000",
    })
    public String rates;

    @Param({"1"})
    public int channels;

    private Resampler resampler;
    private float[] in;
    private float[] out;
    private int chunk;
    private int chunks;
    private int next;
    private double chunkSeconds;

    /** Audio converted, reported by JMH per second of measurement: the "x real time" figure. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Audio {
        public double audioSeconds;

        @Setup(Level.Iteration)
        public void clear() {
            audioSeconds = 0;
        }
    }

    @Setup
    public void setup() {
        String[] r = rates.split(":");
        int inRate = Integer.parseInt(r[0]);
        int outRate = Integer.parseInt(r[1]);
        resampler = new Resampler(inRate, outRate, channels);
        chunk = inRate / 100;
        chunks = 100;
        chunkSeconds = (double) chunk / inRate;
        Random random = new Random(1);
        in = new float[chunk * chunks * channels];
        for (int i = 0; i < in.length; i++) {
            in[i] = (float) (random.nextGaussian() * 0.1);
        }
        out = new float[resampler.maxOutputFrames(chunk) * channels];
    }

    @Benchmark
    public int chunk(Audio audio) {
        int frames = resampler.process(in, next * chunk * channels, chunk, out, 0);
        next = next + 1 == chunks ? 0 : next + 1;
        audio.audioSeconds += chunkSeconds;
        return frames;
    }
}
