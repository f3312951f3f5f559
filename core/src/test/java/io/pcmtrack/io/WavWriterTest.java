package io.pcmtrack.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
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
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import io.pcmtrack.AudioFrame;
import io.pcmtrack.PcmData;
import io.pcmtrack.PcmFormat;
import io.pcmtrack.SampleFormat;
import io.pcmtrack.dsp.SampleCodec;

class WavWriterTest {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    @TempDir
    Path dir;

    static Stream<Arguments> formatsAndChannels() {
        return Arrays.stream(SampleFormat.values())
                .flatMap(f -> Stream.of(1, 2, 6).map(ch -> Arguments.of(f, ch)));
    }

    @ParameterizedTest(name = "{0} x {1}")
    @MethodSource("formatsAndChannels")
    void roundTripsEverySampleFormatBitExact(SampleFormat sampleFormat, int channels) throws IOException {
        PcmFormat format = new PcmFormat(44_100, channels, sampleFormat);
        PcmData pcm = randomAudio(format, 1_001, sampleFormat.ordinal() * 31L + channels);

        Path file = dir.resolve("rt.wav");
        WavWriter.write(file, pcm);
        PcmData back = WavReader.read(file);
        assertThat(back.format()).isEqualTo(format);
        assertThat(back.toBytes()).isEqualTo(pcm.toBytes());

        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        WavWriter.write(stream, pcm);
        assertThat(stream.toByteArray()).isEqualTo(Files.readAllBytes(file));

        byte[] bytes = stream.toByteArray();
        boolean extensible = channels > 2 || sampleFormat.bytesPerSample() > 2;
        assertThat(u16(bytes, 20)).isEqualTo(extensible ? 0xFFFE : 1);
        int dataBytes = 1_001 * format.bytesPerFrame();
        assertThat(bytes.length).isEqualTo(WavWriter.headerFor(format).length + dataBytes + (dataBytes & 1));
        assertThat(u32(bytes, 4)).isEqualTo(bytes.length - 8L);
    }

    @Test
    void extensibleHeaderDescribesTheAudio() throws IOException {
        PcmFormat format = new PcmFormat(48_000, 6, SampleFormat.S24);
        byte[] h = writeToBytes(randomAudio(format, 10, 1));
        assertThat(u32(h, 16)).isEqualTo(40);
        assertThat(u16(h, 20)).isEqualTo(0xFFFE);
        assertThat(u16(h, 22)).isEqualTo(6);
        assertThat(u32(h, 24)).isEqualTo(48_000);
        assertThat(u32(h, 28)).isEqualTo(48_000L * 18);
        assertThat(u16(h, 32)).isEqualTo(18);
        assertThat(u16(h, 34)).isEqualTo(24);
        assertThat(u16(h, 36)).isEqualTo(22);
        assertThat(u16(h, 38)).isEqualTo(24);
        assertThat(u32(h, 40)).isEqualTo(0x3F);
        assertThat(Arrays.copyOfRange(h, 44, 60)).containsExactly(
                0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71);
        assertThat(new String(h, 60, 4, StandardCharsets.US_ASCII)).isEqualTo("data");
        assertThat(u32(h, 64)).isEqualTo(180);
    }

    @Test
    void floatFilesCarryAFactChunkWithTheFrameCount() throws IOException {
        byte[] h = writeToBytes(randomAudio(PcmFormat.f32(16_000, 1), 77, 2));
        assertThat(u16(h, 20)).isEqualTo(0xFFFE);
        assertThat(u16(h, 44)).isEqualTo(3);
        assertThat(new String(h, 60, 4, StandardCharsets.US_ASCII)).isEqualTo("fact");
        assertThat(u32(h, 64)).isEqualTo(4);
        assertThat(u32(h, 68)).isEqualTo(77);
        assertThat(new String(h, 72, 4, StandardCharsets.US_ASCII)).isEqualTo("data");
    }

    @Test
    void channelMasksFollowTheUsualLayouts() {
        assertThat(u32(WavWriter.headerFor(new PcmFormat(8_000, 1, SampleFormat.S24)), 40)).isEqualTo(0x4);
        assertThat(u32(WavWriter.headerFor(new PcmFormat(8_000, 2, SampleFormat.S24)), 40)).isEqualTo(0x3);
        assertThat(u32(WavWriter.headerFor(PcmFormat.s16(8_000, 8)), 40)).isEqualTo(0x63F);
        assertThat(u32(WavWriter.headerFor(PcmFormat.s16(8_000, 32)), 40)).isZero();
        assertThat(WavWriter.headerFor(PcmFormat.s16(8_000, 2))).hasSize(44);
    }

    @Test
    void anOddSizedDataChunkGetsItsPadByte() throws IOException {
        PcmData pcm = PcmData.ofBytes(new PcmFormat(8_000, 1, SampleFormat.U8), new byte[] {1, 2, 3});
        Path file = dir.resolve("odd.wav");
        WavWriter.write(file, pcm);
        byte[] bytes = Files.readAllBytes(file);
        assertThat(bytes).hasSize(48);
        assertThat(u32(bytes, 4)).isEqualTo(40);
        assertThat(u32(bytes, 40)).isEqualTo(3);
        assertThat(bytes[47]).isZero();
        assertThat(WavReader.read(file).toBytes()).containsExactly(1, 2, 3);
        assertThat(writeToBytes(pcm)).isEqualTo(bytes);
    }

    @Test
    void zeroLengthAudioRoundTrips() throws IOException {
        PcmData empty = PcmData.ofShorts(48_000, 2, new short[0]);
        Path file = dir.resolve("empty.wav");
        WavWriter.write(file, empty);
        assertThat(Files.size(file)).isEqualTo(44);
        PcmData back = WavReader.read(file);
        assertThat(back.samplesPerChannel()).isZero();
        assertThat(back.format()).isEqualTo(empty.format());
    }

    @Test
    void streamingWritesProduceTheSameFileAsAWholeWrite() throws IOException {
        PcmFormat format = PcmFormat.s16(48_000, 2);
        PcmData whole = randomAudio(format, 48_000, 3);
        short[] samples = whole.toShorts();
        Path streamed = dir.resolve("streamed.wav");
        try (WavWriter writer = WavWriter.create(streamed, format)) {
            AudioFrame frame = AudioFrame.allocate(format, 960);
            for (int f = 0; f < 48_000; ) {
                if ((f / 960) % 2 == 0) {
                    System.arraycopy(samples, f * 2, frame.shorts(), 0, 960 * 2);
                    writer.write(frame);
                    f += 960;
                } else {
                    int n = Math.min(48_000 - f, 1_234);
                    writer.write(PcmData.ofShorts(48_000, 2, Arrays.copyOfRange(samples, f * 2, (f + n) * 2)));
                    f += n;
                }
            }
            assertThat(writer.samplesPerChannel()).isEqualTo(48_000);
        }
        Path wholeFile = dir.resolve("whole.wav");
        WavWriter.write(wholeFile, whole);
        assertThat(Files.readAllBytes(streamed)).isEqualTo(Files.readAllBytes(wholeFile));
    }

    @ParameterizedTest
    @EnumSource(SampleFormat.class)
    void framesAndChunksInAnotherSampleFormatAreConverted(SampleFormat target) throws IOException {
        PcmFormat format = new PcmFormat(16_000, 2, target);
        AudioFrame s16 = AudioFrame.allocate(PcmFormat.s16(16_000, 2), 320);
        AudioFrame f32 = AudioFrame.allocate(PcmFormat.f32(16_000, 2), 320);
        Random random = new Random(4);
        for (int i = 0; i < 640; i++) {
            s16.shorts()[i] = (short) random.nextInt();
            f32.floats()[i] = random.nextFloat() * 2.2f - 1.1f;
        }
        Path file = dir.resolve("converted.wav");
        try (WavWriter writer = WavWriter.create(file, format)) {
            writer.write(s16);
            writer.write(f32);
            writer.write(s16.toPcmData());
            writer.write(f32.toPcmData());
        }
        PcmData back = WavReader.read(file);
        assertThat(back.format()).isEqualTo(format);
        assertThat(back.samplesPerChannel()).isEqualTo(4 * 320);

        int b = target.bytesPerSample();
        byte[] expected = new byte[4 * 640 * b];
        float[] fromShorts = new float[640];
        SampleCodec.decode(s16.shorts(), 0, fromShorts, 0, 640);
        for (int copy = 0; copy < 4; copy += 2) {
            if (target == SampleFormat.S16) {
                SampleCodec.encodeS16(s16.shorts(), 0, expected, copy * 640, 640);
            } else {
                SampleCodec.encode(fromShorts, 0, target, expected, copy * 640, 640);
            }
            SampleCodec.encode(f32.floats(), 0, target, expected, (copy + 1) * 640, 640);
        }
        assertThat(back.toBytes()).isEqualTo(expected);
    }

    @Test
    void chunksWithAnotherRateOrChannelCountAreRejected() throws IOException {
        try (WavWriter writer = WavWriter.create(dir.resolve("r.wav"), PcmFormat.s16(48_000, 2))) {
            assertThatThrownBy(() -> writer.write(PcmData.ofShorts(44_100, 2, new short[4])))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("44100 Hz, 2 channels").hasMessageContaining("48000 Hz, 2 channels");
            assertThatThrownBy(() -> writer.write(AudioFrame.allocate(PcmFormat.s16(48_000, 1), 480)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1 channels");
            assertThat(writer.samplesPerChannel()).isZero();
        }
    }

    @Test
    void aStreamWriterLeavesTheSizesOpenAndReadersReadToTheEnd() throws IOException {
        PcmFormat format = new PcmFormat(22_050, 1, SampleFormat.U8);
        PcmData pcm = randomAudio(format, 101, 5);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        TrackingOutput tracking = new TrackingOutput(out);
        try (WavWriter writer = WavWriter.create(tracking, format)) {
            writer.write(pcm);
        }
        assertThat(tracking.closed).isTrue();
        byte[] bytes = out.toByteArray();
        assertThat(u32(bytes, 4)).isEqualTo(0xFFFF_FFFFL);
        assertThat(u32(bytes, 40)).isEqualTo(0xFFFF_FFFFL);
        // No pad byte: with the size open it would read as one more sample.
        assertThat(bytes).hasSize(44 + 101);
        assertThat(WavReader.read(new ByteArrayInputStream(bytes)).toBytes()).isEqualTo(pcm.toBytes());
    }

    @Test
    void flushLeavesACompleteFileBehind() throws IOException {
        PcmFormat format = new PcmFormat(8_000, 1, SampleFormat.S24);
        Path file = dir.resolve("flushed.wav");
        try (WavWriter writer = WavWriter.create(file, format)) {
            writer.write(randomAudio(format, 5, 6));
            assertThat(u32(Files.readAllBytes(file), 4)).isEqualTo(0xFFFF_FFFFL);
            writer.flush();
            byte[] flushed = Files.readAllBytes(file);
            int header = WavWriter.headerFor(format).length;
            assertThat(flushed).hasSize(header + 16);
            assertThat(u32(flushed, header - 4)).isEqualTo(15);
            assertThat(WavReader.read(file).samplesPerChannel()).isEqualTo(5);
            writer.write(randomAudio(format, 3, 7));
        }
        assertThat(WavReader.read(file).samplesPerChannel()).isEqualTo(8);
        assertThat(Files.size(file)).isEqualTo(WavWriter.headerFor(format).length + 24);
    }

    @Test
    void aClosedWriterRefusesWrites() throws IOException {
        WavWriter writer = WavWriter.create(dir.resolve("c.wav"), PcmFormat.s16(8_000, 1));
        writer.close();
        writer.close();
        assertThatThrownBy(() -> writer.write(PcmData.ofShorts(8_000, 1, new short[1])))
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(writer::flush).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void writingFramesAllocatesNothing() throws IOException {
        for (SampleFormat target : new SampleFormat[] {SampleFormat.S16, SampleFormat.S24, SampleFormat.F32}) {
            PcmFormat format = new PcmFormat(48_000, 2, target);
            AudioFrame s16 = AudioFrame.allocate(PcmFormat.s16(48_000, 2), 480);
            AudioFrame f32 = AudioFrame.allocate(PcmFormat.f32(48_000, 2), 480);
            try (WavWriter toStream = WavWriter.create(OutputStream.nullOutputStream(), format);
                 WavWriter toFile = WavWriter.create(dir.resolve("alloc.wav"), format)) {
                for (int i = 0; i < 2_000; i++) {
                    toStream.write(s16);
                    toStream.write(f32);
                    toFile.write(s16);
                    toFile.write(f32);
                }
                long tid = Thread.currentThread().getId();
                long before = THREADS.getThreadAllocatedBytes(tid);
                for (int i = 0; i < 1_000; i++) {
                    toStream.write(s16);
                    toStream.write(f32);
                    toFile.write(s16);
                    toFile.write(f32);
                }
                // Per-frame garbage would be >= 16 B x 4,000 frames; the file channel's own occasional
                // bookkeeping (JDK temporary buffers) is a few hundred bytes in all, not per frame.
                assertThat(THREADS.getThreadAllocatedBytes(tid) - before).as("bytes allocated for %s over 4,000 frames", target)
                        .isLessThan(4_000);
            }
        }
    }

    /** Random audio; floats get random bit patterns too, so that NaN and out-of-range values must survive. */
    static PcmData randomAudio(PcmFormat format, int frames, long seed) {
        Random random = new Random(seed);
        byte[] bytes = new byte[frames * format.bytesPerFrame()];
        random.nextBytes(bytes);
        if (format.sampleFormat() == SampleFormat.F32) {
            ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < bytes.length; i += 8) {
                b.putFloat(i, random.nextFloat() * 2f - 1f);
            }
        }
        return PcmData.ofBytes(format, bytes);
    }

    private static byte[] writeToBytes(PcmData pcm) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        WavWriter.write(out, pcm);
        return out.toByteArray();
    }

    static int u16(byte[] b, int i) {
        return (b[i] & 0xff) | (b[i + 1] & 0xff) << 8;
    }

    static long u32(byte[] b, int i) {
        return ((b[i] & 0xff) | (b[i + 1] & 0xff) << 8 | (b[i + 2] & 0xff) << 16 | (b[i + 3] & 0xffL) << 24);
    }

    private static final class TrackingOutput extends FilterOutputStream {
        boolean closed;

        TrackingOutput(OutputStream out) {
            super(out);
        }

        @Override
        public void close() throws IOException {
            closed = true;
            super.close();
        }
    }
}
