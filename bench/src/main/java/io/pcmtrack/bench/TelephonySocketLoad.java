package io.pcmtrack.bench;

import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.pcmtrack.FrameScheduler;
import io.pcmtrack.LatencyHistogram;
import io.pcmtrack.MediaClock;
import io.pcmtrack.PcmData;
import io.pcmtrack.SchedulerStats;
import io.pcmtrack.telephony.CallOptions;
import io.pcmtrack.telephony.G711;
import io.pcmtrack.telephony.PhoneCall;
import io.pcmtrack.telephony.TwilioEndpoint;
import io.pcmtrack.telephony.javawebsocket.JavaWebSocketMediaServer;

/**
 * Twilio calls over real WebSockets on 127.0.0.1: the server is {@link JavaWebSocketMediaServer}
 * with one {@link FrameScheduler}; the providers are JDK {@link HttpClient} WebSocket clients in
 * the same process (they share one selector thread), each sending 20 ms of μ-law caller audio
 * every 20 ms and counting what it receives. The application writes 20 ms every 20 ms to each
 * call's track and drains each call's receiver. Calls connect over a 5 s ramp-up, then 3 s
 * settle, then the window.
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar io.pcmtrack.bench.TelephonySocketLoad [calls...] [--seconds S]
 * </pre>
 * "server CPU" is the CPU of the threads on the server's side (the scheduler and Java-WebSocket's
 * selector and workers); "process CPU" adds the simulated providers and the application.
 */
public final class TelephonySocketLoad {
    private TelephonySocketLoad() {
    }

    public static void main(String[] args) throws Exception {
        List<Integer> counts = new ArrayList<>();
        int seconds = 20;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--seconds")) {
                seconds = Integer.parseInt(args[++i]);
            } else {
                counts.add(Integer.parseInt(args[i]));
            }
        }
        if (counts.isEmpty()) {
            counts = List.of(1_000);
        }
        System.out.printf(Locale.ROOT, "%d cores, %s %s, %d s per run%n", Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.vm.name"), System.getProperty("java.version"), seconds);
        System.out.println("| calls | process CPU (cores) | server CPU (cores) | server CPU per call | frames sent / expected "
                + "| send lateness p50 | p99 | max | bytes received by providers / s |");
        System.out.println("|---|---|---|---|---|---|---|---|---|");
        run(200, 3, false);
        for (int n : counts) {
            run(n, seconds, true);
        }
    }

    static void run(int n, int seconds, boolean report) throws Exception {
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        PcmData chunk = PcmData.ofShorts(8000, 1, Signals.toneShorts(8000, 440, 0.3, 160));
        byte[] ulaw = new byte[160];
        G711.ulawEncode(chunk.toShorts(), 0, ulaw, 0, 160);
        String payload = Base64.getEncoder().encodeToString(ulaw);
        List<PhoneCall> calls = new CopyOnWriteList();
        AtomicLong received = new AtomicLong();
        ConcurrentHashMap<Integer, WebSocket> sockets = new ConcurrentHashMap<>();
        try (FrameScheduler scheduler = new FrameScheduler(MediaClock.system());
             JavaWebSocketMediaServer server = new JavaWebSocketMediaServer(new InetSocketAddress("127.0.0.1", 0))
                     .route("/twilio", new TwilioEndpoint(CallOptions.of(scheduler).lead(Duration.ofMillis(100))
                             .maxMessagesPerSecond(1000), calls::add))
                     .start()) {
            HttpClient http = HttpClient.newHttpClient();
            URI uri = URI.create("ws://127.0.0.1:" + server.port() + "/twilio");
            ScheduledExecutorService timers = Executors.newScheduledThreadPool(2, r -> {
                Thread t = new Thread(r, "bench-app");
                t.setDaemon(true);
                return t;
            });
            long[] sequence = new long[n];
            CompletableFuture<?>[] pending = new CompletableFuture<?>[n];
            timers.scheduleAtFixedRate(() -> {
                for (PhoneCall c : calls) {
                    if (c.isLive()) {
                        c.track().write(chunk);
                        try {
                            while (c.audio().read(Duration.ZERO) != null) {
                                // drained
                            }
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            return;
                        }
                    }
                }
            }, 0, 20, TimeUnit.MILLISECONDS);
            timers.scheduleAtFixedRate(() -> {
                for (var e : sockets.entrySet()) {
                    int i = e.getKey();
                    if (pending[i] == null || pending[i].isDone()) {
                        pending[i] = e.getValue().sendText("{\"event\":\"media\",\"sequenceNumber\":\"" + (++sequence[i])
                                + "\",\"media\":{\"track\":\"inbound\",\"payload\":\"" + payload + "\"},\"streamSid\":\"MZ" + i
                                + "\"}", true);
                    }
                }
            }, 0, 20, TimeUnit.MILLISECONDS);

            long start = System.nanoTime();
            for (int i = 0; i < n; i++) {
                long due = start + 5_000_000_000L * i / n;
                while (System.nanoTime() < due) {
                    Thread.sleep(1);
                }
                WebSocket ws = http.newWebSocketBuilder().buildAsync(uri, new WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                        received.addAndGet(data.length());
                        w.request(1);
                        return null;
                    }
                }).get(10, TimeUnit.SECONDS);
                ws.sendText("{\"event\":\"connected\",\"protocol\":\"Call\",\"version\":\"1.0.0\"}", true).get();
                ws.sendText("{\"event\":\"start\",\"sequenceNumber\":\"1\",\"start\":{\"streamSid\":\"MZ" + i + "\",\"callSid\":\"CA"
                        + i + "\",\"mediaFormat\":{\"encoding\":\"audio/x-mulaw\",\"sampleRate\":8000,\"channels\":1}},"
                        + "\"streamSid\":\"MZ" + i + "\"}", true).get();
                sequence[i] = 1;
                sockets.put(i, ws);
            }
            Thread.sleep(3_000);
            long[] serverThreads = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().startsWith("pcmtrack-scheduler-") || t.getName().startsWith("WebSocketWorker-")
                            || t.getName().startsWith("WebSocketSelector-"))
                    .mapToLong(Thread::getId).toArray();
            SchedulerStats before = scheduler.stats();
            long received0 = received.get();
            long cpu0 = os.getProcessCpuTime();
            long server0 = sum(mx.getThreadCpuTime(serverThreads));
            long wall0 = System.nanoTime();
            Thread.sleep(seconds * 1_000L);
            long wall = System.nanoTime() - wall0;
            long cpu = os.getProcessCpuTime() - cpu0;
            long serverCpu = sum(mx.getThreadCpuTime(serverThreads)) - server0;
            SchedulerStats after = scheduler.stats();
            long bytes = received.get() - received0;
            timers.shutdownNow();
            long delivered = after.framesDelivered() - before.framesDelivered();
            long expected = Math.round(n * wall / 20_000_000.0);
            LatencyHistogram window = after.lateness().since(before.lateness());
            if (report) {
                System.out.printf(Locale.ROOT, "| %,d | %.2f | %.2f | %.1f µs/s | %,d / %,d | %s | %s | %s | %,d |%n", n,
                        cpu / (double) wall, serverCpu / (double) wall, serverCpu / (double) wall * 1e6 / n, delivered,
                        expected, ms(window.percentile(50)), ms(window.percentile(99)), ms(window.max()),
                        Math.round(bytes * 1e9 / wall));
            }
            for (WebSocket ws : sockets.values()) {
                ws.abort();
            }
        }
    }

    private static long sum(long[] values) {
        long s = 0;
        for (long v : values) {
            s += Math.max(0, v);
        }
        return s;
    }

    private static String ms(Duration d) {
        return String.format(Locale.ROOT, "%.3f ms", d.toNanos() / 1e6);
    }

    /** The calls, added by the server's threads and walked by the application's. */
    private static final class CopyOnWriteList extends java.util.concurrent.CopyOnWriteArrayList<PhoneCall> {
    }
}
