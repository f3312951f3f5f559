package io.pcmtrack.bench;

import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.VerboseMode;

import java.util.Collection;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Runs {@link ResamplerVersusBenchmark} (pcmtrack, libsoxr HQ, speexdsp q10; same signal, 10 ms chunks,
 * mono, one thread) and prints, per conversion, each converter's throughput in x real time and
 * pcmtrack's as a ratio to libsoxr's and speexdsp's. Optional arguments: forks (default 2), then
 * conversions as {@code in:out} (default: the six of the speed goal).
 *
 * <pre>java -cp bench/target/benchmarks.jar io.pcmtrack.bench.ResamplerVersus [forks [in:out ...]]</pre>
 */
public final class ResamplerVersus {
    private ResamplerVersus() {
    }

    public static void main(String[] args) throws RunnerException {
        int forks = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        String[] conversions = args.length > 1 ? java.util.Arrays.copyOfRange(args, 1, args.length)
                : ResamplerVersusBenchmark.CONVERSIONS;
        Options options = new OptionsBuilder()
                .include(ResamplerVersusBenchmark.class.getName() + ".chunk")
                .param("rates", conversions)
                .param("converter", ResamplerVersusBenchmark.CONVERTERS)
                .forks(forks)
                .verbosity(VerboseMode.SILENT)
                .build();
        Collection<RunResult> results = new Runner(options).run();
        Map<String, double[]> score = new HashMap<>();
        for (RunResult result : results) {
            String rates = result.getParams().getParam("rates");
            String converter = result.getParams().getParam("converter");
            var stats = result.getPrimaryResult().getStatistics();
            // one operation is 10 ms of audio
            score.put(rates + " " + converter, new double[] {stats.getMean() / 100, stats.getMin() / 100, stats.getMax() / 100});
        }
        System.out.println("| conversion | pcmtrack (x real time) | libsoxr HQ | speexdsp q10 | pcmtrack / libsoxr | pcmtrack / speexdsp |");
        System.out.println("|---|---|---|---|---|---|");
        for (String rates : conversions) {
            double[] p = score.get(rates + " pcmtrack");
            double[] s = score.get(rates + " soxr");
            double[] x = score.get(rates + " speex");
            System.out.println(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %.2f |",
                    rates.replace(":", " -> "), cell(p), cell(s), cell(x), ratio(p, s), p[0] / x[0]));
        }
    }

    private static String cell(double[] v) {
        return String.format(Locale.ROOT, "%.0f (%.0f-%.0f)", v[0], v[1], v[2]);
    }

    /** Ratio of means, with the range from the iterations' extremes (worst pcmtrack over best reference, and back). */
    private static String ratio(double[] p, double[] s) {
        return String.format(Locale.ROOT, "**%.2f** (%.2f-%.2f)", p[0] / s[0], p[1] / s[2], p[2] / s[1]);
    }
}
