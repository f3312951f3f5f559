package io.pcmtrack.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.pcmtrack.LatencyHistogram;
import io.pcmtrack.SchedulerStats;

/**
 * How many WHIP publications one server process carries: the counterpart of
 * {@link WhepCapacity}. A {@link ServeForBench} process takes publications at {@code /whip/mic}
 * and its application reads every publication's audio from its {@code WebRtcAudioReceiver} and
 * judges it ({@link ToneCheck}); this process adds publishers in steps, real libwebrtc sending
 * peers that play a 1 kHz tone, all pushed by one frame scheduler ({@link TonePublishers}), as
 * browsers publishing microphones would. At each step it holds and prints the server's CPU and
 * RSS, the publishers' push lateness (p99, max) over the hold, and what the server's application
 * got: 10 ms chunks judged, chunks damaged (tone off by 3 dB or more than -10 dB of other energy:
 * concealment), receiver stalls (gaps) and chunks dropped. It stops after the first step where
 * the p99 exceeds 5 ms or any chunk was damaged, gapped or dropped; then deletes every
 * publication and prints what the server's RSS kept. Publishers and server share the machine's
 * cores, so on a small machine the publishers' encoding is part of the load.
 *
 * <pre>
 * mvn -q -pl bench -am package -DskipTests
 * java -cp bench/target/benchmarks.jar io.pcmtrack.bench.WhipCapacity --step 10 --max 200 --hold-seconds 10
 * </pre>
 * {@code --keep-going} measures every step up to {@code --max} (CPU per publication on a loaded machine).
 */
public final class WhipCapacity {
    private static final Pattern WHIP = Pattern.compile(
            "osThreads=(\\d+).*whip=(\\d+) chunks=(\\d+) damaged=(\\d+) gaps=(\\d+) dropped=(\\d+) maxGapMs=(\\d+)");

    private WhipCapacity() {
    }

    public static void main(String[] args) throws Exception {
        int step = WhepChurn.intArg(args, "--step", 10);
        int max = WhepChurn.intArg(args, "--max", 200);
        int holdSeconds = WhepChurn.intArg(args, "--hold-seconds", 10);
        boolean keepGoing = java.util.Arrays.asList(args).contains("--keep-going");
        System.out.printf(Locale.ROOT, "%d cores; steps of %d WHIP publishers up to %d, %d s each%n",
                Runtime.getRuntime().availableProcessors(), step, max, holdSeconds);
        System.out.println("publishers  server CPU  push lateness p99 / max (ms)  chunks judged  damaged  gaps  dropped"
                + "  server RSS (MB)  server threads");
        List<BenchServer.Listener> publishers = new ArrayList<>();
        try (BenchServer server = new BenchServer(max + 10, -1, WhepChurn.stringArg(args, "--aiortc"));
             TonePublishers tones = new TonePublishers()) {
            // One publication first: the server's first session creates its libwebrtc factory (tens of MB, kept).
            BenchServer.Listener warmUp = server.publish("mic", tones::attach);
            Thread.sleep(1_000);
            warmUp.close();
            tones.remove(warmUp.session);
            Thread.sleep(2_000);
            long rssBefore = server.rssKb();
            Matcher first = matched(server.stats());
            System.out.printf(Locale.ROOT, "after one publication, deleted: server RSS %.1f MB, %s OS threads%n",
                    rssBefore / 1024.0, first.group(1));
            for (int target = step; target <= max; target += step) {
                while (publishers.size() < target) {
                    publishers.add(server.publish("mic", tones::attach));
                }
                // Past ToneCheck's settling time of the newest publications.
                Thread.sleep(3_000);
                server.stats();
                LatencyHistogram before = tones.stats().lateness();
                long cpu0 = server.cpuTicks();
                long t0 = System.nanoTime();
                Thread.sleep(holdSeconds * 1000L);
                Matcher m = matched(server.stats());
                double seconds = (System.nanoTime() - t0) / 1e9;
                double cpu = (server.cpuTicks() - cpu0) / (seconds * 100) * 100;
                SchedulerStats push = tones.stats();
                LatencyHistogram interval = push.lateness().since(before);
                double p99 = interval.percentile(99).toNanos() / 1e6;
                double worst = interval.max().toNanos() / 1e6;
                long judged = Long.parseLong(m.group(3));
                long damaged = Long.parseLong(m.group(4));
                long gaps = Long.parseLong(m.group(5));
                long dropped = Long.parseLong(m.group(6));
                System.out.printf(Locale.ROOT, "%10d  %9.0f%%  %13.2f / %-13.1f  %13d  %7d  %4d  %7d  %15.1f  %14s%n",
                        target, cpu, p99, worst, judged, damaged, gaps, dropped, server.rssKb() / 1024.0, m.group(1));
                if (Integer.parseInt(m.group(2)) != target) {
                    throw new IllegalStateException("the server has " + m.group(2) + " publications, expected " + target);
                }
                if (!keepGoing && (p99 > 5 || damaged + gaps + dropped > 0)) {
                    System.out.println("stopped: " + (p99 > 5 ? "the publishers' push lateness p99 over 5 ms (this process fell behind, not the server)" : "the server's audio was damaged"));
                    break;
                }
            }
            int n = publishers.size();
            long withAll = server.rssKb();
            for (BenchServer.Listener p : publishers) {
                p.close();
                tones.remove(p.session);
            }
            publishers.clear();
            Thread.sleep(3_000);
            long after = server.rssKb();
            Matcher end = matched(server.stats());
            System.out.printf(Locale.ROOT, "%d publications open: RSS %.1f MB (%+.0f KB per publication over the start);"
                    + " all deleted: %.1f MB (%+.1f MB over the start, %+.0f KB per publication), %s OS threads%n",
                    n, withAll / 1024.0, (withAll - rssBefore) / (double) n, after / 1024.0, (after - rssBefore) / 1024.0,
                    (after - rssBefore) / (double) n, end.group(1));
            if (WhepChurn.stringArg(args, "--aiortc") == null) {
                server.trim();
                Thread.sleep(1_000);
                long trimmed = server.rssKb();
                System.out.printf(Locale.ROOT, "after malloc_trim(0): RSS %.1f MB (%+.1f MB over the start, %+.0f KB per publication)%n",
                        trimmed / 1024.0, (trimmed - rssBefore) / 1024.0, (trimmed - rssBefore) / (double) n);
            }
        } finally {
            for (BenchServer.Listener p : publishers) {
                try {
                    p.session.close();
                } catch (RuntimeException e) {
                    // the server is gone already
                }
            }
        }
    }

    private static Matcher matched(String stats) {
        Matcher m = WHIP.matcher(stats);
        if (!m.find()) {
            throw new IllegalStateException("no WHIP counters in '" + stats + "'");
        }
        return m;
    }
}
