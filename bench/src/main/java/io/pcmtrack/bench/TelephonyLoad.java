package io.pcmtrack.bench;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import io.pcmtrack.FrameScheduler;
import io.pcmtrack.LatencyHistogram;
import io.pcmtrack.MediaClock;
import io.pcmtrack.PcmData;
import io.pcmtrack.SchedulerStats;
import io.pcmtrack.telephony.CallOptions;
import io.pcmtrack.telephony.G711;
import io.pcmtrack.telephony.MessageHandler;
import io.pcmtrack.telephony.MessageSocket;
import io.pcmtrack.telephony.PhoneCall;
import io.pcmtrack.telephony.TwilioEndpoint;

/**
 * Real-clock load test of Twilio calls paced by one {@link FrameScheduler}: N calls, each with
 * the whole protocol work of both directions but no network. Out: the application writes 20 ms
 * of 8 kHz audio every 20 ms; the scheduler thread sends every frame as a μ-law media message
 * (encode, base64, JSON text) to a socket that counts its bytes. In: a provider thread sends each
 * call one 20 ms μ-law media message every 20 ms (JSON parsed, base64 decoded, G.711 decoded,
 * queued), and an application thread drains every call's receiver. The application's and the
 * provider's work is spread over the 20 ms period in 1 ms slots ({@code --slots 20}, the default),
 * as for independent calls whose audio arrives at its own phase; {@code --slots 1} puts every call's
 * work in the same instant, the worst case. Calls start at random instants over a 5 s ramp-up,
 * after a JIT warm-up run on 500 calls; then 3 s settle and the window begins.
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar io.pcmtrack.bench.TelephonyLoad [calls...] [--seconds S] [--no-inbound]
 *      [--slots 1..20] [--scheduler-threads T]
 * </pre>
 * Prints, per N: process CPU and scheduler-thread CPU (cores), CPU per call, frames sent vs
 * expected, send lateness p50/p99/max, inbound messages handled, bytes allocated by the scheduler
 * thread per frame (the message string the socket keeps).
 */
public final class TelephonyLoad {
    private static final long RAMP_NANOS = 5_000_000_000L;

    /** Threads of the one FrameScheduler that paces every call ({@code --scheduler-threads}). */
    private static int schedulerThreads = 1;
    /**
     * Slots of 1 ms over which the application's and the provider's work for the calls is spread
     * ({@code --slots}): call i is served in slot i mod slots of every 20 ms period, as independent
     * calls whose audio arrives at their own phase would be. 1: every call in the same instant.
     */
    private static int slots = 20;

    private TelephonyLoad() {
    }

    public static void main(String[] args) throws Exception {
        List<Integer> counts = new ArrayList<>();
        int seconds = 20;
        boolean inbound = true;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--seconds" -> seconds = Integer.parseInt(args[++i]);
                case "--scheduler-threads" -> schedulerThreads = Integer.parseInt(args[++i]);
                case "--no-inbound" -> inbound = false;
                case "--slots" -> slots = Integer.parseInt(args[++i]);
                default -> counts.add(Integer.parseInt(args[i]));
            }
        }
        if (counts.isEmpty()) {
            counts = List.of(1_000, 5_000);
        }
        if (slots < 1 || slots > 20) {
            throw new IllegalArgumentException("--slots must be 1..20 (1 ms slots of a 20 ms period), got " + slots);
        }
        System.out.printf(Locale.ROOT, "%d cores, %s %s, %d s per run, inbound %s, %d scheduler thread(s), "
                        + "application and provider work spread over %d ms of each 20 ms%n",
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.name"),
                System.getProperty("java.version"), seconds, inbound ? "on" : "off", schedulerThreads, slots);
        System.out.println("| calls | process CPU (cores) | scheduler CPU (cores) | CPU per call | frames sent / expected "
                + "| send lateness p50 | p99 | max | inbound messages | B / frame (scheduler) |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|");
        run(500, 3, inbound, false);
        for (int n : counts) {
            run(n, seconds, inbound, true);
        }
    }

    static void run(int n, int seconds, boolean inbound, boolean report) throws Exception {
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        MediaClock clock = MediaClock.system();
        AtomicLong bytesOut = new AtomicLong();
        PhoneCall[] calls = new PhoneCall[n];
        MessageHandler[] handlers = new MessageHandler[n];
        PcmData chunk = PcmData.ofShorts(8000, 1, Signals.toneShorts(8000, 440, 0.3, 160));
        byte[] ulaw = new byte[160];
        G711.ulawEncode(chunk.toShorts(), 0, ulaw, 0, 160);
        String payload = Base64.getEncoder().encodeToString(ulaw);

        try (FrameScheduler scheduler = new FrameScheduler(clock, schedulerThreads)) {
            TwilioEndpoint twilio = new TwilioEndpoint(CallOptions.of(scheduler).lead(Duration.ofMillis(100)), call -> {
                int i = Integer.parseInt(call.info().callId().substring(2));
                calls[i] = call;
            });
            int[] live = new int[1];
            long[] sequence = new long[n];
            ScheduledExecutorService app = Executors.newScheduledThreadPool(2, r -> {
                Thread t = new Thread(r, "application");
                t.setDaemon(true);
                return t;
            });
            // The application: 20 ms of speech per call every 20 ms, and it reads what the caller said.
            // The provider: one caller media message per call every 20 ms. Each serves the calls of
            // one slot per millisecond, so every call is served once per 20 ms.
            int[] slot = new int[2];
            app.scheduleAtFixedRate(() -> {
                int k = live[0];
                int s0 = slot[0]++ % 20;
                for (int i = s0; i < k && s0 < slots; i += slots) {
                    calls[i].track().write(chunk);
                    try {
                        while (calls[i].audio().read(Duration.ZERO) != null) {
                            // drained
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            }, 0, 1, TimeUnit.MILLISECONDS);
            if (inbound) {
                app.scheduleAtFixedRate(() -> {
                    int k = live[0];
                    int s0 = slot[1]++ % 20;
                    for (int i = s0; i < k && s0 < slots; i += slots) {
                        handlers[i].onText("{\"event\":\"media\",\"sequenceNumber\":\"" + (++sequence[i])
                                + "\",\"media\":{\"track\":\"inbound\",\"payload\":\"" + payload + "\"},\"streamSid\":\"MZ" + i + "\"}");
                    }
                }, 0, 1, TimeUnit.MILLISECONDS);
            }

            Random random = new Random(1);
            long start = System.nanoTime();
            long[] offsets = new long[n];
            for (int i = 0; i < n; i++) {
                offsets[i] = (long) (random.nextDouble() * RAMP_NANOS);
            }
            java.util.Arrays.sort(offsets);
            for (int i = 0; i < n; i++) {
                long wait = start + offsets[i] - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
                handlers[i] = twilio.open(new CountingSocket(bytesOut));
                handlers[i].onText("{\"event\":\"connected\",\"protocol\":\"Call\",\"version\":\"1.0.0\"}");
                handlers[i].onText("{\"event\":\"start\",\"sequenceNumber\":\"1\",\"start\":{\"streamSid\":\"MZ" + i
                        + "\",\"callSid\":\"CA" + i + "\",\"mediaFormat\":{\"encoding\":\"audio/x-mulaw\",\"sampleRate\":8000,"
                        + "\"channels\":1}},\"streamSid\":\"MZ" + i + "\"}");
                sequence[i] = 1;
                live[0] = i + 1;
            }
            Thread.sleep(3_000);
            long[] schedulerIds = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().startsWith("pcmtrack-scheduler-")).mapToLong(Thread::getId).toArray();
            SchedulerStats before = scheduler.stats();
            long inbound0 = inboundMessages(calls);
            long cpu0 = os.getProcessCpuTime();
            long sched0 = sum(mx.getThreadCpuTime(schedulerIds));
            long alloc0 = sum(mx.getThreadAllocatedBytes(schedulerIds));
            long wall0 = System.nanoTime();
            Thread.sleep(seconds * 1_000L);
            long wall = System.nanoTime() - wall0;
            long cpu = os.getProcessCpuTime() - cpu0;
            long sched = sum(mx.getThreadCpuTime(schedulerIds)) - sched0;
            long alloc = sum(mx.getThreadAllocatedBytes(schedulerIds)) - alloc0;
            SchedulerStats after = scheduler.stats();
            long inboundHandled = inboundMessages(calls) - inbound0;
            app.shutdownNow();
            app.awaitTermination(5, TimeUnit.SECONDS);

            long delivered = after.framesDelivered() - before.framesDelivered();
            long expected = Math.round(n * wall / 20_000_000.0);
            LatencyHistogram window = after.lateness().since(before.lateness());
            if (report) {
                System.out.printf(Locale.ROOT, "| %,d | %.2f | %.2f | %.1f µs/s | %,d / %,d | %s | %s | %s | %,d | %.0f |%n",
                        n, cpu / (double) wall, sched / (double) wall, cpu / (double) wall * 1e6 / n, delivered, expected,
                        ms(window.percentile(50)), ms(window.percentile(99)), ms(window.max()), inboundHandled,
                        alloc / (double) Math.max(1, delivered));
            }
            for (PhoneCall c : calls) {
                if (c != null) {
                    c.hangup();
                }
            }
        }
    }

    private static long inboundMessages(PhoneCall[] calls) {
        long sum = 0;
        for (PhoneCall c : calls) {
            if (c != null) {
                sum += c.stats().mediaReceived();
            }
        }
        return sum;
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

    /** The provider's end of the socket: counts what the call sends. */
    private record CountingSocket(AtomicLong bytes) implements MessageSocket {
        @Override
        public void sendText(String text) {
            bytes.addAndGet(text.length());
        }

        @Override
        public void sendBinary(byte[] data) {
            bytes.addAndGet(data.length);
        }

        @Override
        public void close(int code, String reason) {
        }

        @Override
        public String peer() {
            return "load";
        }
    }
}
