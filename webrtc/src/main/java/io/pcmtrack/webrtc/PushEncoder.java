package io.pcmtrack.webrtc;

import io.pcmtrack.AudioFrame;
import io.pcmtrack.PcmFormat;
import io.pcmtrack.SampleFormat;
import io.pcmtrack.dsp.SampleCodec;

/**
 * Cuts a track's frames into the 10 ms chunks of 16-bit little-endian PCM that
 * {@code CustomAudioSource.pushAudio} accepts (libwebrtc drops any other size, logging only a
 * native line), in one reused byte array: no allocation per frame.
 *
 * <p>Not thread-safe: one pushing thread, which is also what libwebrtc requires.
 */
final class PushEncoder {
    static final int BITS_PER_SAMPLE = 16;
    static final int MIN_RATE = 8_000;
    static final int MAX_RATE = 48_000;

    final int sampleRate;
    final int channels;
    final int chunkFrames;
    final int chunksPerFrame;
    private final int samplesPerFrame;
    private final boolean floats;
    private final byte[] chunk;

    /**
     * @param format          the track's format: S16 or F32, 1 or 2 channels, a rate libwebrtc takes
     * @param samplesPerFrame the track's frame size; a whole number of 10 ms chunks
     * @throws IllegalArgumentException naming the bad value and what libwebrtc accepts
     */
    PushEncoder(PcmFormat format, int samplesPerFrame) {
        check(format, samplesPerFrame);
        this.sampleRate = format.sampleRate();
        this.channels = format.channels();
        this.chunkFrames = sampleRate / 100;
        this.chunksPerFrame = samplesPerFrame / chunkFrames;
        this.samplesPerFrame = samplesPerFrame;
        this.floats = format.sampleFormat() == SampleFormat.F32;
        this.chunk = new byte[chunkFrames * channels * 2];
    }

    static void check(PcmFormat format, int samplesPerFrame) {
        if (format.sampleFormat() != SampleFormat.S16 && format.sampleFormat() != SampleFormat.F32) {
            throw new IllegalArgumentException("track sample format must be S16 or F32, got " + format.sampleFormat());
        }
        if (format.channels() > 2) {
            throw new IllegalArgumentException("libwebrtc sends mono or stereo: track channels must be 1 or 2, got "
                    + format.channels());
        }
        int rate = format.sampleRate();
        if (rate < MIN_RATE || rate > MAX_RATE || rate % 100 != 0) {
            throw new IllegalArgumentException("libwebrtc takes 10 ms chunks at " + MIN_RATE + ".." + MAX_RATE
                    + " Hz with a whole number of samples (8000, 16000, 24000, 32000, 44100, 48000...): track sample rate "
                    + rate + " Hz does not fit");
        }
        if (samplesPerFrame <= 0 || samplesPerFrame % (rate / 100) != 0) {
            throw new IllegalArgumentException("track frames must be a whole number of 10 ms (" + rate / 100
                    + " samples at " + rate + " Hz), got " + samplesPerFrame + " samples per frame");
        }
    }

    /** The chunk buffer: valid after {@link #encode} or {@link #silence()}, until the next call. */
    byte[] buffer() {
        return chunk;
    }

    /**
     * Writes chunk {@code index} (0-based, 10 ms each) of {@code frame} into the buffer.
     *
     * @throws IllegalArgumentException if the frame is not in this encoder's format and size
     */
    void encode(AudioFrame frame, int index) {
        if (frame.samplesPerChannel() != samplesPerFrame || frame.format().channels() != channels
                || frame.format().sampleRate() != sampleRate) {
            throw new IllegalArgumentException("frame must be " + samplesPerFrame + " samples per channel at "
                    + sampleRate + " Hz, " + channels + " channels, got " + frame);
        }
        int n = chunkFrames * channels;
        int from = index * n;
        if (floats) {
            SampleCodec.encode(frame.floats(), from, SampleFormat.S16, chunk, 0, n);
        } else {
            SampleCodec.encodeS16(frame.shorts(), from, chunk, 0, n);
        }
    }

    /** Fills the buffer with digital silence. */
    void silence() {
        java.util.Arrays.fill(chunk, (byte) 0);
    }

    /** Pushes the buffer. */
    void push(AudioPush target) {
        target.push(chunk, BITS_PER_SAMPLE, sampleRate, channels, chunkFrames);
    }
}
