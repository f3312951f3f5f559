package io.pcmtrack.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;

import io.pcmtrack.AudioStreamTrack;
import io.pcmtrack.LatencyHistogram;
import io.pcmtrack.PcmData;
import io.pcmtrack.SchedulerStats;
import io.pcmtrack.server.PcmTrackServer;
import io.pcmtrack.webrtc.WebRtcFactories;

/**
 * The server side of {@link WhepChurn} and {@link WhepCapacity}, in a process of its own so that
 * its memory and CPU are measured apart from the clients': a {@link PcmTrackServer} on
 * 127.0.0.1 with one track, {@code tone} (1 kHz, -6 dBFS peak), fed ahead of its pacing, and WHIP
 * publications at {@code /whip/NAME}, whose audio a {@link ToneCheck} reads and judges.
 * Arguments: most sessions (1000), and the factories' linger in ms (default: the library's).
 * Prints {@code PORT n}; then answers each {@code stats} line (or {@code stats gc}: after a full
 * collection) on stdin with
 * {@code STATS heapKb=.. threads=.. osThreads=.. sessions=.. listeners=.. frames=.. p50us=.. p99us=.. maxus=.. whip=.. chunks=..
 * damaged=.. gaps=.. dropped=.. maxGapMs=..} (scheduler lateness and the WHIP counters since the
 * previous {@code stats}); a {@code trim} line calls glibc's {@code malloc_trim(0)} and answers
 * {@code TRIMMED 1|0}; ends when stdin closes.
 */
public final class ServeForBench {
    private ServeForBench() {
    }

    public static void main(String[] args) throws Exception {
        int maxSessions = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        if (args.length > 1 && !args[1].isEmpty()) {
            WebRtcFactories.linger(Duration.ofMillis(Long.parseLong(args[1])));
        }
        AudioStreamTrack tone = AudioStreamTrack.create();
        Thread feeder = new Thread(() -> {
            float[] chunk = new float[960];
            long n = 0;
            try {
                while (true) {
                    if (tone.buffered().toMillis() < 100) {
                        for (int i = 0; i < chunk.length; i++, n++) {
                            chunk[i] = (float) (0.5 * Math.sin(2 * Math.PI * 1000 * n / 48_000.0));
                        }
                        tone.write(PcmData.ofFloats(48_000, 1, chunk));
                    } else {
                        Thread.sleep(5);
                    }
                }
            } catch (InterruptedException | IllegalStateException e) {
                // stopping
            }
        }, "tone-feeder");
        feeder.setDaemon(true);
        feeder.start();
        ToneCheck whip = new ToneCheck();
        try (PcmTrackServer server = PcmTrackServer.builder().port(0).maxSessions(maxSessions)
                .idleTimeout(Duration.ofSeconds(60)).track("tone", tone).whip(whip::onPublish).build().start()) {
            System.out.println("PORT " + server.port());
            System.out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            long framesBefore = 0;
            LatencyHistogram before = new LatencyHistogram();
            for (String line; (line = in.readLine()) != null; ) {
                if (line.equals("trim")) {
                    // glibc's malloc_trim: gives the free memory of every arena back to the system.
                    // What RSS keeps after it is in use (a leak), what it loses was the allocator's.
                    int released = com.sun.jna.NativeLibrary.getInstance("c").getFunction("malloc_trim").invokeInt(new Object[] {0});
                    System.out.println("TRIMMED " + released);
                    System.out.flush();
                }
                if (line.equals("stats") || line.equals("stats gc")) {
                    SchedulerStats s = server.schedulerStats();
                    LatencyHistogram interval = s.lateness().since(before);
                    if (line.equals("stats gc")) {
                        // Only when asked: a full collection stalls every receiver's callback once.
                        System.gc();
                    }
                    long heapKb = (Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory()) / 1024;
                    System.out.printf(Locale.ROOT, "STATS heapKb=%d threads=%d osThreads=%d sessions=%d listeners=%d frames=%d p50us=%d p99us=%d maxus=%d %s%n",
                            heapKb, Thread.activeCount(), osThreads(), server.sessions(), server.listeners("tone"), s.framesDelivered() - framesBefore,
                            interval.percentile(50).toNanos() / 1000, interval.percentile(99).toNanos() / 1000,
                            interval.max().toNanos() / 1000, whip.since());
                    System.out.flush();
                    framesBefore = s.framesDelivered();
                    before = s.lateness();
                }
            }
        }
        tone.close();
        System.exit(0);
    }

    /** Threads of this process as the kernel counts them, native ones included. */
    private static long osThreads() throws java.io.IOException {
        for (String l : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
            if (l.startsWith("Threads:")) {
                return Long.parseLong(l.substring(8).trim());
            }
        }
        return -1;
    }
}
