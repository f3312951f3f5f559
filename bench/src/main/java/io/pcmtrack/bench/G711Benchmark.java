package io.pcmtrack.bench;

import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import io.pcmtrack.telephony.G711;

/**
 * G.711 on one 20 ms frame at 8 kHz (160 samples), encode and decode, μ-law and A-law. Run with
 * {@code -prof gc}: gc.alloc.rate.norm must be 0 (the array methods fill the caller's arrays).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class G711Benchmark {
    private final short[] pcm = Signals.toneShorts(8000, 440, 0.5, 160);
    private final byte[] codes = new byte[160];
    private final short[] decoded = new short[160];

    @Setup
    public void setUp() {
        G711.ulawEncode(pcm, 0, codes, 0, 160);
    }

    @Benchmark
    public byte[] ulawEncode() {
        G711.ulawEncode(pcm, 0, codes, 0, 160);
        return codes;
    }

    @Benchmark
    public short[] ulawDecode() {
        G711.ulawDecode(codes, 0, decoded, 0, 160);
        return decoded;
    }

    @Benchmark
    public byte[] alawEncode() {
        G711.alawEncode(pcm, 0, codes, 0, 160);
        return codes;
    }

    @Benchmark
    public short[] alawDecode() {
        G711.alawDecode(codes, 0, decoded, 0, 160);
        return decoded;
    }
}
