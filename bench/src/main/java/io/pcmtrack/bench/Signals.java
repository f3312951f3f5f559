package io.pcmtrack.bench;

/** Test signals for benchmarks and soak runs. */
final class Signals {
    private Signals() {
    }

    /** A sine of {@code hz} at {@code amplitude} (0..1 of full scale) as 16-bit samples. */
    static short[] toneShorts(int rate, double hz, double amplitude, int samples) {
        short[] s = new short[samples];
        for (int i = 0; i < samples; i++) {
            s[i] = (short) Math.round(amplitude * 32767 * Math.sin(2 * Math.PI * hz * i / rate));
        }
        return s;
    }
}
