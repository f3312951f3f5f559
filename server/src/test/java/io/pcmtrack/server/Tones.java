package io.pcmtrack.server;

/** Frequency and level of a steady tone, the same way the browser tests measure them. */
final class Tones {
    private Tones() {
    }

    /** Frequency from the first to the last rising zero crossing, interpolated between samples. */
    static double frequency(float[] x, int rate) {
        double first = -1;
        double last = -1;
        int crossings = 0;
        for (int i = 1; i < x.length; i++) {
            if (x[i - 1] < 0 && x[i] >= 0) {
                double t = i - 1 + x[i - 1] / (x[i - 1] - x[i]);
                if (first < 0) {
                    first = t;
                } else {
                    crossings++;
                }
                last = t;
            }
        }
        return crossings == 0 ? 0 : crossings * rate / (last - first);
    }

    /** RMS level in dB relative to full scale (a full-scale sine is -3.01 dBFS). */
    static double rmsDbfs(float[] x) {
        double sum = 0;
        for (float v : x) {
            sum += (double) v * v;
        }
        return 10 * Math.log10(sum / Math.max(1, x.length) + 1e-20);
    }
}
