package io.pcmtrack.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;

import javax.sound.sampled.AudioFileFormat;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import io.pcmtrack.PcmData;
import io.pcmtrack.PcmFormat;
import io.pcmtrack.SampleFormat;

class JavaSoundTest {
    @TempDir
    Path dir;

    static Stream<Arguments> formatsAndChannels() {
        return Arrays.stream(SampleFormat.values())
                .flatMap(f -> Stream.of(1, 2, 6).map(ch -> Arguments.of(f, ch)));
    }

    @ParameterizedTest
    @EnumSource(SampleFormat.class)
    void audioFormatsMapBothWays(SampleFormat sampleFormat) {
        PcmFormat format = new PcmFormat(44_100, 2, sampleFormat);
        AudioFormat audioFormat = JavaSound.toAudioFormat(format);
        assertThat(audioFormat.getSampleRate()).isEqualTo(44_100f);
        assertThat(audioFormat.getChannels()).isEqualTo(2);
        assertThat(audioFormat.getSampleSizeInBits()).isEqualTo(sampleFormat.bytesPerSample() * 8);
        assertThat(audioFormat.getFrameSize()).isEqualTo(format.bytesPerFrame());
        assertThat(audioFormat.isBigEndian()).isFalse();
        assertThat(audioFormat.getEncoding()).isEqualTo(switch (sampleFormat) {
            case U8 -> AudioFormat.Encoding.PCM_UNSIGNED;
            case S16, S24, S32 -> AudioFormat.Encoding.PCM_SIGNED;
            case F32, F64 -> AudioFormat.Encoding.PCM_FLOAT;
        });
        assertThat(JavaSound.fromAudioFormat(audioFormat)).isEqualTo(format);
    }

    @Test
    void fromAudioFormatAcceptsBigEndianAndOtherSignedness() {
        assertThat(JavaSound.fromAudioFormat(new AudioFormat(16_000f, 16, 1, true, true))).isEqualTo(PcmFormat.s16(16_000, 1));
        assertThat(JavaSound.fromAudioFormat(new AudioFormat(16_000f, 8, 2, true, false)))
                .isEqualTo(new PcmFormat(16_000, 2, SampleFormat.U8));
        assertThat(JavaSound.fromAudioFormat(new AudioFormat(16_000f, 24, 2, false, false)))
                .isEqualTo(new PcmFormat(16_000, 2, SampleFormat.S24));
    }

    @Test
    void fromAudioFormatNamesWhatItCannotTake() {
        assertThatThrownBy(() -> JavaSound.fromAudioFormat(new AudioFormat(AudioFormat.Encoding.ULAW, 8_000f, 8, 1, 1, 8_000f, false)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("encoding: ULAW");
        assertThatThrownBy(() -> JavaSound.fromAudioFormat(new AudioFormat(8_000f, 12, 1, true, false)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sample size: 12 bits");
        assertThatThrownBy(() -> JavaSound.fromAudioFormat(new AudioFormat(AudioFormat.Encoding.PCM_FLOAT, 8_000f, 16, 1, 2, 8_000f, false)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PCM_FLOAT sample size: 16 bits");
        assertThatThrownBy(() -> JavaSound.fromAudioFormat(new AudioFormat(22_050.5f, 16, 1, true, false)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("22050.5 Hz");
        assertThatThrownBy(() -> JavaSound.fromAudioFormat(new AudioFormat(AudioSystem.NOT_SPECIFIED, 16, 1, true, false)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-1.0 Hz");
        assertThatThrownBy(() -> JavaSound.fromAudioFormat(new AudioFormat(8_000f, 16, 33, true, false)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("channel count: 33");
        assertThatThrownBy(() -> JavaSound.fromAudioFormat(
                new AudioFormat(AudioFormat.Encoding.PCM_SIGNED, 8_000f, 16, 2, 6, 8_000f, false)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("frame size: 6 bytes, expected 4");
    }

    @ParameterizedTest(name = "{0} x {1}")
    @MethodSource("formatsAndChannels")
    void theJdkReadsOurFiles(SampleFormat sampleFormat, int channels) throws Exception {
        PcmFormat format = new PcmFormat(32_000, channels, sampleFormat);
        PcmData pcm = WavWriterTest.randomAudio(format, 333, 40L + channels);
        Path file = dir.resolve("ours.wav");
        WavWriter.write(file, pcm);
        try (AudioInputStream in = AudioSystem.getAudioInputStream(file.toFile())) {
            assertThat(in.getFrameLength()).isEqualTo(333);
            PcmData back = JavaSound.read(in);
            assertThat(back.format()).isEqualTo(format);
            assertThat(back.toBytes()).isEqualTo(pcm.toBytes());
        }
    }

    @ParameterizedTest(name = "{0} x {1}")
    @MethodSource("formatsAndChannels")
    void weReadFilesTheJdkWrites(SampleFormat sampleFormat, int channels) throws Exception {
        PcmFormat format = new PcmFormat(11_025, channels, sampleFormat);
        PcmData pcm = WavWriterTest.randomAudio(format, 257, 50L + channels);
        Path file = dir.resolve("jdk.wav");
        AudioSystem.write(JavaSound.toAudioInputStream(pcm), AudioFileFormat.Type.WAVE, file.toFile());
        PcmData back = WavReader.read(file);
        assertThat(back.format()).isEqualTo(format);
        assertThat(back.toBytes()).isEqualTo(pcm.toBytes());
    }

    @Test
    void bigEndianAiffFromTheJdkReadsBackExactly() throws Exception {
        PcmFormat format = new PcmFormat(8_000, 2, SampleFormat.S24);
        PcmData pcm = WavWriterTest.randomAudio(format, 100, 60);
        Path aiff = dir.resolve("jdk.aiff");
        AudioSystem.write(JavaSound.toAudioInputStream(pcm), AudioFileFormat.Type.AIFF, aiff.toFile());
        try (AudioInputStream in = AudioSystem.getAudioInputStream(aiff.toFile())) {
            assertThat(in.getFormat().isBigEndian()).isTrue();
            PcmData back = JavaSound.read(in);
            assertThat(back.format()).isEqualTo(format);
            assertThat(back.toBytes()).isEqualTo(pcm.toBytes());
        }
    }

    @Test
    void readConvertsByteOrderAndSignedness() throws IOException {
        byte[] bigEndian = {0x12, 0x34, (byte) 0x80, 0x00};
        PcmData s16 = JavaSound.read(stream(new AudioFormat(8_000f, 16, 1, true, true), bigEndian));
        assertThat(s16.toShorts()).containsExactly((short) 0x1234, Short.MIN_VALUE);

        byte[] signed8 = {0, 127, -128};
        PcmData u8 = JavaSound.read(stream(new AudioFormat(8_000f, 8, 1, true, false), signed8));
        assertThat(u8.format().sampleFormat()).isEqualTo(SampleFormat.U8);
        assertThat(u8.toBytes()).containsExactly(0x80, 0xFF, 0x00);

        byte[] unsigned16 = {0x00, (byte) 0x80, (byte) 0xFF, (byte) 0xFF, 0x00, 0x00};
        PcmData fromUnsigned = JavaSound.read(stream(new AudioFormat(8_000f, 16, 1, false, false), unsigned16));
        assertThat(fromUnsigned.toShorts()).containsExactly((short) 0, Short.MAX_VALUE, Short.MIN_VALUE);

        byte[] bigEndianDouble = ByteBuffer.allocate(16).putDouble(0.25).putDouble(-1.0).array();
        PcmData f64 = JavaSound.read(stream(
                new AudioFormat(AudioFormat.Encoding.PCM_FLOAT, 8_000f, 64, 1, 8, 8_000f, true), bigEndianDouble));
        assertThat(f64.format().sampleFormat()).isEqualTo(SampleFormat.F64);
        assertThat(f64.toFloats()).containsExactly(0.25f, -1f);
    }

    @Test
    void muLawIsDecodedByTheJdk() throws IOException {
        byte[] ulaw = {(byte) 0xFF, (byte) 0x7F, (byte) 0x00, (byte) 0x80};
        PcmData pcm = JavaSound.read(stream(new AudioFormat(AudioFormat.Encoding.ULAW, 8_000f, 8, 1, 1, 8_000f, false), ulaw));
        assertThat(pcm.format()).isEqualTo(PcmFormat.s16(8_000, 1));
        short[] s = pcm.toShorts();
        assertThat(s).hasSize(4);
        assertThat(Math.abs((int) s[0])).isLessThan(8);
        assertThat(s[2]).isLessThan((short) -30_000);
        assertThat(s[3]).isGreaterThan((short) 30_000);
    }

    @Test
    void readTakesWhatArrivesNotWhatTheFrameLengthClaims() throws IOException {
        AudioFormat format = JavaSound.toAudioFormat(PcmFormat.s16(8_000, 2));
        byte[] audio = WavReaderTest.randomBytes(4 * 1_000 + 3, 70);
        AudioInputStream unknownLength = new AudioInputStream(new ByteArrayInputStream(audio), format, AudioSystem.NOT_SPECIFIED);
        PcmData all = JavaSound.read(unknownLength);
        assertThat(all.toBytes()).isEqualTo(Arrays.copyOf(audio, 4_000));

        AudioInputStream overclaiming = new AudioInputStream(new ByteArrayInputStream(audio), format, Long.MAX_VALUE / 8);
        assertThat(JavaSound.read(overclaiming).samplesPerChannel()).isEqualTo(1_000);

        InputStream trickle = new ByteArrayInputStream(audio) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                return super.read(b, off, Math.min(len, 5));
            }
        };
        assertThat(JavaSound.read(new AudioInputStream(trickle, format, 1_000)).toBytes()).isEqualTo(Arrays.copyOf(audio, 4_000));
    }

    @Test
    void toAudioInputStreamCarriesTheFrameLength() throws IOException {
        PcmData pcm = PcmData.ofShorts(16_000, 1, new short[] {1, -2, 3});
        try (AudioInputStream in = JavaSound.toAudioInputStream(pcm)) {
            assertThat(in.getFrameLength()).isEqualTo(3);
            assertThat(in.readAllBytes()).isEqualTo(pcm.toBytes());
        }
    }

    private static AudioInputStream stream(AudioFormat format, byte[] bytes) {
        return new AudioInputStream(new ByteArrayInputStream(bytes), format, bytes.length / format.getFrameSize());
    }
}
