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

    @Test
    void scalingThenEncodingScaledGivesEncodeBitForBit() {
        // The two halves a 16-bit track's conversion takes, against the one-pass encode: every 257th bit pattern
        // in blocks of 4,096 (offsets inside the arrays, so that a vectorised loop's pre- and post-loop run too),
        // then the floats at and next to every half step. The whole 2^32 was checked once by hand the same way.
        float[] block = new float[4096 + 3];
        float[] scaled = new float[block.length];
        short[] expected = new short[block.length];
        short[] actual = new short[block.length];
        long bits = 0;
        int checked = 0;
        while (bits <= 0xFFFF_FFFFL) {
            int n = 0;
            for (; n < 4096 && bits <= 0xFFFF_FFFFL; n++, bits += 257) {
                block[3 + n] = Float.intBitsToFloat((int) bits);
            }
            checked += checkHalves(block, 3, n, scaled, expected, actual);
        }
        int i = 0;
        for (int k = -32768; k <= 32767; k++) {
            float half = (k + 0.5f) / 32767f;
            for (float f : new float[] {Math.nextDown(half), half, Math.nextUp(half)}) {
                block[i++] = f;
                if (i == 4096) {
                    checked += checkHalves(block, 0, i, scaled, expected, actual);
                    i = 0;
                }
            }
        }
        float[] special = {Float.NaN, -0f, 0f, 1f, -1f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY,
                Float.MIN_VALUE, -Float.MIN_VALUE, Float.MAX_VALUE, -Float.MAX_VALUE, Math.nextDown(1f)};
        System.arraycopy(special, 0, block, i, special.length);
        checked += checkHalves(block, 0, i + special.length, scaled, expected, actual);
        assertThat(checked).isGreaterThan(16_000_000 + 3 * 65_536);
    }

    /** Scales a copy of {@code in[from, from + n)}, encodes it and compares with {@link SampleCodec#encode}. */
    private static int checkHalves(float[] in, int from, int n, float[] scaled, short[] expected, short[] actual) {
        System.arraycopy(in, from, scaled, from, n);
        SampleCodec.scaleForS16(scaled, from, n);
        SampleCodec.encodeScaled(scaled, from, actual, 0, n);
        SampleCodec.encode(in, from, expected, 0, n);
        for (int j = 0; j < n; j++) {
            if (actual[j] != expected[j]) {
                assertThat(actual[j]).as("scaled then encoded: %s, bits %08x", in[from + j],
                        Float.floatToRawIntBits(in[from + j])).isEqualTo(expected[j]);
            }
        }
        return n;
    }
}
