package io.pcmtrack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PcmFormatTest {

    @Test
    void factoriesSetTheSampleFormat() {
        assertThat(PcmFormat.s16(48_000, 2)).isEqualTo(new PcmFormat(48_000, 2, SampleFormat.S16));
        assertThat(PcmFormat.f32(16_000, 1)).isEqualTo(new PcmFormat(16_000, 1, SampleFormat.F32));
    }

    @Test
    void bytesPerSampleOfEveryFormat() {
        assertThat(SampleFormat.U8.bytesPerSample()).isEqualTo(1);
        assertThat(SampleFormat.S16.bytesPerSample()).isEqualTo(2);
        assertThat(SampleFormat.S24.bytesPerSample()).isEqualTo(3);
        assertThat(SampleFormat.S32.bytesPerSample()).isEqualTo(4);
        assertThat(SampleFormat.F32.bytesPerSample()).isEqualTo(4);
        assertThat(SampleFormat.F64.bytesPerSample()).isEqualTo(8);
        assertThat(new PcmFormat(44_100, 6, SampleFormat.S24).bytesPerFrame()).isEqualTo(18);
    }

    @Test
    void sampleRateOutsideRangeIsRejectedNamingTheValue() {
        assertThatThrownBy(() -> PcmFormat.s16(999, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("sampleRate").hasMessageContaining("999");
        assertThatThrownBy(() -> PcmFormat.s16(768_001, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("768001");
        assertThat(PcmFormat.s16(1_000, 1).sampleRate()).isEqualTo(1_000);
        assertThat(PcmFormat.s16(768_000, 1).sampleRate()).isEqualTo(768_000);
    }

    @Test
    void channelsOutsideRangeAreRejectedNamingTheValue() {
        assertThatThrownBy(() -> PcmFormat.s16(48_000, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("channels").hasMessageContaining("0");
        assertThatThrownBy(() -> PcmFormat.s16(48_000, 33))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("33");
        assertThat(PcmFormat.s16(48_000, 32).channels()).isEqualTo(32);
    }

    @Test
    void nullSampleFormatIsRejected() {
        assertThatThrownBy(() -> new PcmFormat(48_000, 1, null))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("sampleFormat");
    }
}
