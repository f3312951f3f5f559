package io.pcmtrack.bench;

import io.pcmtrack.dsp.Resampler;
import io.pcmtrack.dsp.SignalAnalysis;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Locale;

/**
 * Prints the resampler's quality table: SINAD of a 1 kHz tone at -1 dBFS, the worst SINAD over tones
 * from 50 Hz to 0.45 of the lower rate (0.4 with {@code --telephony}, the band that preset promises), the largest image (upsampling, tone at 0.4 of the input rate) or
 * alias (downsampling, tone at 0.6 of the output rate; n/a when that is above the input Nyquist) relative to
 * the tone, the -1 dB passband edge as a
 * fraction of the lower Nyquist, the lookahead, and a single-thread speed estimate (use
 * {@code ResamplerBenchmark} for the JMH figure). Input is streamed in 10 ms chunks; all analysis is in
 * double on the float output.
 *
 * <pre>java -cp bench/target/benchmarks.jar io.pcmtrack.bench.ResamplerQualityReport [in:out ...]</pre>
 */
public final class ResamplerQualityReport {
    private static final double AMPLITUDE = Math.pow(10, -1 / 20.0);
    private static final int ANALYSIS = 1 << 15;
    private static final String[] TELEPHONY = {
        "8000:48000", "48000:8000", "16000:48000", "48000:16000", "8000:16000", "16000:8000", "24000:8000", "24000:16000",
    };
    private static final String[] DEFAULT = {
        "24000:48000", "48000:24000", "16000:48000", "48000:16000", "44100:48000", "8000:48000",
        "48000:44100", "22050:48000", "11025:16000", "8000:44100", "44101:48000", "7999:48000", "48000:7999",
    };

    /** The quality asked for: {@code --telephony} as the first argument asks for {@link Resampler.Quality#TELEPHONY}. */
    private static Resampler.Quality quality = Resampler.Quality.STANDARD;

    private ResamplerQualityReport() {
    }

    private static Resampler resampler(int in, int out) {
        return new Resampler(in, out, 1, quality);
    }

    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("--telephony")) {
            quality = Resampler.Quality.TELEPHONY;
            args = java.util.Arrays.copyOfRange(args, 1, args.length);
        }
        String[] pairs = args.length > 0 ? args : quality == Resampler.Quality.TELEPHONY ? TELEPHONY : DEFAULT;
        System.out.println("| conversion | path | SINAD 1k (dB) | worst SINAD (dB) @ Hz | alias/image (dB) | -1 dB edge | x real time (CPU time) | delay |");
        System.out.println("|---|---|---|---|---|---|---|---|");
        for (String pair : pairs) {
            String[] p = pair.split(":");
            int in = Integer.parseInt(p[0]);
            int out = Integer.parseInt(p[1]);
            System.out.println(row(in, out));
        }
    }

    static String row(int in, int out) {
        int low = Math.min(in, out);
        double sinad1k = fit(in, out, 1000).sinadDb();
        double worst = Double.MAX_VALUE;
        double worstHz = 0;
        int tones = 24;
        for (int i = 0; i <= tones; i++) {
            double f = 50 * Math.pow(top() * low / 50, (double) i / tones);
            double s = fit(in, out, f).sinadDb();
            if (s < worst) {
                worst = s;
                worstHz = f;
            }
        }
        double spur = out > in ? images(in, out) : 0.6 * out < 0.5 * in ? aliases(in, out) : Double.NaN;
        double edge = edge(in, out) / (low / 2.0);
        int delay = resampler(in, out).delayFrames();
        String spurText = Double.isNaN(spur) ? "n/a" : String.format(Locale.ROOT, "%.1f", spur);
        return String.format(Locale.ROOT, "| %d->%d | %s | %.1f | %.1f @ %.0f | %s | %.4f | %.0f | %d in (%.2f ms) |",
                in, out, path(in, out), sinad1k, worst, worstHz, spurText, edge, speed(in, out), delay, 1000.0 * delay / in);
    }

    /** Highest tone of the worst-SINAD sweep, in lower-rate cycles per sample. */
    private static double top() {
        return quality == Resampler.Quality.TELEPHONY ? 0.4 : 0.45;
    }

    private static String path(int in, int out) {
        if (resampler(in, out).toString().contains("two stages")) {
            int g = gcd(in, out);
            return "x" + (out / g) + "/" + (in / g) + " two stages";
        }
        if (resampler(in, out).quality() == Resampler.Quality.TELEPHONY) {
            int g = gcd(in, out);
            return "x" + (out / g) + "/" + (in / g) + " telephony";
        }
        int g = gcd(in, out);
        String kind = blocks(in, out) ? " blocks" : exactTable(in, out) ? " exact" : " interpolated";
        return "x" + (out / g) + "/" + (in / g) + kind;
    }

    /** Mirrors the resampler's choice of its float block path (up and down at most 8, at least 24 run offsets per input stream). */
    private static boolean blocks(int in, int out) {
        int g = gcd(in, out);
        long up = out / g;
        long down = in / g;
        long span = down > up ? (40 * down + up - 1) / up : 40;
        long maxOffset = ((up - 1) * down / up + 2 * span - 1) / down;
        return up <= 8 && down <= 8 && maxOffset + 1 >= 24;
    }

    /** Mirrors the resampler's choice (exact table up to 1 MiB) to label the row. */
    private static boolean exactTable(int in, int out) {
        int g = gcd(in, out);
        long up = out / g;
        long down = in / g;
        long span = down > up ? (40 * down + up - 1) / up : 40;
        long period = up % 4 == 0 || up >= 32 ? up : up * (4 / gcd((int) up, 4));
        long widest = (3 * down + up - 1) / up;
        return (period + 3) / 4 * 4 * (2 * span + widest) * 8 <= 1 << 20;
    }

    private static int gcd(int a, int b) {
        return b == 0 ? a : gcd(b, a % b);
    }

    /** Resamples a tone at {@code freq} and returns the steady-state output (the part whose input was all real). */
    static float[] convert(int in, int out, double freq, int[] skip) {
        Resampler r = resampler(in, out);
        int lead = (int) Math.ceil((double) 2 * r.delayFrames() * out / in) + 64;
        int outFrames = lead + ANALYSIS + lead;
        int inFrames = (int) Math.ceil((double) outFrames * in / out);
        float[] x = SignalAnalysis.sine(inFrames, freq, in, AMPLITUDE, 0.3);
        float[] y = new float[r.maxOutputFrames(inFrames) + r.maxFinishFrames() + in];
        int chunk = Math.max(1, in / 100);
        int n = 0;
        for (int f = 0; f < inFrames; f += chunk) {
            n += r.process(x, f, Math.min(chunk, inFrames - f), y, n);
        }
        r.finish(y, n);
        skip[0] = lead;
        return y;
    }

    static SignalAnalysis.ToneFit fit(int in, int out, double freq) {
        int[] skip = new int[1];
        float[] y = convert(in, out, freq, skip);
        return SignalAnalysis.fitTone(y, skip[0], ANALYSIS, freq, out);
    }

    static double images(int in, int out) {
        double f = 0.4 * in;
        int[] skip = new int[1];
        float[] y = convert(in, out, f, skip);
        return SignalAnalysis.maxSpurDb(y, skip[0], ANALYSIS, out, AMPLITUDE, f);
    }

    static double aliases(int in, int out) {
        double f = 0.6 * out;
        int[] skip = new int[1];
        float[] y = convert(in, out, f, skip);
        return SignalAnalysis.maxSpurDb(y, skip[0], ANALYSIS, out, AMPLITUDE);
    }

    /** Frequency where the gain is 1 dB below the gain at 1 kHz, by bisection between 0.8 and 1.0 of the lower Nyquist. */
    static double edge(int in, int out) {
        double nyquist = Math.min(in, out) / 2.0;
        double ref = fit(in, out, 1000).amplitude();
        double lo = 0.8 * nyquist;
        double hi = 0.999 * nyquist;
        for (int i = 0; i < 20; i++) {
            double mid = (lo + hi) / 2;
            double g = SignalAnalysis.db(fit(in, out, mid).amplitude(), ref);
            if (g > -1) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return (lo + hi) / 2;
    }

    /**
     * Seconds of mono audio converted per second of this thread's CPU time (10 ms chunks), best of ten 0.2 s
     * runs after warm-up: CPU time keeps other processes on the machine out of the figure.
     */
    static double speed(int in, int out) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        Resampler r = resampler(in, out);
        int chunk = in / 100;
        float[] x = SignalAnalysis.sine(in, 1000, in, AMPLITUDE, 0);
        float[] y = new float[r.maxOutputFrames(chunk)];
        long sink = 0;
        double best = 0;
        for (int run = 0; run < 15; run++) {
            long t0 = threads.getCurrentThreadCpuTime();
            int seconds = 0;
            long elapsed;
            do {
                for (int f = 0; f + chunk <= in; f += chunk) {
                    sink += r.process(x, f, chunk, y, 0);
                }
                seconds++;
                elapsed = threads.getCurrentThreadCpuTime() - t0;
            } while (elapsed < 200_000_000L);
            if (run >= 5) {
                best = Math.max(best, seconds / (elapsed / 1e9));
            }
        }
        return sink == 42 ? -best : best;
    }
}
