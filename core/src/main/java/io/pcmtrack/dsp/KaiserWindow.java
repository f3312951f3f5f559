package io.pcmtrack.dsp;

/**
 * The Kaiser window and the windowed-sinc kernel built from it. Pure functions of their
 * arguments; used only while filter tables are built, never on the audio path.
 */
final class KaiserWindow {
    private KaiserWindow() {
    }

    /** Modified Bessel function of the first kind, order 0, by its power series (converges for the betas used here). */
    static double besselI0(double x) {
        double term = 1.0;
        double sum = 1.0;
        double q = x * x / 4.0;
        for (int k = 1; k < 500; k++) {
            term *= q / ((double) k * k);
            sum += term;
            if (term < sum * 1e-17) {
                break;
            }
        }
        return sum;
    }

    /** Kaiser window of shape {@code beta} at {@code x} in [-1, 1], normalised to 1 at the centre; 0 outside. */
    static double window(double x, double beta) {
        double a = 1.0 - x * x;
        if (a <= 0.0) {
            return 0.0;
        }
        return besselI0(beta * Math.sqrt(a)) / besselI0(beta);
    }

    /**
     * Kaiser-windowed sinc at {@code u} (in samples): {@code 2fc sinc(2fc u) w(u / halfLength)}, zero for
     * {@code |u| >= halfLength}.
     *
     * @param cutoff -6 dB frequency in cycles per sample (0.5 is Nyquist)
     */
    static double sinc(double u, double cutoff, double halfLength, double beta) {
        double w = window(u / halfLength, beta);
        if (w == 0.0) {
            return 0.0;
        }
        double x = 2.0 * cutoff * u;
        double s = x == 0.0 ? 1.0 : Math.sin(Math.PI * x) / (Math.PI * x);
        return 2.0 * cutoff * s * w;
    }
}
