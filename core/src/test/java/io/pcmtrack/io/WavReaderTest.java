package io.pcmtrack.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.pcmtrack.PcmData;
import io.pcmtrack.PcmFormat;
import io.pcmtrack.SampleFormat;

class WavReaderTest {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    @TempDir
    Path dir;

    @Test
    void readsPlainPcm() throws IOException {
        byte[] audio = randomBytes(4 * 100, 1);
        byte[] file = new Wav().fmt(Wav.fmt(1, 2, 16_000, 4, 16)).data(audio).bytes();
        PcmData pcm = readAllWays(file);
        assertThat(pcm.format()).isEqualTo(PcmFormat.s16(16_000, 2));
        assertThat(pcm.samplesPerChannel()).isEqualTo(100);
        assertThat(pcm.toBytes()).isEqualTo(audio);
    }

    @Test
    void readsIeeeFloatWithPlainFormatTag() throws IOException {
        byte[] audio = randomBytes(8 * 10, 2);
        byte[] file = new Wav().fmt(Wav.fmt(3, 1, 48_000, 8, 64)).chunk("fact", new byte[4]).data(audio).bytes();
        PcmData pcm = readAllWays(file);
        assertThat(pcm.format()).isEqualTo(new PcmFormat(48_000, 1, SampleFormat.F64));
        assertThat(pcm.toBytes()).isEqualTo(audio);
    }

    @Test
    void readsExtensiblePcmAndFloat() throws IOException {
        byte[] s24 = randomBytes(3 * 6 * 7, 3);
        byte[] pcmFile = new Wav().fmt(Wav.fmtExtensible(6, 96_000, 24, 24, 0x3F, 1)).data(s24).bytes();
        PcmData pcm = readAllWays(pcmFile);
        assertThat(pcm.format()).isEqualTo(new PcmFormat(96_000, 6, SampleFormat.S24));
        assertThat(pcm.toBytes()).isEqualTo(s24);

        byte[] f32 = floatBytes(0.5f, -0.25f, 1f, -1f);
        byte[] floatFile = new Wav().fmt(Wav.fmtExtensible(2, 44_100, 32, 32, 0x3, 3)).data(f32).bytes();
        PcmData floats = readAllWays(floatFile);
        assertThat(floats.format()).isEqualTo(PcmFormat.f32(44_100, 2));
        assertThat(floats.toFloats()).containsExactly(0.5f, -0.25f, 1f, -1f);
    }

    @Test
    void readsFewerValidBitsThanTheContainerAsTheContainer() throws IOException {
        // 20 valid bits in a 24-bit container: the low four bits are zero and the level is the container's.
        byte[] audio = {0x00, 0x00, 0x40, (byte) 0xF0, (byte) 0xFF, (byte) 0xBF};
        byte[] file = new Wav().fmt(Wav.fmtExtensible(1, 48_000, 24, 20, 0x4, 1)).data(audio).bytes();
        PcmData pcm = readAllWays(file);
        assertThat(pcm.format().sampleFormat()).isEqualTo(SampleFormat.S24);
        assertThat(pcm.toFloats()).containsExactly(0.5f, -0.50000191f);
    }

    @Test
    void skipsUnknownChunksAndTheirPadBytes() throws IOException {
        byte[] audio = randomBytes(2 * 50, 4);
        byte[] list = "INFOISFT\u0005\u0000\u0000\u0000test\u0000".getBytes(StandardCharsets.ISO_8859_1);
        byte[] file = new Wav()
                .chunk("JUNK", new byte[28])
                .fmt(Wav.fmt(1, 1, 8_000, 2, 16))
                .chunk("odd ", new byte[] {1, 2, 3})
                .chunk("LIST", list)
                .chunk("fact", new byte[] {50, 0, 0, 0})
                .data(audio)
                .chunk("id3 ", new byte[] {9, 9, 9, 9})
                .bytes();
        assertThat(list.length % 2).isOne();
        PcmData pcm = readAllWays(file);
        assertThat(pcm.toBytes()).isEqualTo(audio);
    }

    @Test
    void firstFmtChunkWins() throws IOException {
        byte[] file = new Wav().fmt(Wav.fmt(1, 1, 8_000, 2, 16)).fmt(Wav.fmt(1, 2, 48_000, 8, 32))
                .data(new byte[4]).bytes();
        assertThat(readAllWays(file).format()).isEqualTo(PcmFormat.s16(8_000, 1));
    }

    @Test
    void readsAPlausiblyLongFmtChunk() throws IOException {
        byte[] fmt = Arrays.copyOf(Wav.fmt(1, 1, 8_000, 2, 16), 101);
        byte[] file = new Wav().fmt(fmt).data(new byte[] {1, 2}).bytes();
        assertThat(readAllWays(file).toBytes()).containsExactly(1, 2);
    }

    @Test
    void zeroLengthDataIsValid() throws IOException {
        byte[] file = new Wav().fmt(Wav.fmt(1, 2, 48_000, 4, 16)).data(new byte[0]).bytes();
        PcmData pcm = readAllWays(file);
        assertThat(pcm.samplesPerChannel()).isZero();
        assertThat(pcm.format()).isEqualTo(PcmFormat.s16(48_000, 2));
        try (WavReader reader = WavReader.open(new ByteArrayInputStream(file))) {
            assertThat(reader.samplesPerChannel()).isZero();
            assertThat(reader.read(100)).isNull();
        }
    }

    @Test
    void readsRf64WithTheDs64DataSize() throws IOException {
        byte[] audio = randomBytes(4 * 30, 5);
        byte[] ds64 = new byte[28];
        ByteBuffer.wrap(ds64).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 0).putLong(8, audio.length).putLong(16, 30);
        byte[] trailing = new byte[] {7, 7, 7, 7};
        for (String magic : new String[] {"RF64", "BW64"}) {
            byte[] file = new Wav(magic).chunk("ds64", ds64).fmt(Wav.fmt(1, 2, 48_000, 4, 16))
                    .chunk("data", 0xFFFF_FFFFL, concat(audio, trailing)).bytes();
            PcmData pcm = readAllWays(file);
            assertThat(pcm.toBytes()).isEqualTo(audio);
        }
    }

    @Test
    void dataSizeOfAllOnesMeansUntilTheEnd() throws IOException {
        byte[] audio = randomBytes(4 * 64, 6);
        byte[] file = new Wav().riffSize(0xFFFF_FFFFL).fmt(Wav.fmt(1, 2, 48_000, 4, 16))
                .chunk("data", 0xFFFF_FFFFL, audio).bytes();
        assertThat(readAllWays(file).toBytes()).isEqualTo(audio);
        try (WavReader reader = WavReader.open(new ByteArrayInputStream(file))) {
            assertThat(reader.samplesPerChannel()).isEqualTo(-1);
        }
        try (WavReader reader = WavReader.open(write(file))) {
            assertThat(reader.samplesPerChannel()).isEqualTo(64);
        }
    }

    @Test
    void dataSizePastTheEndOfTheFileReadsWhatIsThere() throws IOException {
        byte[] audio = randomBytes(2 * 10, 7);
        byte[] file = new Wav().fmt(Wav.fmt(1, 1, 8_000, 2, 16)).chunk("data", 1_000, audio).bytes();
        assertThat(readAllWays(file).toBytes()).isEqualTo(audio);
        try (WavReader reader = WavReader.open(write(file))) {
            assertThat(reader.samplesPerChannel()).isEqualTo(10);
        }
    }

    @Test
    void aHeaderClaimingFourGigabytesInOneKilobyteReadsTheKilobyteQuicklyAndCheaply() throws IOException {
        byte[] audio = randomBytes(1_000, 8);
        byte[] riff = new Wav().fmt(Wav.fmt(1, 2, 48_000, 4, 16)).chunk("data", 0xFFFF_FFF0L, audio).bytes();
        byte[] ds64 = new byte[28];
        ByteBuffer.wrap(ds64).order(ByteOrder.LITTLE_ENDIAN).putLong(8, Long.MAX_VALUE / 2);
        byte[] rf64 = new Wav("RF64").chunk("ds64", ds64).fmt(Wav.fmt(1, 2, 48_000, 4, 16))
                .chunk("data", 0xFFFF_FFFFL, audio).bytes();
        for (byte[] file : new byte[][] {riff, rf64}) {
            Path path = write(file);
            long tid = Thread.currentThread().getId();
            long startNanos = System.nanoTime();
            long before = THREADS.getThreadAllocatedBytes(tid);
            PcmData fromStream = WavReader.read(new ByteArrayInputStream(file));
            PcmData fromPath = WavReader.read(path);
            long allocated = THREADS.getThreadAllocatedBytes(tid) - before;
            assertThat(System.nanoTime() - startNanos).isLessThan(2_000_000_000L);
            assertThat(allocated).isLessThan(4L << 20);
            assertThat(fromStream.samplesPerChannel()).isEqualTo(250);
            assertThat(fromPath.toBytes()).isEqualTo(audio);
            try (WavReader reader = WavReader.open(path)) {
                assertThat(reader.samplesPerChannel()).isEqualTo(250);
            }
        }
    }

    @Test
    void aTruncatedFileReadsWholeFramesOnly() throws IOException {
        byte[] audio = randomBytes(6 * 10, 9);
        byte[] whole = new Wav().fmt(Wav.fmt(1, 2, 48_000, 6, 24)).data(audio).bytes();
        byte[] cut = Arrays.copyOf(whole, whole.length - 4);
        PcmData pcm = readAllWays(cut);
        assertThat(pcm.samplesPerChannel()).isEqualTo(9);
        assertThat(pcm.toBytes()).isEqualTo(Arrays.copyOf(audio, 54));
    }

    @Test
    void aDataSizeThatIsNotWholeFramesIsRoundedDown() throws IOException {
        byte[] audio = randomBytes(7, 10);
        byte[] file = new Wav().fmt(Wav.fmt(1, 1, 8_000, 2, 16)).data(audio).bytes();
        assertThat(readAllWays(file).toBytes()).isEqualTo(Arrays.copyOf(audio, 6));
    }

    static Stream<Arguments> malformed() {
        byte[] pcm16 = Wav.fmt(1, 1, 8_000, 2, 16);
        return Stream.of(
                bad("empty", new byte[0], "not a WAV file: it is empty"),
                bad("ogg", "OggS\u0000\u0002\u0000\u0000\u0000\u0000\u0000\u0000".getBytes(StandardCharsets.ISO_8859_1),
                        "not a WAV file: starts with 'OggS'"),
                bad("binary", new byte[] {0, 1, 2, (byte) 0xFF, 0, 0, 0, 0, 0, 0, 0, 0}, "starts with bytes 00 01 02 FF"),
                bad("tiny", new byte[] {'R', 'I'}, "only 2 bytes long"),
                bad("rifx", new Wav("RIFX").fmt(pcm16).data(new byte[2]).bytes(), "big-endian RIFX"),
                bad("avi", new Wav("RIFF", "AVI ").bytes(), "RIFF form type is 'AVI ', expected 'WAVE'"),
                bad("riff header cut", Arrays.copyOf(new Wav().bytes(), 9), "truncated WAV header: file ends at byte 9"),
                bad("no chunks", new Wav().bytes(), "missing fmt chunk: the file ends at byte 12"),
                bad("data first", new Wav().data(new byte[2]).fmt(pcm16).bytes(),
                        "missing fmt chunk: the data chunk at byte 12 comes before any fmt chunk"),
                bad("no data", new Wav().fmt(pcm16).chunk("LIST", new byte[4]).bytes(),
                        "missing data chunk: the file ends at byte 48"),
                bad("chunk runs past the end", new Wav().fmt(pcm16).chunk("LIST", 1_000_000, new byte[10]).bytes(),
                        "missing data chunk: the file ends at byte 54, inside a 'LIST' chunk that claims 1000000 bytes"),
                bad("fmt cut", Arrays.copyOf(new Wav().fmt(pcm16).data(new byte[2]).bytes(), 30),
                        "truncated WAV header: the file ends at byte 30, inside the fmt chunk, which should end at byte 36"),
                bad("fmt too short", new Wav().fmt(Arrays.copyOf(pcm16, 14)).data(new byte[2]).bytes(),
                        "fmt chunk too short: 14 bytes, expected at least 16"),
                bad("absurd fmt size", new Wav().chunk("fmt ", 0x7FFF_FFFFL, pcm16).data(new byte[2]).bytes(),
                        "implausible fmt chunk size: 2147483647 bytes"),
                bad("huge fmt size", new Wav().chunk("fmt ", 0xFFFF_FFFFL, pcm16).bytes(),
                        "implausible fmt chunk size: 4294967295 bytes"),
                bad("block align", new Wav().fmt(Wav.fmt(1, 2, 8_000, 3, 16)).data(new byte[4]).bytes(),
                        "inconsistent WAV block align: 3 bytes, expected 4 for 2 channels of 16 bits"),
                bad("pcm 12 bits", new Wav().fmt(Wav.fmt(1, 1, 8_000, 2, 12)).data(new byte[2]).bytes(),
                        "unsupported PCM bit depth: 12, expected 8, 16, 24 or 32"),
                bad("float 16 bits", new Wav().fmt(Wav.fmt(3, 1, 8_000, 2, 16)).data(new byte[2]).bytes(),
                        "unsupported IEEE float bit depth: 16, expected 32 or 64"),
                bad("no channels", new Wav().fmt(Wav.fmt(1, 0, 8_000, 0, 16)).data(new byte[2]).bytes(),
                        "unsupported WAV channel count: 0, expected 1..32"),
                bad("33 channels", new Wav().fmt(Wav.fmt(1, 33, 8_000, 66, 16)).data(new byte[66]).bytes(),
                        "unsupported WAV channel count: 33, expected 1..32"),
                bad("rate too low", new Wav().fmt(Wav.fmt(1, 1, 500, 2, 16)).data(new byte[2]).bytes(),
                        "unsupported WAV sample rate: 500 Hz, expected 1000..768000"),
                bad("rate too high", new Wav().fmt(Wav.fmt(1, 1, 0xFFFF_FFFF, 2, 16)).data(new byte[2]).bytes(),
                        "unsupported WAV sample rate: 4294967295 Hz"),
                bad("ms adpcm", new Wav().fmt(Wav.fmt(2, 1, 8_000, 256, 4)).data(new byte[2]).bytes(),
                        "unsupported WAV codec: format tag 0x0002 (Microsoft ADPCM); pcmtrack reads PCM and IEEE float"),
                bad("a-law", new Wav().fmt(Wav.fmt(6, 1, 8_000, 1, 8)).data(new byte[2]).bytes(),
                        "unsupported WAV codec: format tag 0x0006 (A-law)"),
                bad("mu-law", new Wav().fmt(Wav.fmt(7, 1, 8_000, 1, 8)).data(new byte[2]).bytes(),
                        "unsupported WAV codec: format tag 0x0007 (mu-law)"),
                bad("ima adpcm", new Wav().fmt(Wav.fmt(0x11, 1, 8_000, 256, 4)).data(new byte[2]).bytes(),
                        "unsupported WAV codec: format tag 0x0011 (IMA ADPCM)"),
                bad("mp3", new Wav().fmt(Wav.fmt(0x55, 2, 44_100, 1, 0)).data(new byte[2]).bytes(),
                        "unsupported WAV codec: format tag 0x0055 (MP3); pcmtrack reads PCM and IEEE float"),
                bad("unknown tag", new Wav().fmt(Wav.fmt(0x1234, 1, 8_000, 2, 16)).data(new byte[2]).bytes(),
                        "unsupported WAV codec: format tag 0x1234 (not a known codec)"),
                bad("extensible mu-law", new Wav().fmt(Wav.fmtExtensible(1, 8_000, 8, 8, 4, 7)).data(new byte[2]).bytes(),
                        "unsupported WAV codec: WAVE_FORMAT_EXTENSIBLE subformat 0x0007 (mu-law)"),
                bad("extensible foreign guid", new Wav().fmt(foreignGuid()).data(new byte[2]).bytes(),
                        "unsupported WAV codec: WAVE_FORMAT_EXTENSIBLE subformat {00000001-0000-0010-8000-00AA00389B70}"),
                bad("extensible too short", new Wav().fmt(Arrays.copyOf(Wav.fmtExtensible(1, 8_000, 16, 16, 4, 1), 18))
                        .data(new byte[2]).bytes(), "WAVE_FORMAT_EXTENSIBLE fmt chunk too short: 18 bytes, expected at least 40"),
                bad("ds64 too short", new Wav("RF64").chunk("ds64", new byte[8]).fmt(pcm16).data(new byte[2]).bytes(),
                        "RF64 ds64 chunk too short: 8 bytes, expected at least 28"));
    }

    private static Arguments bad(String name, byte[] file, String message) {
        return Arguments.of(name, file, message);
    }

    private static byte[] foreignGuid() {
        byte[] fmt = Wav.fmtExtensible(1, 8_000, 16, 16, 4, 1);
        fmt[39] = 0x70;
        return fmt;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void malformedFilesFailWithOneClearLine(String name, byte[] file, String message) throws IOException {
        Path path = write(file);
        assertThatThrownBy(() -> WavReader.read(path))
                .isExactlyInstanceOf(WavFormatException.class).hasMessageContaining(message).hasMessageNotContaining("\n");
        assertThatThrownBy(() -> WavReader.read(new ByteArrayInputStream(file)))
                .isExactlyInstanceOf(WavFormatException.class).hasMessageContaining(message);
        assertThatThrownBy(() -> WavReader.open(new ByteArrayInputStream(file)))
                .isExactlyInstanceOf(WavFormatException.class).hasMessageContaining(message);
    }

    @Test
    void streamingReadReturnsTheSameAudioAsAWholeRead() throws IOException {
        byte[] audio = randomBytes(6 * 3 * 1_000, 11);
        byte[] file = new Wav().fmt(Wav.fmtExtensible(6, 48_000, 24, 24, 0x3F, 1)).chunk("LIST", new byte[3])
                .data(audio).bytes();
        PcmData whole = WavReader.read(write(file));
        for (int chunkFrames : new int[] {1, 7, 480, 999, 1_000, 5_000}) {
            ByteArrayOutputStream joined = new ByteArrayOutputStream();
            try (WavReader reader = WavReader.open(write(file))) {
                assertThat(reader.samplesPerChannel()).isEqualTo(1_000);
                assertThat(reader.format()).isEqualTo(whole.format());
                PcmData chunk;
                while ((chunk = reader.read(chunkFrames)) != null) {
                    assertThat(chunk.samplesPerChannel()).isLessThanOrEqualTo(chunkFrames);
                    if (reader.position() < 1_000) {
                        assertThat(chunk.samplesPerChannel()).isEqualTo(chunkFrames);
                    }
                    joined.writeBytes(chunk.toBytes());
                }
                assertThat(reader.position()).isEqualTo(1_000);
                assertThat(reader.read(chunkFrames)).isNull();
            }
            assertThat(joined.toByteArray()).isEqualTo(whole.toBytes());
        }
    }

    @Test
    void streamingReadIntoACallersBuffer() throws IOException {
        byte[] audio = randomBytes(4 * 100, 12);
        byte[] file = new Wav().fmt(Wav.fmt(1, 2, 48_000, 4, 16)).data(audio).bytes();
        byte[] buffer = new byte[4 * 30 + 3];
        ByteArrayOutputStream joined = new ByteArrayOutputStream();
        try (WavReader reader = WavReader.open(new ByteArrayInputStream(file))) {
            int frames;
            while ((frames = reader.read(buffer, 3, 30)) > 0) {
                joined.write(buffer, 3, frames * 4);
            }
            assertThat(frames).isEqualTo(-1);
            assertThatThrownBy(() -> reader.read(buffer, 4, 30)).isInstanceOf(IndexOutOfBoundsException.class);
        }
        assertThat(joined.toByteArray()).isEqualTo(audio);
    }

    @Test
    void aWholeStreamReadStopsAtTheEndOfTheDataChunk() throws IOException {
        byte[] file = new Wav().fmt(Wav.fmt(1, 1, 8_000, 2, 16)).data(new byte[] {1, 2, 3}).chunk("LIST", new byte[2]).bytes();
        InputStream in = new ByteArrayInputStream(file);
        assertThat(WavReader.read(in).toBytes()).containsExactly(1, 2);
        // Left unread: the partial frame, the pad byte and the LIST chunk.
        assertThat(in.readAllBytes()).hasSize(1 + 1 + 8 + 2);
    }

    @Test
    void openOnAStreamOwnsIt() throws IOException {
        byte[] good = new Wav().fmt(Wav.fmt(1, 1, 8_000, 2, 16)).data(new byte[2]).bytes();
        TrackingStream stream = new TrackingStream(good);
        WavReader reader = WavReader.open(stream);
        assertThat(stream.closed).isFalse();
        reader.close();
        reader.close();
        assertThat(stream.closed).isTrue();
        assertThatThrownBy(() -> reader.read(1)).isInstanceOf(IllegalStateException.class);

        TrackingStream bad = new TrackingStream(new byte[] {'O', 'g', 'g', 'S'});
        assertThatThrownBy(() -> WavReader.open(bad)).isInstanceOf(WavFormatException.class);
        assertThat(bad.closed).isTrue();

        TrackingStream borrowed = new TrackingStream(good);
        WavReader.read(borrowed);
        assertThat(borrowed.closed).isFalse();
    }

    @Test
    void rejectsNonPositiveFrameCounts() throws IOException {
        byte[] file = new Wav().fmt(Wav.fmt(1, 1, 8_000, 2, 16)).data(new byte[2]).bytes();
        try (WavReader reader = WavReader.open(new ByteArrayInputStream(file))) {
            assertThatThrownBy(() -> reader.read(0)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("got 0");
        }
    }

    private Path write(byte[] file) throws IOException {
        Path path = Files.createTempFile(dir, "test", ".wav");
        Files.write(path, file);
        return path;
    }

    /** Reads the file whole by path and by stream, and in chunks, and checks they agree. */
    private PcmData readAllWays(byte[] file) throws IOException {
        PcmData byPath = WavReader.read(write(file));
        PcmData byStream = WavReader.read(new ByteArrayInputStream(file));
        assertThat(byStream.format()).isEqualTo(byPath.format());
        assertThat(byStream.toBytes()).isEqualTo(byPath.toBytes());
        ByteArrayOutputStream chunks = new ByteArrayOutputStream();
        try (WavReader reader = WavReader.open(new ByteArrayInputStream(file))) {
            PcmData chunk;
            while ((chunk = reader.read(3)) != null) {
                chunks.writeBytes(chunk.toBytes());
            }
        }
        assertThat(chunks.toByteArray()).isEqualTo(byPath.toBytes());
        return byPath;
    }

    static byte[] randomBytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    static byte[] floatBytes(float... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            b.putFloat(v);
        }
        return b.array();
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static final class TrackingStream extends ByteArrayInputStream {
        boolean closed;

        TrackingStream(byte[] bytes) {
            super(bytes);
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    /** Builds RIFF files chunk by chunk, including ones no sane writer would produce. */
    static final class Wav {
        private final String magic;
        private final String form;
        private final ByteArrayOutputStream chunks = new ByteArrayOutputStream();
        private long riffSize = -1;

        Wav() {
            this("RIFF", "WAVE");
        }

        Wav(String magic) {
            this(magic, "WAVE");
        }

        Wav(String magic, String form) {
            this.magic = magic;
            this.form = form;
        }

        Wav riffSize(long size) {
            riffSize = size;
            return this;
        }

        Wav fmt(byte[] body) {
            return chunk("fmt ", body);
        }

        Wav data(byte[] body) {
            return chunk("data", body);
        }

        /** A well-formed chunk: its true size, and a pad byte if that is odd. */
        Wav chunk(String id, byte[] body) {
            chunk(id, body.length, body);
            if (body.length % 2 == 1) {
                chunks.write(0);
            }
            return this;
        }

        /** A chunk whose size field says {@code declaredSize}, whatever the body is; no pad byte. */
        Wav chunk(String id, long declaredSize, byte[] body) {
            chunks.writeBytes(id.getBytes(StandardCharsets.US_ASCII));
            chunks.writeBytes(le32(declaredSize));
            chunks.writeBytes(body);
            return this;
        }

        byte[] bytes() {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.writeBytes(magic.getBytes(StandardCharsets.US_ASCII));
            out.writeBytes(le32(riffSize >= 0 ? riffSize : 4 + chunks.size()));
            out.writeBytes(form.getBytes(StandardCharsets.US_ASCII));
            out.writeBytes(chunks.toByteArray());
            return out.toByteArray();
        }

        static byte[] fmt(int tag, int channels, int sampleRate, int blockAlign, int bits) {
            return ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN)
                    .putShort((short) tag).putShort((short) channels).putInt(sampleRate)
                    .putInt(sampleRate * blockAlign).putShort((short) blockAlign).putShort((short) bits).array();
        }

        static byte[] fmtExtensible(int channels, int sampleRate, int bits, int validBits, int channelMask, int subformat) {
            ByteBuffer b = ByteBuffer.allocate(40).order(ByteOrder.LITTLE_ENDIAN);
            b.put(fmt(0xFFFE, channels, sampleRate, channels * bits / 8, bits));
            b.putShort((short) 22).putShort((short) validBits).putInt(channelMask);
            b.putShort((short) subformat);
            b.put(new byte[] {0x00, 0x00, 0x00, 0x00, 0x10, 0x00, (byte) 0x80, 0x00, 0x00, (byte) 0xAA, 0x00, 0x38,
                    (byte) 0x9B, 0x71});
            return b.array();
        }

        private static byte[] le32(long v) {
            return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) v).array();
        }
    }
}
