package io.pcmtrack.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code pcmtrack soak}: hours of bursty traffic through many tracks; fails if memory grows. */
@Command(name = "soak", mixinStandardHelpOptions = true,
        description = {"Runs many tracks with TTS-like bursty writers, barge-in flushes and overflow for hours, "
                + "in virtual time by default (24 h take minutes), and samples heap after GC and RSS.",
                "Exits 1 if memory grows by more than --max-growth-kib after the first sample, or a frame is missing."})
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
            description = "Largest allowed growth of heap after GC after the first sample. Default: ${DEFAULT-VALUE}.")
    long maxGrowthKib;

    @Option(names = "--max-rss-growth-kib", defaultValue = "1024",
            description = "Largest allowed growth of RSS after the first sample (run with a fixed heap, "
                    + "-Xms equal to -Xmx, for RSS to mean something). Default: ${DEFAULT-VALUE}.")
    long maxRssGrowthKib;

    @Option(names = "--seed", defaultValue = "1", description = "Random seed. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Override
    public Integer call() throws Exception {
        if (hours <= 0 || tracks < 1 || sampleEvery <= 0 || sampleEvery > hours) {
            throw new UserException("soak needs --hours > 0, --tracks >= 1 and 0 < --sample-every <= --hours; got --hours "
                    + hours + " --tracks " + tracks + " --sample-every " + sampleEvery);
        }
        PrintWriter out = spec.commandLine().getOut();
        long t0 = System.nanoTime();
        Soak.Result r = new Soak(new Soak.Options(hours, tracks, realtime, sampleEvery, seed), out).run();
        out.printf(java.util.Locale.ROOT, "heap growth after the first sample: %s (limit %d KiB), RSS growth: %s (limit %d KiB); "
                        + "missing frames: %d; sink errors: %d; ran %.1f s%n",
                Memory.mib(r.heapGrowth()), maxGrowthKib, r.rssGrowth() == Long.MIN_VALUE ? "n/a" : Memory.mib(r.rssGrowth()),
                maxRssGrowthKib, r.ptsErrors(), r.sinkErrors(), (System.nanoTime() - t0) / 1e9);
        boolean ok = r.heapGrowth() < maxGrowthKib * 1024
                && (r.rssGrowth() == Long.MIN_VALUE || r.rssGrowth() < maxRssGrowthKib * 1024)
                && r.ptsErrors() == 0 && r.sinkErrors() == 0;
        out.println(ok ? "PASS" : "FAIL");
        return ok ? 0 : 1;
    }
}
