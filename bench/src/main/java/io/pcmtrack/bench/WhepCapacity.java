package io.pcmtrack.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.pcmtrack.webrtc.RtcAudioStats;

/**
 * How many WHEP listeners of one track one server process carries: a {@link ServeForBench}
 * process serves a tone, and this process adds WHEP listeners (real libwebrtc peers, decoding
 * every stream) in steps. At each step it holds for a while and prints the server's CPU, the
 * scheduler's push lateness (p99, max) over the hold, and what the listeners report: samples
 * concealed and packets lost during the hold. It stops after the first step where the p99
 * exceeds 5 ms or any listener concealed audio. Clients and server share the machine's cores,
 * so on a small machine the clients' decoding is part of the load.
 *
 * <pre>
 * mvn -q -pl bench -am package -DskipTests
 * java -cp bench/target/benchmarks.jar io.pcmtrack.bench.WhepCapacity --step 10 --max 200 --hold-seconds 10
 * </pre>
 * {@code --keep-going} measures every step up to {@code --max} (CPU per listener on a loaded machine).
 */
public final class WhepCapacity {
    private static final Pattern P99 = Pattern.compile("p99us=(\\d+) maxus=(\\d+)");

    private WhepCapacity() {
    }

    public static void main(String[] args) throws Exception {
        int step = WhepChurn.intArg(args, "--step", 10);
        int max = WhepChurn.intArg(args, "--max", 200);
        int holdSeconds = WhepChurn.intArg(args, "--hold-seconds", 10);
        boolean keepGoing = java.util.Arrays.asList(args).contains("--keep-going");
        System.out.printf(Locale.ROOT, "%d cores; steps of %d listeners up to %d, %d s each%n",
                Runtime.getRuntime().availableProcessors(), step, max, holdSeconds);
        System.out.println("listeners  server CPU  lateness p99 / max (ms)  concealed samples  packets lost  server RSS (MB)");
        List<BenchServer.Listener> listeners = new ArrayList<>();
        try (BenchServer server = new BenchServer(max + 10, -1, WhepChurn.stringArg(args, "--aiortc"))) {
            for (int target = step; target <= max; target += step) {
                while (listeners.size() < target) {
                    listeners.add(server.listen("tone"));
                }
                Thread.sleep(2_000);
                server.stats();
                long cpu0 = server.cpuTicks();
                long[] before = totals(listeners);
                long t0 = System.nanoTime();
                Thread.sleep(holdSeconds * 1000L);
                String stats = server.stats();
                double seconds = (System.nanoTime() - t0) / 1e9;
                double cpu = (server.cpuTicks() - cpu0) / (seconds * 100) * 100;
                long[] after = totals(listeners);
                Matcher m = P99.matcher(stats);
                if (!m.find()) {
                    throw new IllegalStateException("no lateness in '" + stats + "'");
                }
                double p99 = Long.parseLong(m.group(1)) / 1000.0;
                double worst = Long.parseLong(m.group(2)) / 1000.0;
                long concealed = after[0] - before[0];
                long lost = after[1] - before[1];
                System.out.printf(Locale.ROOT, "%9d  %9.0f%%  %10.2f / %-10.1f  %17d  %12d  %15.1f%n", target, cpu, p99, worst,
                        concealed, lost, server.rssKb() / 1024.0);
                if (!keepGoing && (p99 > 5 || concealed > 0)) {
                    System.out.println("stopped: " + (p99 > 5 ? "p99 lateness over 5 ms" : "listeners concealed audio"));
                    break;
                }
            }
        } finally {
            for (BenchServer.Listener l : listeners) {
                try {
                    l.session.close();
                } catch (RuntimeException e) {
                    // the server is gone already
                }
            }
        }
    }

    /** Concealed samples and packets lost, summed over the listeners. */
    private static long[] totals(List<BenchServer.Listener> listeners) {
        long concealed = 0;
        long lost = 0;
        for (BenchServer.Listener l : listeners) {
            RtcAudioStats s = l.session.receiveStats(Duration.ofSeconds(5));
            concealed += s.concealedSamples();
            lost += s.packetsLost();
        }
        return new long[] {concealed, lost};
    }
}
