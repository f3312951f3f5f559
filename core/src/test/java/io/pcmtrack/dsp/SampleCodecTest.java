package io.pcmtrack.dsp;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Float to 16-bit: the rounding every track's output goes through. */
class SampleCodecTest {
    /** The definition: clamp to [-1, 1], scale by 32767, round halves up, NaN to 0. */
    private static short reference(float f) {
        if (f >= 1f) {
            return Short.MAX_VALUE;
        }
        if (f <= -1f) {
            return -Short.MAX_VALUE;
        }
        return (short) Math.round(f * 32767f);
    }

    @Test
    void toS16RoundsAsMathRoundOnEveryKindOfFloat() {
        // Every 257th bit pattern (16.7 million floats of every exponent, both signs, NaNs and
        // infinities); the whole 2^32 was checked once by hand the same way.
        int checked = 0;
        for (long bits = 0; bits <= 0xFFFF_FFFFL; bits += 257) {
            float f = Float.intBitsToFloat((int) bits);
            if (SampleCodec.toS16(f) != reference(f)) {
                assertThat(SampleCodec.toS16(f)).as("toS16(%s), bits %08x", f, bits).isEqualTo(reference(f));
            }
            checked++;
        }
        assertThat(checked).isGreaterThan(16_000_000);
    }

    @Test
    void toS16RoundsHalvesUpAndNearHalvesToTheNearest() {
        for (int k = -32767; k < 32767; k++) {
            float half = (k + 0.5f) / 32767f;
            assertThat(SampleCodec.toS16(half)).as("(%d + 0.5) / 32767", k).isEqualTo(reference(half));
            float below = Math.nextDown(half);
            float above = Math.nextUp(half);
            assertThat(SampleCodec.toS16(below)).isEqualTo(reference(below));
            assertThat(SampleCodec.toS16(above)).isEqualTo(reference(above));
        }
        assertThat(SampleCodec.toS16(0.25f)).isEqualTo((short) 8192); // 8191.75
        assertThat(SampleCodec.toS16(-0.25f)).isEqualTo((short) -8192);
        assertThat(SampleCodec.toS16(Math.nextDown(1f))).isEqualTo(Short.MAX_VALUE);
        assertThat(SampleCodec.toS16(Float.NaN)).isZero();
        assertThat(SampleCodec.toS16(Float.POSITIVE_INFINITY)).isEqualTo(Short.MAX_VALUE);
        assertThat(SampleCodec.toS16(Float.NEGATIVE_INFINITY)).isEqualTo((short) -32767);
        assertThat(SampleCodec.toS16(-0f)).isZero();
    }

    @Test
    void encodeWritesToS16OfEachSample() {
        float[] in = {0f, 0.25f, -0.25f, 1.5f, -1.5f, Float.NaN, 1e-6f, -0.999f};
        short[] out = new short[in.length + 2];
        SampleCodec.encode(in, 0, out, 1, in.length);
        assertThat(out[0]).isZero();
        for (int i = 0; i < in.length; i++) {
            assertThat(out[i + 1]).isEqualTo(reference(in[i]));
        }
        assertThat(out[in.length + 1]).isZero();
    }
}
