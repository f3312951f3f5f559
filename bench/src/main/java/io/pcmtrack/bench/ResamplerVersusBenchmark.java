package io.pcmtrack.bench;

import com.sun.jna.Memory;
import io.pcmtrack.dsp.Resampler;
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

import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * pcmtrack's resampler, libsoxr HQ and speexdsp q10 on the same signal in the same run: 60 s of mono
 * Gaussian noise at the input rate, fed in 10 ms chunks, one operation per chunk, one thread. Operations
 * per second divided by 100 is the "x real time" figure. {@link ResamplerVersus} runs this and prints
 * pcmtrack's throughput as a ratio to each library's. Needs the Debian packages {@code libsoxr0} and
 * {@code libspeexdsp1}.
 *
 * <pre>java -cp bench/target/benchmarks.jar io.pcmtrack.bench.ResamplerVersus</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ResamplerVersusBenchmark {
    /** The six conversions of the speed goal. */
    static final String[] CONVERSIONS = {
        "24000:48000", "16000:48000", "48000:16000", "48000:24000", "8000:48000", "44100:48000",
    };
    static final String[] CONVERTERS = {"pcmtrack", "soxr", "speex"};
    private static final int SECONDS = 60;

    @Param({"24000:48000", "16000:48000", "48000:16000", "48000:24000", "8000:48000", "44100:48000"})
    public String rates;

    @Param({"pcmtrack", "soxr", "speex"})
    public String converter;

    private Resampler resampler;
    private NativeResamplers.Converter reference;
    private float[] signal;
    private Memory nativeSignal;
    private float[] out;
    private int chunk;
    private int chunks;
    private int next;

    @Setup
    public void setup() {
        String[] r = rates.split(":");
        int inRate = Integer.parseInt(r[0]);
        int outRate = Integer.parseInt(r[1]);
        chunk = inRate / 100;
        chunks = SECONDS * 100;
        Random random = new Random(1);
        signal = new float[chunk * chunks];
        for (int i = 0; i < signal.length; i++) {
            signal[i] = (float) (random.nextGaussian() * 0.1);
        }
        switch (converter) {
            case "pcmtrack":
                resampler = new Resampler(inRate, outRate, 1);
                out = new float[resampler.maxOutputFrames(chunk)];
                break;
            case "soxr":
                reference = new NativeResamplers.Soxr(inRate, outRate, chunk);
                break;
            case "speex":
                reference = new NativeResamplers.Speex(inRate, outRate, chunk);
                break;
            default:
                throw new IllegalArgumentException("converter must be pcmtrack, soxr or speex, got " + converter);
        }
        if (reference != null) {
            nativeSignal = new Memory(4L * signal.length);
            nativeSignal.write(0, signal, 0, signal.length);
        }
    }

    @Benchmark
    public int chunk() {
        int offset = next * chunk;
        next = next + 1 == chunks ? 0 : next + 1;
        if (resampler != null) {
            return resampler.process(signal, offset, chunk, out, 0);
        }
        return reference.process(nativeSignal, 4L * offset, chunk);
    }

    @TearDown
    public void close() {
        if (reference != null) {
            reference.close();
        }
    }
}
