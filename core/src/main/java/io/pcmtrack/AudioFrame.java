package io.pcmtrack;

import java.time.Duration;
import java.util.Objects;

/**
 * One fixed-duration frame handed out by a track: {@code samplesPerChannel} interleaved samples in
 * the track's format, stamped with its presentation time.
 *
 * <p>A frame is a reusable container: {@link AudioStreamTrack#recv(AudioFrame)} refills it in
 * place, so the arrays returned by {@link #shorts()} and {@link #floats()} are the frame's own
 * and change on the next refill. Use {@link #toPcmData()} to keep a copy.
 */
public final class AudioFrame {
    private final PcmFormat format;
    private final int samplesPerChannel;
    private final Duration duration;
    private final short[] shorts;
    private final float[] floats;
    private long pts;
    private boolean silence;

    private AudioFrame(PcmFormat format, int samplesPerChannel) {
        this.format = format;
        this.samplesPerChannel = samplesPerChannel;
        this.duration = Duration.ofNanos(samplesPerChannel * 1_000_000_000L / format.sampleRate());
        int n = samplesPerChannel * format.channels();
        this.shorts = format.sampleFormat() == SampleFormat.S16 ? new short[n] : null;
        this.floats = format.sampleFormat() == SampleFormat.F32 ? new float[n] : null;
    }

    /**
     * A silent frame with pts 0, for example to pass to {@code recv(reuse)} from the start.
     *
     * @param format            S16 or F32
     * @param samplesPerChannel at least 1
     */
    public static AudioFrame allocate(PcmFormat format, int samplesPerChannel) {
        Objects.requireNonNull(format, "format");
        if (format.sampleFormat() != SampleFormat.S16 && format.sampleFormat() != SampleFormat.F32) {
            throw new IllegalArgumentException("frames hold S16 or F32 samples, got " + format.sampleFormat());
        }
        if (samplesPerChannel < 1 || (long) samplesPerChannel * format.channels() > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("samplesPerChannel must be 1.." + (Integer.MAX_VALUE - 8) / format.channels()
                    + " for " + format.channels() + " channels, got " + samplesPerChannel);
        }
        AudioFrame frame = new AudioFrame(format, samplesPerChannel);
        frame.silence = true;
        return frame;
    }

    public PcmFormat format() {
        return format;
    }

    /** Presentation time in samples per channel (time base {@code 1/sampleRate}). */
    public long pts() {
        return pts;
    }

    public int samplesPerChannel() {
        return samplesPerChannel;
    }

    public Duration duration() {
        return duration;
    }

    /**
     * The interleaved samples of an S16 frame, {@code samplesPerChannel * channels} long: the
     * frame's own array, not a copy.
     *
     * @throws IllegalStateException if the frame is F32
     */
    public short[] shorts() {
        if (shorts == null) {
            throw new IllegalStateException("shorts() needs an S16 frame, this one is " + format.sampleFormat());
        }
        return shorts;
    }

    /**
     * The interleaved samples of an F32 frame, {@code samplesPerChannel * channels} long: the
     * frame's own array, not a copy.
     *
     * @throws IllegalStateException if the frame is S16
     */
    public float[] floats() {
        if (floats == null) {
            throw new IllegalStateException("floats() needs an F32 frame, this one is " + format.sampleFormat());
        }
        return floats;
    }

    /** True if the whole frame was synthesized because the track had no audio ready. */
    public boolean isSilence() {
        return silence;
    }

    /** A copy of this frame's audio. */
    public PcmData toPcmData() {
        return shorts != null
                ? PcmData.ofShorts(format.sampleRate(), format.channels(), shorts.clone())
                : PcmData.ofFloats(format.sampleRate(), format.channels(), floats.clone());
    }

    /** True if {@code recv} may refill this frame for a track of {@code format} and frame size. */
    boolean fits(PcmFormat format, int samplesPerChannel) {
        return this.format.equals(format) && this.samplesPerChannel == samplesPerChannel;
    }

    void stamp(long pts, boolean silence) {
        this.pts = pts;
        this.silence = silence;
    }

    @Override
    public String toString() {
        return "AudioFrame[" + format + ", pts=" + pts + ", " + samplesPerChannel + " samples/channel"
                + (silence ? ", silence" : "") + "]";
    }
}
