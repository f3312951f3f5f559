package io.pcmtrack.webrtc;

/** Small signal-analysis helpers for the loopback tests (16-bit mono samples). */
public final class Signals {
    private Signals() {
    }

    /** A sine of {@code hz} at {@code dbfs} peak, starting at sample {@code offset} of an endless tone. */
    public static short[] tone(int rate, int channels, double hz, double dbfs, long offset, int samples) {
        double amp = 32767 * Math.pow(10, dbfs / 20);
        short[] s = new short[samples * channels];
        for (int i = 0; i < samples; i++) {
            short v = (short) Math.round(amp * Math.sin(2 * Math.PI * hz * (offset + i) / rate));
            for (int c = 0; c < channels; c++) {
                s[i * channels + c] = v;
            }
        }
        return s;
    }

    public static float[] toneFloats(int rate, int channels, double hz, double dbfs, long offset, int samples) {
        short[] s = tone(rate, channels, hz, dbfs, offset, samples);
        float[] f = new float[s.length];
        for (int i = 0; i < s.length; i++) {
            f[i] = s[i] / 32767f;
        }
        return f;
    }

    /** |X(f)|^2 over {@code x[from, to)}. */
    public static double goertzel(short[] x, int from, int to, double f, int rate) {
        double w = 2 * Math.PI * f / rate;
        double c = 2 * Math.cos(w);
        double s1 = 0;
        double s2 = 0;
        for (int i = from; i < to; i++) {
            double s0 = x[i] + c * s1 - s2;
            s2 = s1;
            s1 = s0;
        }
        return s1 * s1 + s2 * s2 - c * s1 * s2;
    }

    /**
     * Dominant frequency of {@code x[from, to)}: the strongest 10 Hz bin from 50 Hz to rate/2.2,
     * refined by counting rising zero crossings with linear interpolation.
     */
    public static double dominantFrequency(short[] x, int from, int to, int rate) {
        double bestF = 0;
        double bestP = -1;
        int n = Math.min(to - from, rate / 10);
        for (double f = 50; f <= rate / 2.2; f += 10) {
            double p = goertzel(x, from, from + n, f, rate);
            if (p > bestP) {
                bestP = p;
                bestF = f;
            }
        }
        double first = -1;
        double last = -1;
        int crossings = 0;
        for (int i = from + 1; i < to; i++) {
            if (x[i - 1] < 0 && x[i] >= 0) {
                double t = (i - 1) + (double) -x[i - 1] / (x[i] - x[i - 1]);
                if (first < 0) {
                    first = t;
                }
                last = t;
                crossings++;
            }
        }
        double zc = crossings > 1 ? (crossings - 1) / ((last - first) / rate) : 0;
        return Math.abs(zc - bestF) <= 15 ? zc : bestF;
    }

    /** Peak level in dBFS of a sine with the RMS of {@code x[from, to)}. */
    public static double sinePeakDbfs(short[] x, int from, int to) {
        double sum = 0;
        for (int i = from; i < to; i++) {
            sum += (double) x[i] * x[i];
        }
        double rms = Math.sqrt(sum / Math.max(1, to - from));
        return 20 * Math.log10(Math.max(1e-9, rms * Math.sqrt(2) / 32767));
    }

    /**
     * Median over {@code window}-sample windows of {@link #sinePeakDbfs}: the level of a tone that
     * a starved machine made the receiver conceal in places (a few windows) without moving it.
     */
    public static double medianWindowDbfs(short[] x, int from, int to, int window) {
        int n = (to - from) / window;
        if (n < 1) {
            return sinePeakDbfs(x, from, to);
        }
        double[] levels = new double[n];
        for (int w = 0; w < n; w++) {
            levels[w] = sinePeakDbfs(x, from + w * window, from + (w + 1) * window);
        }
        java.util.Arrays.sort(levels);
        return levels[n / 2];
    }

    /** RMS level in dBFS of {@code x[from, to)}. */
    public static double rmsDbfs(short[] x, int from, int to) {
        return sinePeakDbfs(x, from, to) - 20 * Math.log10(Math.sqrt(2));
    }

    /** Longest run of samples with |s| below {@code threshold} in {@code x[from, to)}. */
    public static int longestQuietRun(short[] x, int from, int to, int threshold) {
        int best = 0;
        int run = 0;
        for (int i = from; i < to; i++) {
            if (Math.abs(x[i]) < threshold) {
                run++;
                best = Math.max(best, run);
            } else {
                run = 0;
            }
        }
        return best;
    }

    /** First index at or after {@code from} with |s| at least {@code threshold}, or -1. */
    public static int firstLoud(short[] x, int from, int to, int threshold) {
        for (int i = Math.max(0, from); i < to; i++) {
            if (Math.abs(x[i]) >= threshold) {
                return i;
            }
        }
        return -1;
    }

    /** Last index before {@code to} with |s| at least {@code threshold}, or -1. */
    public static int lastLoud(short[] x, int from, int to, int threshold) {
        for (int i = to - 1; i >= from; i--) {
            if (Math.abs(x[i]) >= threshold) {
                return i;
            }
        }
        return -1;
    }
}
