package io.pcmtrack.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

import io.pcmtrack.LatencyHistogram;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code pcmtrack soak}: hours of bursty traffic through many tracks; fails if memory grows. */
@Command(name = "soak", mixinStandardHelpOptions = true,
        description = {"Runs many tracks with TTS-like bursty writers, barge-in flushes and overflow for hours, "
                + "in virtual time by default (24 h take minutes), and samples heap after GC and RSS.",
                "Every sample flushes all tracks first, so that it measures what empty tracks hold. Growth is the lowest "
                        + "reading of the second half of the run minus the first reading after the warm-up (a leak raises "
                        + "every later reading, a transient only some). Exits 1 if heap or RSS grew by more than their "
                        + "limits, a frame is missing, or fewer than two samples fell after the warm-up (nothing measured)."})
final class SoakCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--hours", defaultValue = "24", description = "Audio time to run (decimals allowed). Default: ${DEFAULT-VALUE}.")
    double hours;

    @Option(names = "--tracks", defaultValue = "100", description = "Concurrent tracks. Default: ${DEFAULT-VALUE}.")
    int tracks;

    @Option(names = "--sample-every", defaultValue = "1", paramLabel = "HOURS",
            description = "Hours between memory samples. Default: ${DEFAULT-VALUE}.")
    double sampleEvery;

    @Option(names = "--realtime", description = "Use the system clock and a scheduler thread instead of virtual time.")
    boolean realtime;

    @Option(names = "--max-growth-kib", defaultValue = "1024",
            description = "Largest allowed growth of heap after GC after the warm-up. Default: ${DEFAULT-VALUE}.")
    long maxGrowthKib;

    @Option(names = "--max-rss-growth-kib", defaultValue = "1024",
            description = "Largest allowed growth of RSS after the warm-up (run with a fixed heap, "
                    + "-Xms equal to -Xmx, for RSS to mean something). Default: ${DEFAULT-VALUE}.")
    long maxRssGrowthKib;

    @Option(names = "--seed", defaultValue = "1", description = "Random seed. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--warmup-seconds", paramLabel = "S",
            description = "Wall-clock seconds during which samples are shown but not the baseline for growth "
                    + "(the JVM compiles and sizes its native memory then). Default: 60, or 180 with --realtime, "
                    + "where work comes at the pace of the clock and compilation takes longer.")
    Integer warmupSeconds;

    @Option(names = "--chart", paramLabel = "FILE.svg",
            description = "Also write an SVG chart of heap after GC and RSS per sample (and, in real time, frame lateness).")
    Path chart;

    @Override
    public Integer call() throws Exception {
        if (hours <= 0 || tracks < 1 || sampleEvery <= 0 || sampleEvery > hours) {
            throw new UserException("soak needs --hours > 0, --tracks >= 1 and 0 < --sample-every <= --hours; got --hours "
                    + hours + " --tracks " + tracks + " --sample-every " + sampleEvery);
        }
        if (warmupSeconds != null && warmupSeconds < 0) {
            throw new UserException("soak needs --warmup-seconds >= 0; got " + warmupSeconds);
        }
        PrintWriter out = spec.commandLine().getOut();
        long t0 = System.nanoTime();
        int warmup = warmupSeconds != null ? warmupSeconds : realtime ? 180 : 60;
        Soak.Result r = new Soak(new Soak.Options(hours, tracks, realtime, sampleEvery, seed, warmup), out).run();
        out.printf(Locale.ROOT, "growth after the warm-up: heap %s (limit %d KiB), RSS %s (limit %d KiB); "
                        + "missing frames: %d; sink errors: %d; ran %.1f s%n",
                r.memoryMeasured() ? Memory.signedMib(r.heapGrowth()) : "n/a",
                maxGrowthKib, r.rssGrowth() == Long.MIN_VALUE ? "n/a" : Memory.signedMib(r.rssGrowth()),
                maxRssGrowthKib, r.ptsErrors(), r.sinkErrors(), (System.nanoTime() - t0) / 1e9);
        if (!r.memoryMeasured()) {
            out.printf(Locale.ROOT, "memory not measured: %d of %d samples fell after the warm-up of %d s of wall-clock time, "
                            + "and growth needs 2; run longer (--hours), sample more often (--sample-every) or shorten "
                            + "--warmup-seconds%n", r.measured(), r.samples().size(),
                    warmup);
        }
        if (realtime) {
            LatencyHistogram l = r.lateness();
            out.printf(Locale.ROOT, "lateness over the run, %,d frames: p50 %s, p99 %s, p99.9 %s, max %s%n",
                    l.count(), Memory.ms(l.percentile(50)), Memory.ms(l.percentile(99)), Memory.ms(l.percentile(99.9)),
                    Memory.ms(l.max()));
        }
        if (chart != null) {
            writeCharts(r, out);
        }
        boolean ok = r.memoryMeasured() && r.heapGrowth() < maxGrowthKib * 1024
                && (r.rssGrowth() == Long.MIN_VALUE || r.rssGrowth() < maxRssGrowthKib * 1024)
                && r.ptsErrors() == 0 && r.sinkErrors() == 0;
        out.println(ok ? "PASS" : "FAIL");
        return ok ? 0 : 1;
    }

    /** Writes the memory chart to {@code chart} and, in real time, the lateness histogram next to it. */
    private void writeCharts(Soak.Result r, PrintWriter out) throws IOException {
        int n = r.samples().size();
        double[] hours = new double[n];
        double[] heap = new double[n];
        double[] rss = new double[n];
        for (int i = 0; i < n; i++) {
            Soak.Sample s = r.samples().get(i);
            hours[i] = s.hours();
            heap[i] = s.heapAfterGc() / 1048576.0;
            rss[i] = s.rss() / 1048576.0;
        }
        String title = String.format(Locale.ROOT, "%s soak, %d tracks", realtime ? "Real-time" : "Virtual-time", tracks);
        Files.writeString(chart, Svg.lineChart(title + ": memory", "hours of audio", "MiB",
                List.of(new Svg.Series("heap after GC", hours, heap), new Svg.Series("RSS", hours, rss)),
                800, 300, 0, 0));
        out.println("wrote " + chart);
        if (realtime) {
            Path latenessChart = chart.resolveSibling(chart.getFileName().toString().replaceFirst("(\\.svg)?$", "-lateness.svg"));
            Files.writeString(latenessChart, Svg.latenessChart(r.lateness(), title + ": frame lateness"));
            out.println("wrote " + latenessChart);
        }
    }
}
