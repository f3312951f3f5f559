package io.pcmtrack.io;

import static io.pcmtrack.io.Riff.describeId;
import static io.pcmtrack.io.Riff.s32;
import static io.pcmtrack.io.Riff.s64;
import static io.pcmtrack.io.Riff.u16;
import static io.pcmtrack.io.Riff.u32;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;

import io.pcmtrack.PcmData;
import io.pcmtrack.PcmFormat;
import io.pcmtrack.SampleFormat;

/**
 * Reads PCM audio from a WAV file or stream, whole ({@link #read(Path)}) or chunk by chunk
 * ({@link #open(Path)} then {@link #read(int)} until it returns null).
 *
 * <p><b>What is read:</b> RIFF/WAVE with format tag PCM (1) at 8, 16, 24 or 32 bits, IEEE float
 * (3) at 32 or 64 bits, and WAVE_FORMAT_EXTENSIBLE (0xFFFE) with the PCM or IEEE float subformat;
 * 1 to 32 channels at 1000 to 768000 Hz. RF64 and BW64 files (the 64-bit-size variants) are read
 * too. Audio comes back in the file's own sample format ({@code PcmData.ofBytes}), so a read is
 * bit-exact; use {@link PcmData#convertTo} for another format. In an extensible file the channel
 * mask is not reported, and samples whose valid bits are fewer than their container (20 bits in
 * 24, say) are read as the container size: the unused low bits are zero, so levels are right.
 * Chunks other than fmt, data and ds64 ({@code LIST}, {@code fact}, {@code JUNK}, ...) are
 * skipped, including their pad byte when their size is odd. The first fmt chunk counts. Big-endian
 * RIFX files are refused.
 *
 * <p><b>Where the audio ends:</b> header sizes are never trusted. The audio ends at whichever
 * comes first: the end of the data chunk as its header declares it (a size of 0xFFFFFFFF, as
 * streaming writers leave it, means "until the end of the file"), or the real end of the file or
 * stream. Bytes after the last whole sample frame (a frame cut off by truncation, or a data size
 * that is not a multiple of the block align) are dropped. Memory is allocated by what is actually
 * present: for a {@link Path} the file size bounds every allocation, and for an
 * {@link InputStream} buffers grow in bounded steps as bytes arrive, so a header claiming
 * gigabytes costs nothing.
 *
 * <p><b>Errors:</b> anything that is not a readable WAV header throws {@link WavFormatException}
 * with a one-line message that names the problem and the value found: not RIFF/WAVE, a file
 * that ends inside the header, a missing fmt or data chunk, an unsupported codec, bit depth,
 * channel count or sample rate, or a block align that is not {@code channels * bits / 8}. A
 * zero-length data chunk is valid and reads as no audio. Other {@link IOException}s are the
 * underlying stream's.
 *
 * <p>A reader is not thread-safe. Close it to release the file; readers opened on an
 * {@link InputStream} close that stream.
 */
public final class WavReader implements Closeable {
    /** The longest array the JVM reliably allocates. */
    private static final int MAX_ARRAY_BYTES = Integer.MAX_VALUE - 8;
    /** First buffer for a stream read, whose data size may be a lie; doubles as data arrives. */
    private static final int FIRST_STREAM_BUFFER_BYTES = 1 << 16;
    /** A fmt chunk's cbSize is 16 bits, so no honest fmt chunk is longer than this. */
    private static final long MAX_FMT_BYTES = 18 + 0xFFFF;
    private static final int DS64_BYTES = 28;

    private final InputStream in;
    private final boolean closeStream;
    private final PcmFormat format;
    private final int bytesPerFrame;
    private final long samplesPerChannel;
    // True when remaining is bounded by the file size, so it may size an allocation directly.
    private final boolean remainingIsReal;
    // Bytes of the data chunk not read yet; Long.MAX_VALUE when the header does not say.
    private long remaining;
    private long position;
    private boolean closed;

    private WavReader(InputStream in, boolean closeStream, Header header, long fileSize) {
        this.in = in;
        this.closeStream = closeStream;
        this.format = header.format;
        this.bytesPerFrame = header.format.bytesPerFrame();
        if (fileSize >= 0) {
            long present = Math.max(0, fileSize - header.dataOffset);
            this.remaining = header.dataSize < 0 ? present : Math.min(header.dataSize, present);
            this.remainingIsReal = true;
            this.samplesPerChannel = remaining / bytesPerFrame;
        } else {
            this.remaining = header.dataSize < 0 ? Long.MAX_VALUE : header.dataSize;
            this.remainingIsReal = false;
            this.samplesPerChannel = header.dataSize < 0 ? -1 : header.dataSize / bytesPerFrame;
        }
    }

    /**
     * Reads the whole audio of a WAV file.
     *
     * @return the audio in the file's own format; zero samples if the data chunk is empty
     * @throws WavFormatException if the file is not a WAV pcmtrack reads, or its audio is longer
     *                            than one {@code PcmData} can hold (2 GiB of sample data): use
     *                            {@link #open(Path)} for such files
     */
    public static PcmData read(Path file) throws IOException {
        try (WavReader reader = open(file)) {
            return reader.readRest();
        }
    }

    /**
     * Reads the whole audio of a WAV stream, up to the end of its data chunk or of the stream.
     * The stream is left open, positioned after what was read.
     *
     * @see #read(Path)
     */
    public static PcmData read(InputStream in) throws IOException {
        Objects.requireNonNull(in, "in");
        return new WavReader(in, false, parseHeader(new CountingInput(in)), -1).readRest();
    }

    /**
     * Opens a WAV file and reads its header, leaving the audio to {@link #read(int)}.
     *
     * @throws WavFormatException if the header is not one pcmtrack reads; the file is closed
     */
    public static WavReader open(Path file) throws IOException {
        Objects.requireNonNull(file, "file");
        SeekableByteChannel channel = Files.newByteChannel(file);
        try {
            long size = channel.size();
            InputStream in = Channels.newInputStream(channel);
            return new WavReader(in, true, parseHeader(new CountingInput(in)), size);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /**
     * Reads the header of a WAV stream, leaving the audio to {@link #read(int)}. The reader owns
     * the stream from now on: {@link #close()} closes it, also when this method throws.
     *
     * @throws WavFormatException if the header is not one pcmtrack reads
     */
    public static WavReader open(InputStream in) throws IOException {
        Objects.requireNonNull(in, "in");
        try {
            return new WavReader(in, true, parseHeader(new CountingInput(in)), -1);
        } catch (IOException | RuntimeException e) {
            in.close();
            throw e;
        }
    }

    /** The format of the audio, as the fmt chunk declares it. */
    public PcmFormat format() {
        return format;
    }

    /**
     * Sample frames in the file: for a file opened by {@link Path}, the whole frames actually
     * present (the declared data size, bounded by the file size); for a stream, what the header
     * declares, which a truncated stream may not deliver; -1 for a stream whose header leaves the
     * size open (0xFFFFFFFF).
     */
    public long samplesPerChannel() {
        return samplesPerChannel;
    }

    /** Sample frames read so far. */
    public long position() {
        return position;
    }

    /**
     * Reads the next {@code maxFrames} sample frames, fewer only at the end of the audio.
     *
     * <p>The returned chunk wraps a new array sized by what was read, and memory grows with the
     * bytes that arrive (for a stream, the buffer doubles as it fills), so {@code maxFrames} may
     * be generous: a request for {@code Integer.MAX_VALUE} frames reads the rest of the audio, up
     * to 2 GiB, whatever the header claims.
     *
     * @param maxFrames at least 1
     * @return the audio read, or null when there is no whole frame left
     * @throws IllegalStateException if the reader is closed
     */
    public PcmData read(int maxFrames) throws IOException {
        checkReadable(maxFrames);
        long want = Math.min((long) maxFrames, MAX_ARRAY_BYTES / bytesPerFrame) * bytesPerFrame;
        int target = (int) Math.min(want, remaining - remaining % bytesPerFrame);
        if (target == 0) {
            return null;
        }
        // A stream's declared size is a claim, not a fact: start small and grow with the data.
        int first = remainingIsReal ? target
                : Math.min(target, Math.max(bytesPerFrame, FIRST_STREAM_BUFFER_BYTES / bytesPerFrame * bytesPerFrame));
        byte[] buffer = new byte[first];
        int filled = 0;
        while (filled < target) {
            if (filled == buffer.length) {
                buffer = Arrays.copyOf(buffer, (int) Math.min(target, 2L * buffer.length));
            }
            int n = in.read(buffer, filled, buffer.length - filled);
            if (n < 0) {
                remaining = 0;
                break;
            }
            filled += n;
            remaining -= n;
        }
        int frames = filled / bytesPerFrame;
        if (frames == 0) {
            return null;
        }
        position += frames;
        int bytes = frames * bytesPerFrame;
        return PcmData.ofBytes(format, bytes == buffer.length ? buffer : Arrays.copyOf(buffer, bytes));
    }

    /**
     * Reads up to {@code maxFrames} sample frames into {@code dst} as little-endian bytes of
     * {@link #format()}, fewer only at the end of the audio. Allocates nothing, for callers that
     * reuse one buffer.
     *
     * @param dst       receives {@code frames * format().bytesPerFrame()} bytes at {@code offset}
     * @param offset    byte offset into {@code dst}
     * @param maxFrames at least 1, and {@code maxFrames * bytesPerFrame} bytes must fit in {@code dst}
     * @return whole frames read, or -1 when there is no whole frame left
     * @throws IllegalStateException if the reader is closed
     */
    public int read(byte[] dst, int offset, int maxFrames) throws IOException {
        checkReadable(maxFrames);
        Objects.checkFromIndexSize(offset, (long) maxFrames * bytesPerFrame, dst.length);
        int target = (int) Math.min((long) maxFrames * bytesPerFrame, remaining - remaining % bytesPerFrame);
        int filled = 0;
        while (filled < target) {
            int n = in.read(dst, offset + filled, target - filled);
            if (n < 0) {
                remaining = 0;
                break;
            }
            filled += n;
            remaining -= n;
        }
        int frames = filled / bytesPerFrame;
        position += frames;
        return frames == 0 ? -1 : frames;
    }

    /** Closes the file or stream. Idempotent. */
    @Override
    public void close() throws IOException {
        if (!closed) {
            closed = true;
            if (closeStream) {
                in.close();
            }
        }
    }

    @Override
    public String toString() {
        return "WavReader[" + format + ", " + position + " of "
                + (samplesPerChannel < 0 ? "?" : Long.toString(samplesPerChannel)) + " samples/channel]";
    }

    private void checkReadable(int maxFrames) {
        if (closed) {
            throw new IllegalStateException("WavReader is closed");
        }
        if (maxFrames < 1) {
            throw new IllegalArgumentException("maxFrames must be >= 1, got " + maxFrames);
        }
    }

    private PcmData readRest() throws IOException {
        PcmData all = read(Integer.MAX_VALUE);
        if (all == null) {
            return PcmData.ofBytes(format, new byte[0]);
        }
        if (remaining >= bytesPerFrame && in.read() >= 0) {
            throw new WavFormatException("WAV audio too long to read whole: more than " + all.samplesPerChannel()
                    + " samples per channel (" + (long) all.samplesPerChannel() * bytesPerFrame
                    + " bytes); read it in chunks with WavReader.open");
        }
        return all;
    }

    /** What the header says about the audio. {@code dataSize} is -1 when the header leaves it open. */
    private record Header(PcmFormat format, long dataOffset, long dataSize) {
    }

    /**
     * Reads RIFF/WAVE chunks up to the start of the data chunk's audio. Reads only the bytes it
     * needs and skips the rest by reading, so it never allocates by a size field and always
     * knows the true byte position for its messages.
     */
    private static Header parseHeader(CountingInput in) throws IOException {
        byte[] riff = new byte[12];
        int got = in.readFully(riff, 0, 12);
        if (got < 4) {
            throw new WavFormatException(got == 0 ? "not a WAV file: it is empty"
                    : "not a WAV file: only " + got + " bytes long");
        }
        int magic = s32(riff, 0);
        boolean rf64 = magic == Riff.RF64 || magic == Riff.BW64;
        if (magic == Riff.RIFX) {
            throw new WavFormatException("big-endian RIFX WAV files are not supported; pcmtrack reads little-endian RIFF");
        }
        if (magic != Riff.RIFF && !rf64) {
            throw new WavFormatException("not a WAV file: starts with " + describeId(riff, 0, 4) + ", expected 'RIFF'");
        }
        if (got < 12) {
            throw new WavFormatException("truncated WAV header: file ends at byte " + got + ", inside the 12-byte RIFF header");
        }
        if (s32(riff, 8) != Riff.WAVE) {
            throw new WavFormatException("not a WAV file: RIFF form type is " + describeId(riff, 8, 4) + ", expected 'WAVE'");
        }

        byte[] chunkHeader = new byte[8];
        PcmFormat format = null;
        long ds64DataSize = -1;
        while (true) {
            long chunkStart = in.position();
            if (in.readFully(chunkHeader, 0, 8) < 8) {
                throw new WavFormatException(format == null
                        ? "missing fmt chunk: the file ends at byte " + in.position() + " without one"
                        : "missing data chunk: the file ends at byte " + in.position() + " without one");
            }
            int id = s32(chunkHeader, 0);
            long size = u32(chunkHeader, 4);
            if (id == Riff.DATA) {
                if (format == null) {
                    throw new WavFormatException("missing fmt chunk: the data chunk at byte " + chunkStart
                            + " comes before any fmt chunk");
                }
                long dataSize = size;
                if (size == Riff.UNKNOWN_SIZE) {
                    dataSize = rf64 ? ds64DataSize : -1;
                }
                return new Header(format, in.position(), dataSize);
            }
            long end = chunkStart + 8 + size;
            if (id == Riff.FMT && format == null) {
                format = parseFmt(in, size, end);
            } else if (id == Riff.DS64 && rf64) {
                ds64DataSize = parseDs64(in, size, end);
            } else {
                skipTo(in, end, format, chunkHeader);
            }
            skipPadByte(in, size);
        }
    }

    private static PcmFormat parseFmt(CountingInput in, long size, long end) throws IOException {
        if (size < 16) {
            throw new WavFormatException("fmt chunk too short: " + size + " bytes, expected at least 16");
        }
        if (size > MAX_FMT_BYTES) {
            throw new WavFormatException("implausible fmt chunk size: " + size + " bytes, expected 16.." + MAX_FMT_BYTES);
        }
        byte[] fmt = new byte[(int) Math.min(size, Riff.EXTENSIBLE_FMT_BYTES)];
        readHeaderBytes(in, fmt, "fmt", end);
        skipHeaderBytes(in, end, "fmt");

        int tag = u16(fmt, 0);
        int channels = u16(fmt, 2);
        long sampleRate = u32(fmt, 4);
        int blockAlign = u16(fmt, 12);
        int bits = u16(fmt, 14);
        int codec = tag;
        if (tag == Riff.WAVE_FORMAT_EXTENSIBLE) {
            if (size < Riff.EXTENSIBLE_FMT_BYTES) {
                throw new WavFormatException("WAVE_FORMAT_EXTENSIBLE fmt chunk too short: " + size
                        + " bytes, expected at least " + Riff.EXTENSIBLE_FMT_BYTES);
            }
            if (!Arrays.equals(fmt, 26, 40, Riff.SUBTYPE_GUID_TAIL, 0, 14)) {
                throw new WavFormatException("unsupported WAV codec: WAVE_FORMAT_EXTENSIBLE subformat "
                        + Riff.guid(fmt, 24) + "; pcmtrack reads PCM and IEEE float");
            }
            codec = u16(fmt, 24);
        }
        if (codec != Riff.WAVE_FORMAT_PCM && codec != Riff.WAVE_FORMAT_IEEE_FLOAT) {
            throw new WavFormatException("unsupported WAV codec: "
                    + (tag == Riff.WAVE_FORMAT_EXTENSIBLE ? "WAVE_FORMAT_EXTENSIBLE subformat " : "format tag ")
                    + Riff.hexTag(codec) + " (" + Riff.codecName(codec) + "); pcmtrack reads PCM and IEEE float");
        }
        if (channels < 1 || channels > PcmFormat.MAX_CHANNELS) {
            throw new WavFormatException("unsupported WAV channel count: " + channels + ", expected 1.." + PcmFormat.MAX_CHANNELS);
        }
        if (sampleRate < PcmFormat.MIN_SAMPLE_RATE || sampleRate > PcmFormat.MAX_SAMPLE_RATE) {
            throw new WavFormatException("unsupported WAV sample rate: " + sampleRate + " Hz, expected "
                    + PcmFormat.MIN_SAMPLE_RATE + ".." + PcmFormat.MAX_SAMPLE_RATE);
        }
        SampleFormat sampleFormat = codec == Riff.WAVE_FORMAT_PCM ? pcmFormat(bits) : floatFormat(bits);
        int expectedAlign = channels * sampleFormat.bytesPerSample();
        if (blockAlign != expectedAlign) {
            throw new WavFormatException("inconsistent WAV block align: " + blockAlign + " bytes, expected "
                    + expectedAlign + " for " + channels + " channels of " + bits + " bits");
        }
        return new PcmFormat((int) sampleRate, channels, sampleFormat);
    }

    private static SampleFormat pcmFormat(int bits) throws WavFormatException {
        return switch (bits) {
            case 8 -> SampleFormat.U8;
            case 16 -> SampleFormat.S16;
            case 24 -> SampleFormat.S24;
            case 32 -> SampleFormat.S32;
            default -> throw new WavFormatException("unsupported PCM bit depth: " + bits + ", expected 8, 16, 24 or 32");
        };
    }

    private static SampleFormat floatFormat(int bits) throws WavFormatException {
        return switch (bits) {
            case 32 -> SampleFormat.F32;
            case 64 -> SampleFormat.F64;
            default -> throw new WavFormatException("unsupported IEEE float bit depth: " + bits + ", expected 32 or 64");
        };
    }

    /** The 64-bit data size from an RF64 ds64 chunk, or -1 if it does not fit a long. */
    private static long parseDs64(CountingInput in, long size, long end) throws IOException {
        if (size < DS64_BYTES) {
            throw new WavFormatException("RF64 ds64 chunk too short: " + size + " bytes, expected at least " + DS64_BYTES);
        }
        byte[] ds64 = new byte[DS64_BYTES];
        readHeaderBytes(in, ds64, "ds64", end);
        skipHeaderBytes(in, end, "ds64");
        long dataSize = s64(ds64, 8);
        return dataSize < 0 ? -1 : dataSize;
    }

    private static void readHeaderBytes(CountingInput in, byte[] dst, String chunk, long end) throws IOException {
        if (in.readFully(dst, 0, dst.length) < dst.length) {
            throw truncatedIn(in, chunk, end);
        }
    }

    private static void skipHeaderBytes(CountingInput in, long end, String chunk) throws IOException {
        if (in.skipTo(end) < end) {
            throw truncatedIn(in, chunk, end);
        }
    }

    private static WavFormatException truncatedIn(CountingInput in, String chunk, long end) {
        return new WavFormatException("truncated WAV header: the file ends at byte " + in.position()
                + ", inside the " + chunk + " chunk, which should end at byte " + end);
    }

    /** Skips an unknown chunk; running out of file here means the chunk we need never came. */
    private static void skipTo(CountingInput in, long end, PcmFormat format, byte[] chunkHeader) throws IOException {
        if (in.skipTo(end) < end) {
            throw new WavFormatException("missing " + (format == null ? "fmt" : "data") + " chunk: the file ends at byte "
                    + in.position() + ", inside a " + describeId(chunkHeader, 0, 4) + " chunk that claims "
                    + u32(chunkHeader, 4) + " bytes");
        }
    }

    /** RIFF pads odd-sized chunks to an even length; a file that ends at the pad is left to the next read. */
    private static void skipPadByte(CountingInput in, long size) throws IOException {
        if ((size & 1) != 0) {
            in.skipTo(in.position() + 1);
        }
    }

    /** An input stream that knows how many bytes it has delivered, for honest error positions. */
    private static final class CountingInput {
        private final InputStream in;
        private byte[] skipBuffer;
        private long position;

        CountingInput(InputStream in) {
            this.in = in;
        }

        long position() {
            return position;
        }

        /** Reads until {@code length} bytes or the end; returns the bytes read. */
        int readFully(byte[] dst, int offset, int length) throws IOException {
            int filled = 0;
            while (filled < length) {
                int n = in.read(dst, offset + filled, length - filled);
                if (n < 0) {
                    break;
                }
                filled += n;
            }
            position += filled;
            return filled;
        }

        /**
         * Reads and discards up to byte {@code target}; returns the position reached. Reads
         * rather than {@link InputStream#skip}, which on some streams moves past the end.
         */
        long skipTo(long target) throws IOException {
            if (position >= target) {
                return position;
            }
            if (skipBuffer == null) {
                skipBuffer = new byte[8192];
            }
            while (position < target) {
                int n = in.read(skipBuffer, 0, (int) Math.min(skipBuffer.length, target - position));
                if (n < 0) {
                    break;
                }
                position += n;
            }
            return position;
        }
    }
}
