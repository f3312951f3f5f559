package io.pcmtrack.telephony;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Round-trip quality of both codecs: signal-to-noise ratio and gain for a 1004 Hz tone (the
 * telephone test tone; it is no sub-multiple of 8 kHz, so it visits every code) at several levels.
 */
class G711QualityTest {
    private static final int N = 8000 * 4;

    record Quality(double snrDb, double gainDb) {
    }

    static Quality roundTrip(boolean ulaw, double dbfs) {
        double amplitude = 32767 * Math.pow(10, dbfs / 20);
        double signal = 0;
        double noise = 0;
        double decoded = 0;
        for (int i = 0; i < N; i++) {
            short x = (short) Math.round(amplitude * Math.sin(2 * Math.PI * 1004 * i / 8000.0));
            short y = ulaw ? G711.ulawDecode(G711.ulawEncode(x)) : G711.alawDecode(G711.alawEncode(x));
            signal += (double) x * x;
            decoded += (double) y * y;
            noise += (double) (y - x) * (y - x);
        }
        return new Quality(10 * Math.log10(signal / noise), 10 * Math.log10(decoded / signal));
    }

    @Test
    void bothCodecsKeep35To39DbSnrOverThirtyDbOfLevelWithNoGain() {
        StringBuilder table = new StringBuilder("level dBFS | mu-law SNR | A-law SNR | mu-law gain | A-law gain\n");
        for (double level : new double[] {0, -3, -10, -20, -30}) {
            Quality u = roundTrip(true, level);
            Quality a = roundTrip(false, level);
            table.append(String.format("%6.0f | %6.2f dB | %6.2f dB | %+.3f dB | %+.3f dB%n", level, u.snrDb(), a.snrDb(),
                    u.gainDb(), a.gainDb()));
            // Companding keeps the SNR between about 35 and 39 dB over this range (measured: 34.9 dB
            // for μ-law at -30 dBFS, where the 16-to-14-bit truncation of the reference adds a little).
            assertThat(u.snrDb()).as("μ-law SNR at %s dBFS", level).isGreaterThan(34.5);
            assertThat(a.snrDb()).as("A-law SNR at %s dBFS", level).isGreaterThan(34.5);
            // No level shift: an encoder that is "hot" by 6-9 dB would show here.
            assertThat(Math.abs(u.gainDb())).as("μ-law gain at %s dBFS", level).isLessThan(0.05);
            assertThat(Math.abs(a.gainDb())).as("A-law gain at %s dBFS", level).isLessThan(0.05);
        }
        System.out.print(table);
    }
}
