package io.pcmtrack.telephony;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;

import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;

import org.junit.jupiter.api.Test;

/** G.711 against an independent implementation: the JDK's javax.sound.sampled μ-law and A-law converters. */
class G711JdkTest {
    private static final AudioFormat PCM = new AudioFormat(AudioFormat.Encoding.PCM_SIGNED, 8000, 16, 1, 2, 8000, false);

    private static AudioFormat law(AudioFormat.Encoding encoding) {
        return new AudioFormat(encoding, 8000, 8, 1, 1, 8000, false);
    }

    private static byte[] convert(byte[] input, AudioFormat from, AudioFormat to) throws IOException {
        AudioInputStream source = new AudioInputStream(new ByteArrayInputStream(input), from,
                input.length / from.getFrameSize());
        try (InputStream converted = AudioSystem.getAudioInputStream(to, source)) {
            return converted.readAllBytes();
        }
    }

    private static byte[] allCodes() {
        byte[] codes = new byte[256];
        for (int i = 0; i < 256; i++) {
            codes[i] = (byte) i;
        }
        return codes;
    }

    private static byte[] allSamples() {
        byte[] pcm = new byte[65_536 * 2];
        for (int i = 0; i < 65_536; i++) {
            int x = i - 32_768;
            pcm[2 * i] = (byte) x;
            pcm[2 * i + 1] = (byte) (x >> 8);
        }
        return pcm;
    }

    @Test
    void ulawDecodingEqualsTheJdksForAll256Codes() throws IOException {
        byte[] jdk = convert(allCodes(), law(AudioFormat.Encoding.ULAW), PCM);
        for (int code = 0; code < 256; code++) {
            short expected = (short) ((jdk[2 * code] & 0xFF) | (jdk[2 * code + 1] << 8));
            assertThat(G711.ulawDecode((byte) code)).as("μ-law 0x%02X", code).isEqualTo(expected);
        }
    }

    @Test
    void alawDecodingEqualsTheJdksForAll256Codes() throws IOException {
        byte[] jdk = convert(allCodes(), law(AudioFormat.Encoding.ALAW), PCM);
        for (int code = 0; code < 256; code++) {
            short expected = (short) ((jdk[2 * code] & 0xFF) | (jdk[2 * code + 1] << 8));
            assertThat(G711.alawDecode((byte) code)).as("A-law 0x%02X", code).isEqualTo(expected);
        }
    }

    /*
     * G.191 (and so this class) takes a negative sample's magnitude as ~x = -x-1. The JDK's μ-law
     * encoder takes -x, so a negative x is compared with the JDK's code for x+1 (same magnitude, same
     * sign; x = -1, G.191's negative zero, has no JDK counterpart); it also adds its bias in 16-bit
     * arithmetic, which wraps above 32635 in magnitude (it encodes -32768 as a quiet 0x7F), so those
     * inputs are left to the table tests. The JDK's A-law encoder takes -x-8, so a negative x is
     * compared with the JDK's code for x-7.
     */

    @Test
    void ulawEncodingEqualsTheJdksWithOnesComplementNegatives() throws IOException {
        byte[] jdk = convert(allSamples(), PCM, law(AudioFormat.Encoding.ULAW));
        int compared = 0;
        for (int x = -32_636; x <= 32_635; x++) {
            if (x == -1) {
                continue;
            }
            int jdkIndex = (x < 0 ? x + 1 : x) + 32_768;
            assertThat(G711.ulawEncode((short) x)).as("μ-law of %d", x).isEqualTo(jdk[jdkIndex]);
            compared++;
        }
        assertThat(compared).isEqualTo(65_271);
    }

    @Test
    void alawEncodingEqualsTheJdksWithItsNegativeOffset() throws IOException {
        byte[] jdk = convert(allSamples(), PCM, law(AudioFormat.Encoding.ALAW));
        int compared = 0;
        for (int x = -32_761; x <= Short.MAX_VALUE; x++) {
            int jdkIndex = (x < 0 ? x - 7 : x) + 32_768;
            assertThat(G711.alawEncode((short) x)).as("A-law of %d", x).isEqualTo(jdk[jdkIndex]);
            compared++;
        }
        assertThat(compared).isEqualTo(65_529);
    }
}
