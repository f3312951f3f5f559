package io.pcmtrack.io;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.Objects;

import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;

import io.pcmtrack.PcmData;
import io.pcmtrack.PcmFormat;
import io.pcmtrack.SampleFormat;

/**
 * Adapters between pcmtrack's {@link PcmData} and {@code javax.sound.sampled}, so that audio can
 * come from anything the JDK decodes (WAV, AIFF, AU) or go to a {@code SourceDataLine} or
 * {@link AudioSystem#write}.
 *
 * <p>{@link #fromAudioFormat} accepts every linear format a {@code SampleFormat} can hold
 * exactly: signed or unsigned integers of 8, 16, 24 or 32 bits and floats of 32 or 64 bits, in
 * either byte order. {@link #read} converts such audio to pcmtrack's layout (little-endian,
 * U8 for 8-bit, signed for wider integers) without changing a sample's value. A-law and mu-law
 * streams are first decoded to 16-bit by the JDK's own converter.
 */
public final class JavaSound {
    private static final int MAX_ARRAY_BYTES = Integer.MAX_VALUE - 8;
    private static final int FIRST_BUFFER_BYTES = 1 << 16;

    private JavaSound() {
    }

    /**
     * The {@code javax.sound} description of {@code format}: little-endian PCM_SIGNED for S16,
     * S24 and S32, PCM_UNSIGNED for U8 and PCM_FLOAT for F32 and F64.
     */
    public static AudioFormat toAudioFormat(PcmFormat format) {
        Objects.requireNonNull(format, "format");
        SampleFormat sampleFormat = format.sampleFormat();
        AudioFormat.Encoding encoding = sampleFormat == SampleFormat.U8 ? AudioFormat.Encoding.PCM_UNSIGNED
                : sampleFormat.isFloat() ? AudioFormat.Encoding.PCM_FLOAT : AudioFormat.Encoding.PCM_SIGNED;
        return new AudioFormat(encoding, format.sampleRate(), sampleFormat.bytesPerSample() * 8,
                format.channels(), format.bytesPerFrame(), format.sampleRate(), false);
    }

    /**
     * The pcmtrack format that {@link #read} delivers for audio in {@code format}: same rate and
     * channels; U8 for any 8-bit integer, S16/S24/S32 for wider integers, F32/F64 for floats.
     *
     * @throws IllegalArgumentException if the encoding is not linear PCM or float, the sample size
     *                                  is not one of those, the frame size is padded, or the rate
     *                                  or channel count is outside what {@link PcmFormat} allows;
     *                                  the message names the value
     */
    public static PcmFormat fromAudioFormat(AudioFormat format) {
        Objects.requireNonNull(format, "format");
        AudioFormat.Encoding encoding = format.getEncoding();
        int bits = format.getSampleSizeInBits();
        SampleFormat sampleFormat;
        if (AudioFormat.Encoding.PCM_SIGNED.equals(encoding) || AudioFormat.Encoding.PCM_UNSIGNED.equals(encoding)) {
            sampleFormat = switch (bits) {
                case 8 -> SampleFormat.U8;
                case 16 -> SampleFormat.S16;
                case 24 -> SampleFormat.S24;
                case 32 -> SampleFormat.S32;
                default -> throw new IllegalArgumentException("unsupported " + encoding + " sample size: " + bits
                        + " bits, expected 8, 16, 24 or 32 (" + format + ")");
            };
        } else if (AudioFormat.Encoding.PCM_FLOAT.equals(encoding)) {
            sampleFormat = switch (bits) {
                case 32 -> SampleFormat.F32;
                case 64 -> SampleFormat.F64;
                default -> throw new IllegalArgumentException("unsupported PCM_FLOAT sample size: " + bits
                        + " bits, expected 32 or 64 (" + format + ")");
            };
        } else {
            throw new IllegalArgumentException("unsupported javax.sound encoding: " + encoding
                    + ", expected PCM_SIGNED, PCM_UNSIGNED or PCM_FLOAT (" + format + ")");
        }
        int channels = format.getChannels();
        if (channels < 1 || channels > PcmFormat.MAX_CHANNELS) {
            throw new IllegalArgumentException("unsupported channel count: " + channels + ", expected 1.."
                    + PcmFormat.MAX_CHANNELS + " (" + format + ")");
        }
        float rate = format.getSampleRate();
        if (rate != (int) rate || rate < PcmFormat.MIN_SAMPLE_RATE || rate > PcmFormat.MAX_SAMPLE_RATE) {
            throw new IllegalArgumentException("unsupported sample rate: " + rate + " Hz, expected a whole number "
                    + PcmFormat.MIN_SAMPLE_RATE + ".." + PcmFormat.MAX_SAMPLE_RATE + " (" + format + ")");
        }
        int frameSize = channels * sampleFormat.bytesPerSample();
        if (format.getFrameSize() != frameSize && format.getFrameSize() != AudioSystem.NOT_SPECIFIED) {
            throw new IllegalArgumentException("unsupported frame size: " + format.getFrameSize() + " bytes, expected "
                    + frameSize + " for " + channels + " channels of " + bits + " bits (" + format + ")");
        }
        return new PcmFormat((int) rate, channels, sampleFormat);
    }

    /**
     * A stream of {@code pcm}'s samples in {@link #toAudioFormat its javax.sound format}, with
     * the frame length set; for example to pass to {@link AudioSystem#write}. Copies the samples.
     */
    public static AudioInputStream toAudioInputStream(PcmData pcm) {
        Objects.requireNonNull(pcm, "pcm");
        return new AudioInputStream(new ByteArrayInputStream(pcm.toBytes()),
                toAudioFormat(pcm.format()), pcm.samplesPerChannel());
    }

    /**
     * Reads {@code in} to its end, in the format {@link #fromAudioFormat} gives for its format.
     * Memory grows with the bytes that actually arrive, whatever the stream's frame length says;
     * a trailing partial frame is dropped. The stream is not closed.
     *
     * @throws IllegalArgumentException if the stream's format is not one {@link #fromAudioFormat}
     *                                  accepts and the JDK cannot convert it to 16-bit PCM
     * @throws IOException              if reading fails, or the audio is longer than one
     *                                  {@code PcmData} can hold (2 GiB)
     */
    public static PcmData read(AudioInputStream in) throws IOException {
        Objects.requireNonNull(in, "in");
        AudioInputStream source = decodeCompanding(in);
        AudioFormat audioFormat = source.getFormat();
        PcmFormat format = fromAudioFormat(audioFormat);
        int frameSize = format.bytesPerFrame();
        // AudioInputStream reads whole frames only, so every request is a whole number of frames.
        int cap = MAX_ARRAY_BYTES / frameSize * frameSize;
        byte[] buffer = new byte[Math.max(frameSize, FIRST_BUFFER_BYTES / frameSize * frameSize)];
        int filled = 0;
        while (true) {
            if (filled == buffer.length) {
                if (buffer.length == cap) {
                    if (source.read(new byte[frameSize]) > 0) {
                        throw new IOException("audio too long to read whole: more than " + cap / frameSize
                                + " samples per channel (" + cap + " bytes)");
                    }
                    break;
                }
                buffer = Arrays.copyOf(buffer, (int) Math.min(cap, (2L * buffer.length) / frameSize * frameSize));
            }
            int n = source.read(buffer, filled, buffer.length - filled);
            if (n < 0) {
                break;
            }
            filled += n;
        }
        int bytes = filled / frameSize * frameSize;
        if (bytes != buffer.length) {
            buffer = Arrays.copyOf(buffer, bytes);
        }
        toPcmtrackLayout(audioFormat, format.sampleFormat(), buffer);
        return PcmData.ofBytes(format, buffer);
    }

    /** A-law and mu-law are common in telephony and the JDK decodes them; anything else is left as is. */
    private static AudioInputStream decodeCompanding(AudioInputStream in) {
        AudioFormat f = in.getFormat();
        if (!AudioFormat.Encoding.ULAW.equals(f.getEncoding()) && !AudioFormat.Encoding.ALAW.equals(f.getEncoding())) {
            return in;
        }
        AudioFormat pcm16 = new AudioFormat(AudioFormat.Encoding.PCM_SIGNED, f.getSampleRate(), 16,
                f.getChannels(), f.getChannels() * 2, f.getSampleRate(), false);
        return AudioSystem.isConversionSupported(pcm16, f) ? AudioSystem.getAudioInputStream(pcm16, in) : in;
    }

    /** Rewrites samples in place to little-endian, unsigned 8-bit and signed wider integers. */
    private static void toPcmtrackLayout(AudioFormat from, SampleFormat to, byte[] b) {
        int size = to.bytesPerSample();
        if (size > 1 && from.isBigEndian()) {
            for (int i = 0; i < b.length; i += size) {
                for (int lo = i, hi = i + size - 1; lo < hi; lo++, hi--) {
                    byte t = b[lo];
                    b[lo] = b[hi];
                    b[hi] = t;
                }
            }
        }
        boolean signed = AudioFormat.Encoding.PCM_SIGNED.equals(from.getEncoding());
        boolean unsigned = AudioFormat.Encoding.PCM_UNSIGNED.equals(from.getEncoding());
        // Flipping the top bit moves an integer between offset-binary and two's complement.
        if ((size == 1 && signed) || (size > 1 && unsigned)) {
            for (int i = size - 1; i < b.length; i += size) {
                b[i] ^= (byte) 0x80;
            }
        }
    }
}
