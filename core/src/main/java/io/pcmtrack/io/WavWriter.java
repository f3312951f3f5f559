package io.pcmtrack.io;

import static io.pcmtrack.io.Riff.put16;
import static io.pcmtrack.io.Riff.put32;

import java.io.Closeable;
import java.io.Flushable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;

import io.pcmtrack.AudioFrame;
import io.pcmtrack.PcmData;
import io.pcmtrack.PcmFormat;
import io.pcmtrack.SampleFormat;
import io.pcmtrack.dsp.SampleCodec;

/**
 * Writes PCM audio as a RIFF/WAVE file, whole ({@link #write(Path, PcmData)}) or chunk by chunk
 * ({@link #create(Path, PcmFormat)}, {@link #write(PcmData)} or {@link #write(AudioFrame)}, then
 * {@link #close()}).
 *
 * <p><b>What is written:</b> U8, S16, S24 and S32 as PCM, F32 and F64 as IEEE float, all
 * little-endian. Mono and stereo at 8 or 16 bits get the classic 44-byte header (format tag 1);
 * anything with more than 2 channels or more than 16 bits gets WAVE_FORMAT_EXTENSIBLE, as
 * Microsoft recommends, with the PCM or IEEE float subformat, valid bits equal to the container
 * and the usual channel mask for up to 8 channels (mono front centre, stereo, quad, 5.0, 5.1,
 * 6.1, 7.1) or no mask (0) beyond. Float files also carry a {@code fact} chunk with the frame
 * count. A data chunk of odd length is followed by its pad byte.
 *
 * <p><b>Sizes:</b> a writer to a {@link Path} writes 0xFFFFFFFF in the size fields first (the
 * streamed-WAV convention, so a file cut short by a crash still reads to its end) and patches the
 * true sizes on {@link #flush()} and {@link #close()}. A writer to an {@link OutputStream} cannot
 * seek back, so it leaves 0xFFFFFFFF there for good; {@link WavReader} and most tools read such a
 * stream to its end. RIFF sizes are 32-bit, so the audio of a file (and of a whole-chunk stream
 * write) is limited to just under 4 GiB: a write that would go past that throws and writes
 * nothing. RF64 is not written.
 *
 * <p><b>Chunk formats:</b> every chunk must have the writer's sample rate and channel count, or
 * the write throws {@link IllegalArgumentException}: converting those chunk by chunk would
 * resample each chunk on its own and click at the joins, so convert the stream first. A chunk in
 * another sample format is converted, since that is exact per sample and needs no history
 * (rounding follows {@link SampleCodec}).
 *
 * <p><b>Garbage:</b> {@link #write(AudioFrame)} encodes through a buffer the writer owns and
 * allocates nothing once the writer exists, so it can record a live track. {@link #write(PcmData)}
 * allocates one copy of the chunk, because {@code PcmData} exposes its samples only as copies.
 *
 * <p>A writer is not thread-safe. Always close it: until then the header of a file may not
 * describe its audio.
 */
public final class WavWriter implements Closeable, Flushable {
    /** The largest RIFF size field: the file length minus the 8 bytes of the RIFF header. */
    private static final long MAX_RIFF_SIZE = 0xFFFF_FFFFL;
    private static final int BUFFER_BYTES = 1 << 16;
    private static final int PCM_FMT_BYTES = 16;

    private final PcmFormat format;
    private final SampleFormat sampleFormat;
    private final int bytesPerSample;
    private final FileChannel channel;
    private final OutputStream out;
    private final boolean closeOut;
    private final byte[] header;
    private final int factFramesOffset;
    // The data size a whole-chunk stream write puts in its header; -1 when the header starts with
    // 0xFFFFFFFF sizes (patched later for a file, left open for a stream).
    private final long declaredDataBytes;
    private final byte[] buffer;
    private final ByteBuffer bufferView;
    private final ByteBuffer patch = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
    private float[] scratch;
    private int buffered;
    private long dataBytes;
    private boolean closed;

    private WavWriter(PcmFormat format, FileChannel channel, OutputStream out, boolean closeOut, long declaredDataBytes)
            throws IOException {
        this.format = format;
        this.sampleFormat = format.sampleFormat();
        this.bytesPerSample = sampleFormat.bytesPerSample();
        this.channel = channel;
        this.out = out;
        this.closeOut = closeOut;
        this.declaredDataBytes = declaredDataBytes;
        this.header = headerFor(format);
        // The fact chunk, when there is one, sits just before the data chunk's 8-byte header.
        this.factFramesOffset = sampleFormat.isFloat() ? header.length - 12 : -1;
        // Whole frames only, so that a flushed buffer always ends on a frame boundary.
        this.buffer = new byte[BUFFER_BYTES / format.bytesPerFrame() * format.bytesPerFrame()];
        this.bufferView = ByteBuffer.wrap(buffer);
        if (declaredDataBytes >= 0) {
            checkRiffLimit(declaredDataBytes);
        }
        fillSizes(declaredDataBytes);
        writeFully(header, header.length);
    }

    /**
     * Writes {@code pcm} as a WAV file in its own format, replacing any file at {@code file}.
     */
    public static void write(Path file, PcmData pcm) throws IOException {
        Objects.requireNonNull(pcm, "pcm");
        try (WavWriter writer = create(file, pcm.format())) {
            writer.write(pcm);
        }
    }

    /**
     * Writes {@code pcm} as a WAV stream in its own format, with exact sizes in the header. The
     * stream is flushed and left open.
     */
    public static void write(OutputStream out, PcmData pcm) throws IOException {
        Objects.requireNonNull(out, "out");
        Objects.requireNonNull(pcm, "pcm");
        long dataBytes = (long) pcm.samplesPerChannel() * pcm.format().bytesPerFrame();
        try (WavWriter writer = new WavWriter(pcm.format(), null, out, false, dataBytes)) {
            writer.write(pcm);
        }
    }

    /**
     * Creates (or truncates) {@code file} and writes a WAV header for {@code format}; the audio
     * follows with {@code write} calls and {@link #close()} completes the header.
     */
    public static WavWriter create(Path file, PcmFormat format) throws IOException {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(format, "format");
        FileChannel channel = FileChannel.open(file,
                StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
        try {
            return new WavWriter(format, channel, null, true, -1);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /**
     * Writes a WAV header for {@code format} to {@code out}, with the sizes left as 0xFFFFFFFF
     * since a stream cannot be patched; the audio follows with {@code write} calls. The writer
     * owns the stream: {@link #close()} closes it.
     */
    public static WavWriter create(OutputStream out, PcmFormat format) throws IOException {
        Objects.requireNonNull(out, "out");
        Objects.requireNonNull(format, "format");
        return new WavWriter(format, null, out, true, -1);
    }

    /** The format of the file: every chunk is written in it. */
    public PcmFormat format() {
        return format;
    }

    /** Sample frames written so far. */
    public long samplesPerChannel() {
        return dataBytes / format.bytesPerFrame();
    }

    /**
     * Appends a chunk of audio, converting its sample format if it differs from the file's.
     *
     * @throws IllegalArgumentException if its sample rate or channel count differs from the file's
     * @throws IOException              if the audio would take the file past 4 GiB; nothing is written
     * @throws IllegalStateException    if the writer is closed
     */
    public void write(PcmData pcm) throws IOException {
        Objects.requireNonNull(pcm, "pcm");
        checkWritable(pcm.format(), pcm.samplesPerChannel());
        PcmData same = pcm.format().equals(format) ? pcm : pcm.convertTo(format);
        byte[] bytes = same.toBytes();
        int offset = 0;
        while (offset < bytes.length) {
            int n = Math.min(bytes.length - offset, buffer.length - buffered);
            System.arraycopy(bytes, offset, buffer, buffered, n);
            buffered += n;
            offset += n;
            drainIfFull();
        }
        dataBytes += bytes.length;
    }

    /**
     * Appends a frame of audio, converting S16 to F32 or the reverse (or to any other sample
     * format) through the writer's own buffer. Allocates nothing.
     *
     * @throws IllegalArgumentException if its sample rate or channel count differs from the file's
     * @throws IOException              if the audio would take the file past 4 GiB; nothing is written
     * @throws IllegalStateException    if the writer is closed
     */
    public void write(AudioFrame frame) throws IOException {
        Objects.requireNonNull(frame, "frame");
        checkWritable(frame.format(), frame.samplesPerChannel());
        int count = frame.samplesPerChannel() * format.channels();
        boolean shorts = frame.format().sampleFormat() == SampleFormat.S16;
        if (shorts && sampleFormat != SampleFormat.S16 && scratch == null) {
            scratch = new float[buffer.length / bytesPerSample];
        }
        for (int done = 0; done < count; ) {
            int n = Math.min(count - done, (buffer.length - buffered) / bytesPerSample);
            int sampleIndex = buffered / bytesPerSample;
            if (!shorts) {
                SampleCodec.encode(frame.floats(), done, sampleFormat, buffer, sampleIndex, n);
            } else if (sampleFormat == SampleFormat.S16) {
                SampleCodec.encodeS16(frame.shorts(), done, buffer, sampleIndex, n);
            } else {
                SampleCodec.decode(frame.shorts(), done, scratch, 0, n);
                SampleCodec.encode(scratch, 0, sampleFormat, buffer, sampleIndex, n);
            }
            buffered += n * bytesPerSample;
            done += n;
            drainIfFull();
        }
        dataBytes += (long) count * bytesPerSample;
    }

    /**
     * Writes buffered audio out. For a file, also patches the header to describe the audio
     * written so far, so the file is complete as of this call should the process die.
     */
    @Override
    public void flush() throws IOException {
        if (closed) {
            throw new IllegalStateException("WavWriter is closed");
        }
        drain();
        if (channel != null) {
            patchSizes();
            channel.force(false);
        } else {
            out.flush();
        }
    }

    /**
     * Writes buffered audio, the pad byte of an odd-sized data chunk and, for a file, the final
     * sizes; then closes the file or the owned stream. Idempotent.
     */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            drain();
            if (channel != null) {
                patchSizes();
            } else {
                // With the sizes open, a pad byte would read as one more sample, so only a sized chunk gets one.
                if (declaredDataBytes >= 0 && (dataBytes & 1) != 0) {
                    out.write(0);
                }
                out.flush();
            }
        } finally {
            if (channel != null) {
                channel.close();
            } else if (closeOut) {
                out.close();
            }
        }
    }

    @Override
    public String toString() {
        return "WavWriter[" + format + ", " + samplesPerChannel() + " samples/channel" + (closed ? ", closed]" : "]");
    }

    private void checkWritable(PcmFormat chunk, int frames) throws IOException {
        if (closed) {
            throw new IllegalStateException("WavWriter is closed");
        }
        if (chunk.sampleRate() != format.sampleRate() || chunk.channels() != format.channels()) {
            throw new IllegalArgumentException("chunk is " + chunk.sampleRate() + " Hz, " + chunk.channels()
                    + " channels but the WAV is " + format.sampleRate() + " Hz, " + format.channels()
                    + " channels; convert the whole stream first, since resampling chunk by chunk clicks at the joins");
        }
        if (declaredDataBytes < 0 && channel != null) {
            checkRiffLimit(dataBytes + (long) frames * format.bytesPerFrame());
        }
    }

    private void checkRiffLimit(long totalDataBytes) throws IOException {
        long riffSize = header.length - 8 + totalDataBytes + (totalDataBytes & 1);
        if (riffSize > MAX_RIFF_SIZE) {
            throw new IOException("WAV audio would exceed the 4 GiB RIFF limit: " + totalDataBytes
                    + " bytes of data, at most " + (MAX_RIFF_SIZE - header.length + 8) + " fit; start another file");
        }
    }

    private void drainIfFull() throws IOException {
        if (buffered == buffer.length) {
            drain();
        }
    }

    private void drain() throws IOException {
        if (buffered > 0) {
            int n = buffered;
            buffered = 0;
            writeFully(buffer, n);
        }
    }

    private void writeFully(byte[] bytes, int length) throws IOException {
        if (channel == null) {
            out.write(bytes, 0, length);
            return;
        }
        ByteBuffer view = bytes == buffer ? bufferView : ByteBuffer.wrap(bytes);
        view.clear().limit(length);
        while (view.hasRemaining()) {
            channel.write(view);
        }
    }

    /**
     * Writes the current sizes into the file's header, and the pad byte past odd-sized audio
     * without moving the write position, so that later audio overwrites it.
     */
    private void patchSizes() throws IOException {
        long padded = dataBytes + (dataBytes & 1);
        putPatch(4, header.length - 8 + padded);
        if (factFramesOffset >= 0) {
            putPatch(factFramesOffset, samplesPerChannel());
        }
        putPatch(header.length - 4, dataBytes);
        if (padded != dataBytes) {
            patch.clear().put((byte) 0).flip();
            channel.write(patch, header.length + dataBytes);
        }
    }

    private void putPatch(long position, long value) throws IOException {
        patch.clear().putInt((int) value).flip();
        while (patch.hasRemaining()) {
            channel.write(patch, position + patch.position());
        }
    }

    /** Fills the size fields of {@link #header}: the true sizes for {@code dataBytes >= 0}, else 0xFFFFFFFF. */
    private void fillSizes(long dataBytes) {
        boolean known = dataBytes >= 0;
        put32(header, 4, known ? header.length - 8 + dataBytes + (dataBytes & 1) : Riff.UNKNOWN_SIZE);
        if (factFramesOffset >= 0) {
            put32(header, factFramesOffset, known ? dataBytes / format.bytesPerFrame() : Riff.UNKNOWN_SIZE);
        }
        put32(header, header.length - 4, known ? dataBytes : Riff.UNKNOWN_SIZE);
    }

    /** The header through the data chunk's size field, with the size fields left zero. */
    static byte[] headerFor(PcmFormat format) {
        SampleFormat sampleFormat = format.sampleFormat();
        int bits = sampleFormat.bytesPerSample() * 8;
        boolean extensible = format.channels() > 2 || bits > 16;
        int fmtBytes = extensible ? Riff.EXTENSIBLE_FMT_BYTES : PCM_FMT_BYTES;
        int factBytes = sampleFormat.isFloat() ? 12 : 0;
        byte[] h = new byte[12 + 8 + fmtBytes + factBytes + 8];
        put32(h, 0, Riff.RIFF);
        put32(h, 8, Riff.WAVE);
        put32(h, 12, Riff.FMT);
        put32(h, 16, fmtBytes);
        int tag = sampleFormat.isFloat() ? Riff.WAVE_FORMAT_IEEE_FLOAT : Riff.WAVE_FORMAT_PCM;
        put16(h, 20, extensible ? Riff.WAVE_FORMAT_EXTENSIBLE : tag);
        put16(h, 22, format.channels());
        put32(h, 24, format.sampleRate());
        put32(h, 28, (long) format.sampleRate() * format.bytesPerFrame());
        put16(h, 32, format.bytesPerFrame());
        put16(h, 34, bits);
        if (extensible) {
            put16(h, 36, Riff.EXTENSIBLE_FMT_BYTES - 18);
            put16(h, 38, bits);
            put32(h, 40, Riff.channelMask(format.channels()));
            put16(h, 44, tag);
            System.arraycopy(Riff.SUBTYPE_GUID_TAIL, 0, h, 46, Riff.SUBTYPE_GUID_TAIL.length);
        }
        int next = 20 + fmtBytes;
        if (factBytes > 0) {
            put32(h, next, Riff.FACT);
            put32(h, next + 4, 4);
            next += 12;
        }
        put32(h, next, Riff.DATA);
        return h;
    }
}
