package io.pcmtrack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class PcmDataTest {

    @Test
    void ofShortsKnowsItsShape() {
        PcmData pcm = PcmData.ofShorts(16_000, 2, new short[640]);
        assertThat(pcm.format()).isEqualTo(PcmFormat.s16(16_000, 2));
        assertThat(pcm.samplesPerChannel()).isEqualTo(320);
        assertThat(pcm.duration()).isEqualTo(Duration.ofMillis(20));
    }

    @Test
    void zeroLengthChunkIsValid() {
        PcmData pcm = PcmData.ofFloats(48_000, 2, new float[0]);
        assertThat(pcm.samplesPerChannel()).isZero();
        assertThat(pcm.duration()).isEqualTo(Duration.ZERO);
        assertThat(pcm.toShorts()).isEmpty();
    }

    @Test
    void factoriesRejectNullArrays() {
        assertThatThrownBy(() -> PcmData.ofShorts(48_000, 1, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("null");
        assertThatThrownBy(() -> PcmData.ofFloats(48_000, 1, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("null");
        assertThatThrownBy(() -> PcmData.ofBytes(PcmFormat.s16(48_000, 1), null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("null");
    }

    @Test
    void factoriesRejectLengthsThatAreNotWholeFrames() {
        assertThatThrownBy(() -> PcmData.ofShorts(48_000, 2, new short[3]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("multiple of 2").hasMessageContaining("got 3");
        assertThatThrownBy(() -> PcmData.ofFloats(48_000, 3, new float[4]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("got 4");
        assertThatThrownBy(() -> PcmData.ofBytes(new PcmFormat(48_000, 2, SampleFormat.S24), new byte[9]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("multiple of 6").hasMessageContaining("got 9");
    }

    @Test
    void factoriesRejectBadFormats() {
        assertThatThrownBy(() -> PcmData.ofShorts(100, 1, new short[1]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("100");
        assertThatThrownBy(() -> PcmData.ofFloats(48_000, 0, new float[1]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("channels");
    }

    @Test
    void silenceHasTheDurationAndIsZero() {
        PcmData s16 = PcmData.silence(PcmFormat.s16(48_000, 2), Duration.ofMillis(10));
        assertThat(s16.samplesPerChannel()).isEqualTo(480);
        assertThat(s16.toShorts()).hasSize(960).containsOnly((short) 0);
        PcmData u8 = PcmData.silence(new PcmFormat(8_000, 1, SampleFormat.U8), Duration.ofMillis(5));
        assertThat(u8.toBytes()).hasSize(40).containsOnly((byte) 128);
        assertThat(u8.toFloats()).containsOnly(0f);
    }

    @Test
    void s16ScalingFollowsTheContract() {
        PcmData pcm = PcmData.ofFloats(48_000, 1, new float[] {0.5f, -0.5f, 1f, -1f, 2f, -3f, Float.NaN, 0f});
        assertThat(pcm.toShorts()).containsExactly(16384, -16383, 32767, -32767, 32767, -32767, 0, 0);
        assertThat(PcmData.ofShorts(48_000, 1, new short[] {16384, -32768, 1}).toFloats())
                .containsExactly(0.5f, -1f, 1f / 32768f);
    }

    @Test
    void integerFormatsScaleByTheirPowerOfTwo() {
        byte[] u8 = {(byte) 0, (byte) 128, (byte) 192, (byte) 255};
        assertThat(PcmData.ofBytes(new PcmFormat(8_000, 1, SampleFormat.U8), u8).toFloats())
                .containsExactly(-1f, 0f, 0.5f, 127f / 128f);
        byte[] s24 = {0x00, 0x00, 0x40, 0x00, 0x00, (byte) 0x80, (byte) 0xff, (byte) 0xff, 0x7f};
        assertThat(PcmData.ofBytes(new PcmFormat(8_000, 1, SampleFormat.S24), s24).toFloats())
                .containsExactly(0.5f, -1f, 8388607f / 8388608f);
        ByteBuffer s32 = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt(1 << 30).putInt(Integer.MIN_VALUE);
        assertThat(PcmData.ofBytes(new PcmFormat(8_000, 1, SampleFormat.S32), s32.array()).toFloats())
                .containsExactly(0.5f, -1f);
    }

    @Test
    void floatToIntegerFormatsRoundsClampsAndZeroesNaN() {
        float[] f = {0.5f, -1f, 1.5f, Float.NaN};
        assertThat(bytesOf(f, SampleFormat.U8)).containsExactly(192, 1, 255, 128);
        ByteBuffer s24 = ByteBuffer.wrap(bytesOf(f, SampleFormat.S24)).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(s24Values(s24, 4)).containsExactly(4194304, -8388607, 8388607, 0);
        ByteBuffer s32 = ByteBuffer.wrap(bytesOf(f, SampleFormat.S32)).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(new int[] {s32.getInt(), s32.getInt(), s32.getInt(), s32.getInt()})
                .containsExactly(1073741824, -2147483647, 2147483647, 0);
    }

    @ParameterizedTest
    @EnumSource(SampleFormat.class)
    void roundTripThroughEveryFormatKeepsTheSignal(SampleFormat format) {
        float[] ramp = new float[200];
        for (int i = 0; i < ramp.length; i++) {
            ramp[i] = (i - 100) / 101f;
        }
        PcmData original = PcmData.ofFloats(48_000, 2, ramp);
        PcmData there = original.convertTo(new PcmFormat(48_000, 2, format));
        assertThat(there.format().sampleFormat()).isEqualTo(format);
        assertThat(there.toBytes()).hasSize(200 * format.bytesPerSample());
        float[] back = there.convertTo(PcmFormat.f32(48_000, 2)).toFloats();
        float step = switch (format) {
            case U8 -> 1f / 127;
            case S16 -> 1f / 32767;
            case S24 -> 1f / 8388607;
            default -> 1e-7f / 2;
        };
        for (int i = 0; i < ramp.length; i++) {
            assertThat(back[i]).as("sample %d via %s", i, format).isCloseTo(ramp[i], within(2 * step));
        }
    }

    @Test
    void s16BytesAndShortsAreTheSameAudio() {
        short[] s = {1, -2, 32767, -32768};
        PcmData shorts = PcmData.ofShorts(8_000, 2, s);
        byte[] bytes = shorts.toBytes();
        assertThat(bytes).containsExactly(1, 0, -2, -1, -1, 127, 0, -128);
        assertThat(PcmData.ofBytes(PcmFormat.s16(8_000, 2), bytes).toShorts()).containsExactly(s);
    }

    @Test
    void toArraysReturnCopies() {
        short[] s = {1, 2};
        PcmData pcm = PcmData.ofShorts(8_000, 1, s);
        pcm.toShorts()[0] = 99;
        assertThat(pcm.toShorts()).containsExactly(1, 2);
        float[] f = {Float.NaN};
        assertThat(PcmData.ofFloats(8_000, 1, f).toFloats()[0]).isNaN();
    }

    @Test
    void monoToStereoCopiesAndStereoToMonoAverages() {
        PcmData mono = PcmData.ofShorts(48_000, 1, new short[] {1000, -32768, 32767});
        assertThat(mono.convertTo(PcmFormat.s16(48_000, 2)).toShorts())
                .containsExactly(1000, 1000, -32768, -32768, 32767, 32767);
        PcmData stereo = PcmData.ofShorts(48_000, 2, new short[] {1000, 3000, -100, 100});
        assertThat(stereo.convertTo(PcmFormat.s16(48_000, 1)).toShorts()).containsExactly(2000, 0);
        PcmData stereoF = PcmData.ofFloats(48_000, 2, new float[] {0.25f, 0.75f});
        assertThat(stereoF.convertTo(PcmFormat.f32(48_000, 1)).toFloats()).containsExactly(0.5f);
    }

    @Test
    void otherChannelPairsFollowTheDocumentedRule() {
        PcmData stereo = PcmData.ofFloats(48_000, 2, new float[] {0.1f, 0.2f});
        assertThat(stereo.convertTo(PcmFormat.f32(48_000, 4)).toFloats()).containsExactly(0.1f, 0.2f, 0.1f, 0.2f);
        PcmData quad = PcmData.ofFloats(48_000, 4, new float[] {0.1f, 0.2f, 0.3f, 0.4f});
        assertThat(quad.convertTo(PcmFormat.f32(48_000, 2)).toFloats())
                .containsExactly((0.1f + 0.3f) / 2, (0.2f + 0.4f) / 2);
    }

    @Test
    void convertToTheSameFormatIsIdentity() {
        PcmData pcm = PcmData.ofShorts(48_000, 1, new short[] {1, 2, 3});
        assertThat(pcm.convertTo(PcmFormat.s16(48_000, 1))).isSameAs(pcm);
    }

    private static byte[] bytesOf(float[] f, SampleFormat format) {
        return PcmData.ofFloats(8_000, 1, f).convertTo(new PcmFormat(8_000, 1, format)).toBytes();
    }

    private static int[] s24Values(ByteBuffer b, int n) {
        int[] v = new int[n];
        for (int i = 0; i < n; i++) {
            v[i] = (b.get() & 0xff) | (b.get() & 0xff) << 8 | b.get() << 16;
        }
        return v;
    }
}
