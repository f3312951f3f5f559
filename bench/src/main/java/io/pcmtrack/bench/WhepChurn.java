package io.pcmtrack.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Does {@code DELETE} give back everything a WHEP session took, native memory included? A
 * {@link ServeForBench} process serves a tone; this process opens WHEP listeners against it and
 * deletes them, cycle after cycle, and prints the server's resident memory (VmRSS) as it goes:
 * with sessions open (memory per session) and after they are gone (memory left per cycle).
 *
 * <pre>
 * mvn -q -pl bench -am package -DskipTests
 * java -cp bench/target/benchmarks.jar io.pcmtrack.bench.WhepChurn --cycles 300 --batch 4
 * </pre>
 *
 * Options: {@code --cycles N} (300), {@code --batch N} sessions open together per cycle (4),
 * {@code --warmup N} cycles before the baseline (30), {@code --hold-ms N} each batch stays
 * connected (300), {@code --open N} sessions held at once to measure memory per live session (50),
 * {@code --linger-ms N} the server's factory linger (0: its libwebrtc factory is disposed whenever
 * no session is open, so every cycle starts a new one).
 */
public final class WhepChurn {
    private WhepChurn() {
    }

    public static void main(String[] args) throws Exception {
        int cycles = intArg(args, "--cycles", 300);
        int batch = intArg(args, "--batch", 4);
        int warmup = intArg(args, "--warmup", 30);
        int holdMs = intArg(args, "--hold-ms", 300);
        int open = intArg(args, "--open", 50);
        int lingerMs = intArg(args, "--linger-ms", -1);
        try (BenchServer server = new BenchServer(Math.max(open, batch) + 10, lingerMs)) {
            System.out.printf(Locale.ROOT, "server at %s, RSS at start %.1f MB%n", server.url, server.rssKb() / 1024.0);
            List<Long> setups = new ArrayList<>();
            for (int i = 0; i < warmup; i++) {
                cycle(server, batch, holdMs, setups);
            }
            Thread.sleep(3_000);
            long baseline = server.rssKb();
            System.out.printf(Locale.ROOT, "after %d warm-up cycles of %d sessions: RSS %.1f MB (baseline)%n",
                    warmup, batch, baseline / 1024.0);
            setups.clear();
            for (int i = 1; i <= cycles; i++) {
                cycle(server, batch, holdMs, setups);
                if (i % 50 == 0 || i == cycles) {
                    System.out.printf(Locale.ROOT, "cycle %4d (%5d sessions created and deleted): RSS %.1f MB, %s%n",
                            i, i * batch, server.rssKb() / 1024.0, server.stats());
                }
            }
            Thread.sleep(3_000);
            long after = server.rssKb();
            System.out.printf(Locale.ROOT, "after %d more cycles (%d sessions): RSS %.1f MB, %+.1f MB from the baseline,"
                    + " %+.1f KB per session%n", cycles, cycles * batch, after / 1024.0, (after - baseline) / 1024.0,
                    (after - baseline) / (double) (cycles * batch));
            long[] s = setups.stream().mapToLong(Long::longValue).sorted().toArray();
            System.out.printf(Locale.ROOT, "setup, client offer to CONNECTED (Java client, %d sessions): min %.1f ms,"
                    + " median %.1f ms, p95 %.1f ms, max %.1f ms%n", s.length, s[0] / 1e6, s[s.length / 2] / 1e6,
                    s[(int) (s.length * 0.95)] / 1e6, s[s.length - 1] / 1e6);

            long before = server.rssKb();
            List<BenchServer.Listener> live = new ArrayList<>();
            for (int i = 0; i < open; i++) {
                live.add(server.listen("tone"));
            }
            Thread.sleep(3_000);
            long withOpen = server.rssKb();
            for (BenchServer.Listener l : live) {
                l.close();
            }
            Thread.sleep(3_000);
            long closed = server.rssKb();
            System.out.printf(Locale.ROOT, "%d sessions open at once: RSS %.1f MB (%+.0f KB per session); all deleted:"
                    + " %.1f MB (%+.1f MB from before they opened)%n", open, withOpen / 1024.0,
                    (withOpen - before) / (double) open, closed / 1024.0, (closed - before) / 1024.0);
        }
    }

    private static void cycle(BenchServer server, int batch, int holdMs, List<Long> setups) throws Exception {
        BenchServer.Listener[] listeners = new BenchServer.Listener[batch];
        for (int i = 0; i < batch; i++) {
            listeners[i] = server.listen("tone");
            setups.add(listeners[i].setupNanos);
        }
        Thread.sleep(holdMs);
        for (BenchServer.Listener l : listeners) {
            l.close();
        }
        Arrays.fill(listeners, null);
    }

    static int intArg(String[] args, String name, int dflt) {
        for (int i = 0; i < args.length - 1; i++) {
            if (args[i].equals(name)) {
                return Integer.parseInt(args[i + 1]);
            }
        }
        return dflt;
    }
}
