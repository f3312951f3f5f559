package io.pcmtrack;

/**
 * How one sample is stored: little-endian, interleaved when there are several channels.
 *
 * <p>Integer formats map to float as {@code f = s / 2^(bits-1)} (U8 with an offset of 128);
 * float to integer is {@code round(clamp(f, -1, 1) * (2^(bits-1) - 1))}, NaN becomes 0.
 */
public enum SampleFormat {
    /** Unsigned 8-bit, silence at 128. */
    U8(1),
    /** Signed 16-bit. */
    S16(2),
    /** Signed 24-bit packed in three bytes. */
    S24(3),
    /** Signed 32-bit. */
    S32(4),
    /** 32-bit IEEE float, nominal range -1..1. */
    F32(4),
    /** 64-bit IEEE float, nominal range -1..1. */
    F64(8);

    private final int bytesPerSample;

    SampleFormat(int bytesPerSample) {
        this.bytesPerSample = bytesPerSample;
    }

    /** Bytes one sample of one channel takes. */
    public int bytesPerSample() {
        return bytesPerSample;
    }

    /** True for F32 and F64. */
    public boolean isFloat() {
        return this == F32 || this == F64;
    }
}
