package io.pcmtrack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

import io.pcmtrack.dsp.SignalAnalysis;

class PcmConverterTest {

    @Test
    void streamedChunksEqualOneWholeConversion() {
        float[] tone = SignalAnalysis.sine(48_000, 1000, 48_000, 0.5, 0);
        PcmData whole = PcmData.ofFloats(48_000, 1, tone).convertTo(PcmFormat.f32(16_000, 1));
        PcmConverter c = new PcmConverter(PcmFormat.f32(48_000, 1), PcmFormat.f32(16_000, 1));
        float[] joined = new float[16_000];
        int n = 0;
        for (int off = 0; off < tone.length; off += 480) {
            float[] part = c.convert(PcmData.ofFloats(48_000, 1, java.util.Arrays.copyOfRange(tone, off, off + 480))).toFloats();
            System.arraycopy(part, 0, joined, n, part.length);
            n += part.length;
        }
        float[] tail = c.finish().toFloats();
        System.arraycopy(tail, 0, joined, n, tail.length);
        assertThat(n + tail.length).isEqualTo(16_000);
        assertThat(joined).containsExactly(whole.toFloats());
    }

    @Test
    void convertsReceivedCallAudioToSpeechRecognitionFormat() {
        PcmConverter c = new PcmConverter(PcmFormat.s16(48_000, 1), PcmFormat.s16(16_000, 1));
        short[] s = new short[480];
        for (int i = 0; i < s.length; i++) {
            s[i] = (short) Math.round(16000 * Math.sin(2 * Math.PI * 500 * i / 48_000.0));
        }
        int total = 0;
        float[] out = new float[16_000];
        for (int k = 0; k < 100; k++) {
            PcmData part = c.convert(PcmData.ofShorts(48_000, 1, s));
            assertThat(part.format()).isEqualTo(PcmFormat.s16(16_000, 1));
            for (short v : part.toShorts()) {
                out[total++] = v / 32768f;
            }
        }
        assertThat(total).isBetween(16_000 - 100, 16_000);
        assertThat(SignalAnalysis.fitTone(out, 1_000, 12_000, 500, 16_000).amplitude()).isCloseTo(16000 / 32768.0, within(0.002));
    }

    @Test
    void sameFormatPassesChunksThrough() {
        PcmConverter c = new PcmConverter(PcmFormat.s16(48_000, 1), PcmFormat.s16(48_000, 1));
        PcmData pcm = PcmData.ofShorts(48_000, 1, new short[] {1, 2, 3});
        assertThat(c.convert(pcm)).isSameAs(pcm);
        assertThat(c.finish().samplesPerChannel()).isZero();
    }

    @Test
    void rejectsChunksOfAnotherFormat() {
        PcmConverter c = new PcmConverter(PcmFormat.s16(48_000, 1), PcmFormat.s16(16_000, 1));
        assertThatThrownBy(() -> c.convert(PcmData.ofShorts(44_100, 1, new short[2])))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("44100");
        assertThatThrownBy(() -> c.convert(null)).isInstanceOf(IllegalArgumentException.class);
    }
}
