package io.pcmtrack;

import java.util.Objects;

/**
 * Sample rate, channel count and sample format of interleaved PCM audio.
 *
 * @param sampleRate   samples per second per channel, 1000..768000
 * @param channels     interleaved channels, 1..32
 * @param sampleFormat how each sample is stored
 */
public record PcmFormat(int sampleRate, int channels, SampleFormat sampleFormat) {

    public static final int MIN_SAMPLE_RATE = 1_000;
    public static final int MAX_SAMPLE_RATE = 768_000;
    public static final int MAX_CHANNELS = 32;

    public PcmFormat {
        checkSampleRate("sampleRate", sampleRate);
        checkChannels("channels", channels);
        Objects.requireNonNull(sampleFormat, "sampleFormat");
    }

    /** Signed 16-bit at the given rate and channel count. */
    public static PcmFormat s16(int sampleRate, int channels) {
        return new PcmFormat(sampleRate, channels, SampleFormat.S16);
    }

    /** 32-bit float at the given rate and channel count. */
    public static PcmFormat f32(int sampleRate, int channels) {
        return new PcmFormat(sampleRate, channels, SampleFormat.F32);
    }

    /** Bytes one sample frame (one sample of every channel) takes. */
    public int bytesPerFrame() {
        return channels * sampleFormat.bytesPerSample();
    }

    /** The same format with another sample format. */
    public PcmFormat withSampleFormat(SampleFormat format) {
        return new PcmFormat(sampleRate, channels, format);
    }

    @Override
    public String toString() {
        return sampleFormat.name().toLowerCase(java.util.Locale.ROOT) + ":" + sampleRate + ":" + channels;
    }

    static void checkSampleRate(String name, int hz) {
        if (hz < MIN_SAMPLE_RATE || hz > MAX_SAMPLE_RATE) {
            throw new IllegalArgumentException(
                    name + " must be " + MIN_SAMPLE_RATE + ".." + MAX_SAMPLE_RATE + " Hz, got " + hz);
        }
    }

    static void checkChannels(String name, int n) {
        if (n < 1 || n > MAX_CHANNELS) {
            throw new IllegalArgumentException(name + " must be 1.." + MAX_CHANNELS + ", got " + n);
        }
    }
}
