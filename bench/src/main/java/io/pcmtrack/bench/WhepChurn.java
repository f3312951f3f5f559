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
 * no session is open, so every cycle starts a new one), {@code --whip}: WHIP publications (a
 * libwebrtc sending peer here publishing a tone, a receiving session and its receiver on the
 * server, whose audio the server's application reads) instead of WHEP listeners,
 * {@code --aiortc PATH} aiortc's server ({@code bench/aiortc/serve.py}) instead of pcmtrack's.
 * With pcmtrack's server it also prints the RSS after glibc's {@code malloc_trim(0)}, which gives
 * back what the allocator holds free: memory that stays after it is in use.
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
        boolean whip = Arrays.asList(args).contains("--whip");
        String aiortc = stringArg(args, "--aiortc");
        try (BenchServer server = new BenchServer(Math.max(open, batch) + 10, lingerMs, aiortc);
             TonePublishers tones = new TonePublishers()) {
            Opener opener = whip ? () -> publication(server, tones) : () -> server.listen("tone");
            System.out.println(whip ? "churning WHIP publications" : "churning WHEP listeners");
            if (aiortc == null) {
                // The first malloc_trim loads JNA in the server (some MB): before anything is measured.
                server.trim();
            }
            System.out.printf(Locale.ROOT, "server at %s, RSS at start %.1f MB%n", server.url, server.rssKb() / 1024.0);
            List<Long> setups = new ArrayList<>();
            for (int i = 0; i < warmup; i++) {
                cycle(opener, batch, holdMs, setups);
            }
            Thread.sleep(3_000);
            long baseline = server.rssKb();
            long baselineTrimmed = baseline;
            if (aiortc == null) {
                server.trim();
                Thread.sleep(1_000);
                baselineTrimmed = server.rssKb();
                System.out.printf(Locale.ROOT, "baseline after malloc_trim(0): RSS %.1f MB%n", baselineTrimmed / 1024.0);
            }
            System.out.printf(Locale.ROOT, "after %d warm-up cycles of %d sessions: RSS %.1f MB (baseline)%n",
                    warmup, batch, baseline / 1024.0);
            setups.clear();
            for (int i = 1; i <= cycles; i++) {
                cycle(opener, batch, holdMs, setups);
                if (i % 50 == 0 || i == cycles) {
                    System.out.printf(Locale.ROOT, "cycle %4d (%5d sessions created and deleted): RSS %.1f MB, %s%n",
                            i, i * batch, server.rssKb() / 1024.0, server.statsAfterGc());
                }
            }
            Thread.sleep(3_000);
            long after = server.rssKb();
            System.out.printf(Locale.ROOT, "after %d more cycles (%d sessions): RSS %.1f MB, %+.1f MB from the baseline,"
                    + " %+.1f KB per session%n", cycles, cycles * batch, after / 1024.0, (after - baseline) / 1024.0,
                    (after - baseline) / (double) (cycles * batch));
            if (aiortc == null) {
                server.trim();
                Thread.sleep(1_000);
                long trimmed = server.rssKb();
                System.out.printf(Locale.ROOT, "after malloc_trim(0): RSS %.1f MB, %+.1f MB from the trimmed baseline, %+.1f KB per session"
                        + " (what the allocator kept free is gone; the rest is in use)%n", trimmed / 1024.0,
                        (trimmed - baselineTrimmed) / 1024.0, (trimmed - baselineTrimmed) / (double) (cycles * batch));
            }
            long[] s = setups.stream().mapToLong(Long::longValue).sorted().toArray();
            System.out.printf(Locale.ROOT, "setup, client offer to CONNECTED (Java client, %d sessions): min %.1f ms,"
                    + " median %.1f ms, p95 %.1f ms, max %.1f ms%n", s.length, s[0] / 1e6, s[s.length / 2] / 1e6,
                    s[(int) (s.length * 0.95)] / 1e6, s[s.length - 1] / 1e6);

            long before = server.rssKb();
            List<BenchServer.Listener> live = new ArrayList<>();
            for (int i = 0; i < open; i++) {
                live.add(opener.open());
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
            if (aiortc == null) {
                server.trim();
                Thread.sleep(1_000);
                long trimmed = server.rssKb();
                System.out.printf(Locale.ROOT, "after malloc_trim(0): %.1f MB (%+.1f MB from before they opened)%n",
                        trimmed / 1024.0, (trimmed - before) / 1024.0);
            }
        }
    }

    /** Opens one connected session against the server. */
    private interface Opener {
        BenchServer.Listener open() throws Exception;
    }

    /** A WHIP publication of a tone whose {@link BenchServer.Listener#close()} also stops its track. */
    private static BenchServer.Listener publication(BenchServer server, TonePublishers tones) throws Exception {
        BenchServer.Listener l = server.publish("mic", tones::attach);
        return new BenchServer.Listener(l.session, l.resource, l.setupNanos, l.answeredNanos) {
            @Override
            public void close() throws java.io.IOException {
                try {
                    super.close();
                } finally {
                    tones.remove(session);
                }
            }
        };
    }

    private static void cycle(Opener opener, int batch, int holdMs, List<Long> setups) throws Exception {
        BenchServer.Listener[] listeners = new BenchServer.Listener[batch];
        for (int i = 0; i < batch; i++) {
            listeners[i] = opener.open();
            setups.add(listeners[i].setupNanos);
        }
        Thread.sleep(holdMs);
        for (BenchServer.Listener l : listeners) {
            l.close();
        }
        Arrays.fill(listeners, null);
    }

    /** The value after {@code name}, or null. */
    static String stringArg(String[] args, String name) {
        for (int i = 0; i < args.length - 1; i++) {
            if (args[i].equals(name)) {
                return args[i + 1];
            }
        }
        return null;
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
