package io.pcmtrack.dsp;

/**
 * Test-signal generation and measurement for audio quality checks, in double precision: tones,
 * least-squares tone fits (SINAD, gain, phase) and spectra through a 7-term Blackman-Harris window
 * (sidelobes at -180 dB, main lobe +-7 bins), so that components near -150 dB are measurable next to a
 * full-scale tone. Shared with the bench module through core's test-jar.
 */
public final class SignalAnalysis {
    /** 7-term Blackman-Harris coefficients (Albrecht), highest sidelobe -180 dB. */
    private static final double[] BH7 = {
        0.27105140069342, 0.43329793923448, 0.21812299954311, 0.06592544638803,
        0.01081174209837, 0.00077658482522, 0.00001388721735,
    };
    /** Half-width of the window's main lobe in FFT bins. */
    public static final int MAIN_LOBE_BINS = 7;

    private SignalAnalysis() {
    }

    /** {@code amplitude * sin(2 pi freq n / rate + phase)} for n in 0..frames-1, rounded to float. */
    public static float[] sine(int frames, double freqHz, double rate, double amplitude, double phase) {
        float[] x = new float[frames];
        double w = 2 * Math.PI * freqHz / rate;
        for (int n = 0; n < frames; n++) {
            x[n] = (float) (amplitude * Math.sin(w * n + phase));
        }
        return x;
    }

    /** Interleaves equally long channels. */
    public static float[] interleave(float[]... channels) {
        int c = channels.length;
        int frames = channels[0].length;
        float[] x = new float[frames * c];
        for (int ch = 0; ch < c; ch++) {
            for (int n = 0; n < frames; n++) {
                x[n * c + ch] = channels[ch][n];
            }
        }
        return x;
    }

    /** Channel {@code ch} of an interleaved signal. */
    public static float[] channel(float[] interleaved, int channels, int ch) {
        float[] x = new float[interleaved.length / channels];
        for (int n = 0; n < x.length; n++) {
            x[n] = interleaved[n * channels + ch];
        }
        return x;
    }

    /** Amplitude in dB relative to {@code reference}. */
    public static double db(double amplitude, double reference) {
        return 20 * Math.log10(amplitude / reference);
    }

    /**
     * Least-squares fit of {@code a cos(w n) + b sin(w n) + dc} at the known frequency over
     * {@code x[from..from+count)}, with n the absolute index, so the phase refers to sample 0.
     */
    public static ToneFit fitTone(float[] x, int from, int count, double freqHz, double rate) {
        double w = 2 * Math.PI * freqHz / rate;
        double scc = 0, sss = 0, scs = 0, sc = 0, ss = 0, sx = 0, sxc = 0, sxs = 0;
        for (int i = 0; i < count; i++) {
            int n = from + i;
            double c = Math.cos(w * n);
            double s = Math.sin(w * n);
            double v = x[n];
            scc += c * c;
            sss += s * s;
            scs += c * s;
            sc += c;
            ss += s;
            sx += v;
            sxc += v * c;
            sxs += v * s;
        }
        double[][] m = {{scc, scs, sc}, {scs, sss, ss}, {sc, ss, count}};
        double[] p = solve3(m, new double[] {sxc, sxs, sx});
        double a = p[0];
        double b = p[1];
        double dc = p[2];
        double signal = 0;
        double residual = 0;
        for (int i = 0; i < count; i++) {
            int n = from + i;
            double model = a * Math.cos(w * n) + b * Math.sin(w * n);
            double e = x[n] - model - dc;
            signal += model * model;
            residual += e * e;
        }
        return new ToneFit(Math.hypot(a, b), Math.atan2(a, b), dc, Math.sqrt(residual / count),
                10 * Math.log10(signal / Math.max(residual, Double.MIN_VALUE)));
    }

    /**
     * A fitted tone {@code amplitude * sin(w n + phase) + dc}; {@code sinadDb} is the fitted tone's power over
     * everything else (noise, distortion, images, aliases).
     */
    public record ToneFit(double amplitude, double phase, double dc, double residualRms, double sinadDb) {
    }

    /**
     * Amplitude of the component at {@code freqHz} in {@code x[from..from+count)}: a Blackman-Harris windowed
     * DFT evaluated at exactly that frequency (no scalloping), normalised so a sinusoid of amplitude A reads A.
     */
    public static double amplitudeAt(float[] x, int from, int count, double freqHz, double rate) {
        double w = 2 * Math.PI * freqHz / rate;
        double re = 0;
        double im = 0;
        double gain = 0;
        for (int i = 0; i < count; i++) {
            double win = window(i, count);
            gain += win;
            re += win * x[from + i] * Math.cos(w * i);
            im -= win * x[from + i] * Math.sin(w * i);
        }
        return 2 * Math.hypot(re, im) / gain;
    }

    /**
     * Largest spectral component of {@code x[from..from+count)} (count a power of two), as a sinusoid
     * amplitude in dB relative to {@code reference}, ignoring DC and the main lobes around {@code excludeHz}.
     */
    public static double maxSpurDb(float[] x, int from, int count, double rate, double reference, double... excludeHz) {
        double[] mag = magnitudes(x, from, count);
        double binHz = rate / count;
        double worst = 0;
        for (int k = MAIN_LOBE_BINS + 1; k < mag.length; k++) {
            boolean excluded = false;
            for (double f : excludeHz) {
                if (Math.abs(k - f / binHz) <= MAIN_LOBE_BINS + 1) {
                    excluded = true;
                    break;
                }
            }
            if (!excluded) {
                worst = Math.max(worst, mag[k]);
            }
        }
        return db(Math.max(worst, 1e-300), reference);
    }

    /**
     * Blackman-Harris windowed magnitude spectrum, bins 0..count/2, each scaled so that a sinusoid of amplitude A
     * centred on a bin reads A.
     */
    public static double[] magnitudes(float[] x, int from, int count) {
        if (Integer.bitCount(count) != 1) {
            throw new IllegalArgumentException("count must be a power of two, got " + count);
        }
        double[] re = new double[count];
        double[] im = new double[count];
        double gain = 0;
        for (int i = 0; i < count; i++) {
            double win = window(i, count);
            gain += win;
            re[i] = win * x[from + i];
        }
        fft(re, im);
        double[] mag = new double[count / 2 + 1];
        for (int k = 0; k < mag.length; k++) {
            mag[k] = 2 * Math.hypot(re[k], im[k]) / gain;
        }
        return mag;
    }

    /** Periodic 7-term Blackman-Harris window value at {@code i} of {@code n}. */
    public static double window(int i, int n) {
        double t = 2 * Math.PI * i / n;
        double w = 0;
        for (int k = 0; k < BH7.length; k++) {
            w += ((k & 1) == 0 ? BH7[k] : -BH7[k]) * Math.cos(k * t);
        }
        return w;
    }

    /** In-place iterative radix-2 complex FFT. */
    public static void fft(double[] re, double[] im) {
        int n = re.length;
        for (int i = 1, j = 0; i < n; i++) {
            int bit = n >> 1;
            for (; (j & bit) != 0; bit >>= 1) {
                j ^= bit;
            }
            j ^= bit;
            if (i < j) {
                double t = re[i];
                re[i] = re[j];
                re[j] = t;
                t = im[i];
                im[i] = im[j];
                im[j] = t;
            }
        }
        for (int len = 2; len <= n; len <<= 1) {
            int half = len >> 1;
            double step = -2 * Math.PI / len;
            for (int k = 0; k < half; k++) {
                double wr = Math.cos(step * k);
                double wi = Math.sin(step * k);
                for (int i = k; i < n; i += len) {
                    int j = i + half;
                    double xr = re[j] * wr - im[j] * wi;
                    double xi = re[j] * wi + im[j] * wr;
                    re[j] = re[i] - xr;
                    im[j] = im[i] - xi;
                    re[i] += xr;
                    im[i] += xi;
                }
            }
        }
    }

    private static double[] solve3(double[][] m, double[] v) {
        for (int col = 0; col < 3; col++) {
            int pivot = col;
            for (int r = col + 1; r < 3; r++) {
                if (Math.abs(m[r][col]) > Math.abs(m[pivot][col])) {
                    pivot = r;
                }
            }
            double[] tr = m[col];
            m[col] = m[pivot];
            m[pivot] = tr;
            double tv = v[col];
            v[col] = v[pivot];
            v[pivot] = tv;
            for (int r = col + 1; r < 3; r++) {
                double f = m[r][col] / m[col][col];
                for (int c = col; c < 3; c++) {
                    m[r][c] -= f * m[col][c];
                }
                v[r] -= f * v[col];
            }
        }
        double[] p = new double[3];
        for (int r = 2; r >= 0; r--) {
            double s = v[r];
            for (int c = r + 1; c < 3; c++) {
                s -= m[r][c] * p[c];
            }
            p[r] = s / m[r][r];
        }
        return p;
    }
}
