package io.pcmtrack;

import java.time.Duration;
import java.util.Objects;

import io.pcmtrack.dsp.SampleCodec;

/**
 * A chunk of interleaved PCM audio in a known {@link PcmFormat}.
 *
 * <p>The factories wrap the array they are given without copying it, so that writing a chunk to a
 * track costs no allocation: do not modify the array while the {@code PcmData} is in use.
 * {@link AudioStreamTrack#write} copies what it needs before it returns, so the array may be
 * refilled after that. Everything that returns an array returns a new one.
 */
public final class PcmData {
    private final PcmFormat format;
    private final int samplesPerChannel;
    // Exactly one of these holds the samples: shorts for ofShorts, floats for ofFloats, bytes for ofBytes.
    private final short[] shorts;
    private final float[] floats;
    private final byte[] bytes;

    private PcmData(PcmFormat format, int samplesPerChannel, short[] shorts, float[] floats, byte[] bytes) {
        this.format = format;
        this.samplesPerChannel = samplesPerChannel;
        this.shorts = shorts;
        this.floats = floats;
        this.bytes = bytes;
    }

    /** 16-bit samples, interleaved; the array is wrapped, not copied. */
    public static PcmData ofShorts(int sampleRate, int channels, short[] interleaved) {
        PcmFormat format = PcmFormat.s16(sampleRate, channels);
        return new PcmData(format, frames(format, "interleaved", interleaved == null ? -1 : interleaved.length, 1),
                interleaved, null, null);
    }

    /** Float samples (nominal -1..1), interleaved; the array is wrapped, not copied. */
    public static PcmData ofFloats(int sampleRate, int channels, float[] interleaved) {
        PcmFormat format = PcmFormat.f32(sampleRate, channels);
        return new PcmData(format, frames(format, "interleaved", interleaved == null ? -1 : interleaved.length, 1),
                null, interleaved, null);
    }

    /** Little-endian interleaved bytes of {@code format}; the array is wrapped, not copied. */
    public static PcmData ofBytes(PcmFormat format, byte[] littleEndianInterleaved) {
        Objects.requireNonNull(format, "format");
        int n = littleEndianInterleaved == null ? -1 : littleEndianInterleaved.length;
        return new PcmData(format, frames(format, "littleEndianInterleaved", n, format.sampleFormat().bytesPerSample()),
                null, null, littleEndianInterleaved);
    }

    /** Digital silence of the given duration, rounded to the nearest sample. */
    public static PcmData silence(PcmFormat format, Duration duration) {
        Objects.requireNonNull(format, "format");
        if (duration == null || duration.isNegative()) {
            throw new IllegalArgumentException("duration must be >= 0, got " + duration);
        }
        long frames = Math.round(duration.toNanos() * (double) format.sampleRate() / 1e9);
        long values = frames * format.channels();
        if (values > Integer.MAX_VALUE / format.sampleFormat().bytesPerSample()) {
            throw new IllegalArgumentException("duration is too long for one chunk: " + duration);
        }
        return switch (format.sampleFormat()) {
            case S16 -> new PcmData(format, (int) frames, new short[(int) values], null, null);
            case F32 -> new PcmData(format, (int) frames, null, new float[(int) values], null);
            default -> {
                byte[] b = new byte[(int) values * format.sampleFormat().bytesPerSample()];
                if (format.sampleFormat() == SampleFormat.U8) {
                    java.util.Arrays.fill(b, (byte) 128);
                }
                yield new PcmData(format, (int) frames, null, null, b);
            }
        };
    }

    private static int frames(PcmFormat format, String name, int length, int bytesPerSample) {
        if (length < 0) {
            throw new IllegalArgumentException(name + " must not be null");
        }
        int frameSize = format.channels() * bytesPerSample;
        if (length % frameSize != 0) {
            throw new IllegalArgumentException(name + " length must be a multiple of " + frameSize
                    + (bytesPerSample == 1 ? " (channels)" : " (channels * bytes per sample)")
                    + " for " + format + ", got " + length);
        }
        return length / frameSize;
    }

    public PcmFormat format() {
        return format;
    }

    /** Sample frames: samples in each channel. */
    public int samplesPerChannel() {
        return samplesPerChannel;
    }

    /** {@code samplesPerChannel / sampleRate}, to the nanosecond. */
    public Duration duration() {
        return Duration.ofNanos(samplesPerChannel * 1_000_000_000L / format.sampleRate());
    }

    /** Samples converted to 16-bit if needed, in a new array. */
    public short[] toShorts() {
        int n = sampleCount();
        if (shorts != null) {
            return shorts.clone();
        }
        short[] out = new short[n];
        if (bytes != null && format.sampleFormat() == SampleFormat.S16) {
            SampleCodec.decodeS16(bytes, 0, out, 0, n);
        } else {
            SampleCodec.encode(toFloats(), 0, out, 0, n);
        }
        return out;
    }

    /** Samples converted to float if needed, in a new array. */
    public float[] toFloats() {
        if (floats != null) {
            return floats.clone();
        }
        float[] out = new float[sampleCount()];
        if (bytes != null && format.sampleFormat() == SampleFormat.F32) {
            SampleCodec.decodeF32(bytes, 0, out, 0, out.length);
        } else {
            readFloats(0, samplesPerChannel, out, 0);
        }
        return out;
    }

    /** Samples as little-endian bytes of this chunk's own format, in a new array. */
    public byte[] toBytes() {
        if (bytes != null) {
            return bytes.clone();
        }
        int n = sampleCount();
        byte[] out = new byte[n * format.sampleFormat().bytesPerSample()];
        if (shorts != null) {
            SampleCodec.encodeS16(shorts, 0, out, 0, n);
        } else {
            SampleCodec.encode(floats, 0, SampleFormat.F32, out, 0, n);
        }
        return out;
    }

    /**
     * This audio in another format: sample format, channels (see
     * {@link io.pcmtrack.dsp.ChannelMixer} for the rule) and sample rate (band-limited, delay
     * compensated; the result has {@code round(samplesPerChannel * targetRate / sourceRate)}
     * samples per channel). Returns this chunk when the format is already {@code target}.
     */
    public PcmData convertTo(PcmFormat target) {
        Objects.requireNonNull(target, "target");
        if (target.equals(format)) {
            return this;
        }
        return ConversionChain.convertWhole(this, target);
    }

    /** Interleaved samples: {@code samplesPerChannel * channels}. */
    int sampleCount() {
        return samplesPerChannel * format.channels();
    }

    /** The 16-bit array this chunk wraps, or null. */
    short[] shortArray() {
        return shorts;
    }

    /** The float array this chunk wraps, or null. */
    float[] floatArray() {
        return floats;
    }

    /** The byte array this chunk wraps, or null. */
    byte[] byteArray() {
        return bytes;
    }

    /** Decodes {@code frames} sample frames from {@code frameOffset} to the float working format. */
    void readFloats(int frameOffset, int frames, float[] dst, int dstOffset) {
        int ch = format.channels();
        int from = frameOffset * ch;
        int n = frames * ch;
        if (shorts != null) {
            SampleCodec.decode(shorts, from, dst, dstOffset, n);
        } else if (floats != null) {
            SampleCodec.decode(floats, from, dst, dstOffset, n);
        } else {
            SampleCodec.decode(format.sampleFormat(), bytes, from, dst, dstOffset, n);
        }
    }

    /** Copies {@code frames} sample frames of a 16-bit chunk, bit-exact. */
    void readShorts(int frameOffset, int frames, short[] dst, int dstOffset) {
        int ch = format.channels();
        if (shorts != null) {
            System.arraycopy(shorts, frameOffset * ch, dst, dstOffset, frames * ch);
        } else {
            SampleCodec.decodeS16(bytes, frameOffset * ch, dst, dstOffset, frames * ch);
        }
    }

    @Override
    public String toString() {
        return "PcmData[" + format + ", " + samplesPerChannel + " samples/channel]";
    }
}
