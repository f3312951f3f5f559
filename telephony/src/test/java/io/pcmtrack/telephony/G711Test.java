package io.pcmtrack.telephony;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/**
 * G.711 against the standard's own tables (Tables 1a and 2a of ITU-T G.711: decision values and
 * decoder output values, segment by segment), written here from the table layout rather than
 * from the reference code, and the lookup tables against the G.191 reference transcription.
 */
class G711Test {

    /**
     * μ-law, Table 2a on the 14-bit scale (magnitude 0..8159): segment k starts at decision value
     * {@code ULAW_START[k]} and has 16 intervals of {@code ULAW_STEP[k]}; segment 0's first interval
     * is [0, 1) with output 0, its others [1, 3), [3, 5), ... with their midpoints as outputs.
     */
    private static final int[] ULAW_START = {-1, 31, 95, 223, 479, 991, 2015, 4063};
    private static final int[] ULAW_STEP = {2, 4, 8, 16, 32, 64, 128, 256};
    /** A-law, Table 1a on the 13-bit scale (magnitude 0..4096): segment k, 16 intervals of the step. */
    private static final int[] ALAW_START = {0, 32, 64, 128, 256, 512, 1024, 2048};
    private static final int[] ALAW_STEP = {2, 2, 4, 8, 16, 32, 64, 128};

    @Test
    void everyUlawCodeDecodesToTheStandardsOutputValue() {
        for (int code = 0; code < 256; code++) {
            boolean positive = (code & 0x80) != 0;
            int magnitudeIndex = 0x7F - (code & 0x7F);
            int segment = magnitudeIndex >> 4;
            int interval = magnitudeIndex & 0xF;
            int output = segment == 0 && interval == 0 ? 0
                    : ULAW_START[segment] + ULAW_STEP[segment] * interval + ULAW_STEP[segment] / 2;
            int expected = (positive ? output : -output) * 4;
            assertThat(G711.ulawDecode((byte) code)).as("μ-law code 0x%02X", code).isEqualTo((short) expected);
        }
    }

    @Test
    void everyAlawCodeDecodesToTheStandardsOutputValue() {
        for (int code = 0; code < 256; code++) {
            int character = code ^ 0x55;              // even bits are inverted on the line
            boolean positive = (character & 0x80) != 0;
            int segment = (character >> 4) & 0x7;
            int interval = character & 0xF;
            int output = ALAW_START[segment] + ALAW_STEP[segment] * interval + ALAW_STEP[segment] / 2;
            int expected = (positive ? output : -output) * 8;
            assertThat(G711.alawDecode((byte) code)).as("A-law code 0x%02X", code).isEqualTo((short) expected);
        }
    }

    @Test
    void every16BitSampleEncodesToTheUlawIntervalHoldingIt() {
        for (int x = Short.MIN_VALUE; x <= Short.MAX_VALUE; x++) {
            int magnitude = (x >= 0 ? x : ~x) >> 2;
            int index = 0x7F;                            // past the last decision value: the top interval
            for (int i = 0; i < 128; i++) {
                int segment = i >> 4;
                int upper = ULAW_START[segment] + ULAW_STEP[segment] * ((i & 0xF) + 1);
                if (magnitude < upper) {
                    index = i;
                    break;
                }
            }
            int expected = (x >= 0 ? 0x80 : 0) | (0x7F - index);
            assertThat(G711.ulawEncode((short) x) & 0xFF).as("μ-law of %d", x).isEqualTo(expected);
        }
    }

    @Test
    void every16BitSampleEncodesToTheAlawIntervalHoldingIt() {
        for (int x = Short.MIN_VALUE; x <= Short.MAX_VALUE; x++) {
            int magnitude = (x >= 0 ? x : ~x) >> 3;
            int index = 0x7F;
            for (int i = 0; i < 128; i++) {
                int segment = i >> 4;
                int upper = ALAW_START[segment] + ALAW_STEP[segment] * ((i & 0xF) + 1);
                if (magnitude < upper) {
                    index = i;
                    break;
                }
            }
            int expected = ((x >= 0 ? 0x80 : 0) | index) ^ 0x55;
            assertThat(G711.alawEncode((short) x) & 0xFF).as("A-law of %d", x).isEqualTo(expected);
        }
    }

    @Test
    void lookupTablesMatchTheG191ReferenceForEverySampleAndCode() {
        for (int x = Short.MIN_VALUE; x <= Short.MAX_VALUE; x++) {
            assertThat(G711.ulawEncode((short) x) & 0xFF).isEqualTo(G711.referenceUlawEncode((short) x));
            assertThat(G711.alawEncode((short) x) & 0xFF).isEqualTo(G711.referenceAlawEncode((short) x));
        }
        for (int code = 0; code < 256; code++) {
            assertThat(G711.ulawDecode((byte) code)).isEqualTo(G711.referenceUlawDecode(code));
            assertThat(G711.alawDecode((byte) code)).isEqualTo(G711.referenceAlawDecode(code));
        }
    }

    @Test
    void decodingThenEncodingGivesTheSameCodeBackExceptNegativeZero() {
        for (int code = 0; code < 256; code++) {
            int ulaw = G711.ulawEncode(G711.ulawDecode((byte) code)) & 0xFF;
            // μ-law has two zeros (0xFF and 0x7F); both decode to 0, which encodes as 0xFF.
            assertThat(ulaw).as("μ-law 0x%02X", code).isEqualTo(code == 0x7F ? 0xFF : code);
            assertThat(G711.alawEncode(G711.alawDecode((byte) code)) & 0xFF).as("A-law 0x%02X", code).isEqualTo(code);
        }
    }

    @Test
    void arrayMethodsMatchTheSampleMethodsAndCheckTheirRanges() {
        short[] pcm = new short[65_536];
        for (int i = 0; i < pcm.length; i++) {
            pcm[i] = (short) (i - 32_768);
        }
        byte[] ulaw = new byte[pcm.length + 3];
        byte[] alaw = new byte[pcm.length + 3];
        G711.ulawEncode(pcm, 0, ulaw, 3, pcm.length);
        G711.alawEncode(pcm, 0, alaw, 3, pcm.length);
        short[] back = new short[pcm.length];
        short[] backA = new short[pcm.length];
        G711.ulawDecode(ulaw, 3, back, 0, pcm.length);
        G711.alawDecode(alaw, 3, backA, 0, pcm.length);
        for (int i = 0; i < pcm.length; i++) {
            assertThat(ulaw[i + 3]).isEqualTo(G711.ulawEncode(pcm[i]));
            assertThat(alaw[i + 3]).isEqualTo(G711.alawEncode(pcm[i]));
            assertThat(back[i]).isEqualTo(G711.ulawDecode(ulaw[i + 3]));
            assertThat(backA[i]).isEqualTo(G711.alawDecode(alaw[i + 3]));
        }
        assertThatThrownBy(() -> G711.ulawEncode(pcm, 10, ulaw, 0, pcm.length))
                .isInstanceOf(IndexOutOfBoundsException.class).hasMessageContaining("65536 samples from 10");
    }
}
