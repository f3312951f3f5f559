package io.pcmtrack.bench;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import io.pcmtrack.AudioStreamTrack;
import io.pcmtrack.FrameScheduler;
import io.pcmtrack.LatencyHistogram;
import io.pcmtrack.MediaClock;
import io.pcmtrack.PcmData;
import io.pcmtrack.SchedulerStats;

/**
 * Real-clock load test of {@link FrameScheduler}: N 48 kHz mono tracks, each fed 20 ms every
 * 20 ms by a producer thread, delivered to a sink that touches the frame. Calls start at
 * independent times: tracks are attached at random instants over a 5 s ramp-up, after a JIT
 * warm-up run on 500 tracks; then 3 s settle and the measurement window begins.
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar io.pcmtrack.bench.SchedulerLoad [tracks...] [--seconds S] [--threads T] [--max-catch-up MS]
 * </pre>
 * Prints, per N: process CPU (cores), scheduler-thread CPU, frames delivered vs expected,
 * lateness p50/p99/max, bytes allocated by the scheduler threads per delivered frame, and the
 * collections (count and total time) in the measurement window. {@code --max-catch-up} builds
 * the tracks with that catch-up limit, as a server would (default: none, the tracks' default).
 * After a stall such a track skips the slots due more than the limit ago instead of bursting,
 * and the skipped slots count as not delivered.
 */
public final class SchedulerLoad {
    private static final long RAMP_NANOS = 5_000_000_000L;

    private SchedulerLoad() {
    }

    public static void main(String[] args) throws Exception {
        List<Integer> counts = new ArrayList<>();
        int seconds = 20;
        int threads = 1;
        long maxCatchUpMs = 0;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--seconds" -> seconds = Integer.parseInt(args[++i]);
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                case "--max-catch-up" -> maxCatchUpMs = Long.parseLong(args[++i]);
                default -> counts.add(Integer.parseInt(args[i]));
            }
        }
        if (counts.isEmpty()) {
            counts = List.of(1_000, 5_000, 10_000, 20_000);
        }
        String gc = ManagementFactory.getGarbageCollectorMXBeans().stream().map(b -> b.getName())
                .collect(java.util.stream.Collectors.joining(", "));
        System.out.printf(Locale.ROOT, "%d cores, %s %s, GC: %s, max heap %d MiB, %d s per run, %d scheduler thread(s),"
                + " max catch-up %s%n", Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.name"),
                System.getProperty("java.version"), gc, Runtime.getRuntime().maxMemory() >> 20, seconds, threads,
                maxCatchUpMs > 0 ? maxCatchUpMs + " ms" : "none");
        System.out.println("| tracks | process CPU (cores) | scheduler CPU (cores) | frames delivered / expected "
                + "| lateness p50 | p99 | max | B / delivered frame | collections in window (count, time) |");
        System.out.println("|---|---|---|---|---|---|---|---|---|");
        // JIT warm-up on a small load, not reported: a cold JVM runs the first seconds interpreted.
        run(500, 3, threads, maxCatchUpMs, false);
        for (int n : counts) {
            run(n, seconds, threads, maxCatchUpMs, true);
        }
    }

    static void run(int n, int seconds, int threads, long maxCatchUpMs, boolean report) throws Exception {
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        MediaClock clock = MediaClock.system();
        List<AudioStreamTrack> tracks = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            AudioStreamTrack.Builder builder = AudioStreamTrack.builder().clock(clock).bufferLimit(Duration.ofMillis(500));
            if (maxCatchUpMs > 0) {
                builder.maxCatchUp(Duration.ofMillis(maxCatchUpMs));
            }
            tracks.add(builder.build());
        }
        AudioStreamTrack[] all = tracks.toArray(new AudioStreamTrack[0]);
        PcmData chunk = PcmData.ofShorts(48_000, 1, Signals.toneShorts(48_000, 440, 0.3, 960));
        long[] touched = new long[1];

        try (FrameScheduler scheduler = new FrameScheduler(clock, threads)) {
            ScheduledExecutorService producer = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "producer");
                t.setDaemon(true);
                return t;
            });
            // A call's producer starts writing once its track is attached, 20 ms every 20 ms.
            int[] live = new int[1];
            producer.scheduleAtFixedRate(() -> {
                int k = live[0];
                for (int i = 0; i < k; i++) {
                    all[i].write(chunk);
                }
            }, 0, 20, TimeUnit.MILLISECONDS);

            // Calls start at independent times: attach at random instants over the ramp-up.
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
                scheduler.attach(all[i], frame -> touched[0] += frame.shorts()[0]);
                live[0] = i + 1;
            }
            Thread.sleep(3_000); // settle after the ramp-up
            long[] schedulerIds = schedulerThreadIds(mx);
            SchedulerStats before = scheduler.stats();
            long cpu0 = os.getProcessCpuTime();
            long sched0 = sum(mx.getThreadCpuTime(schedulerIds));
            long alloc0 = sum(mx.getThreadAllocatedBytes(schedulerIds));
            long[] gc0 = collections();
            long wall0 = System.nanoTime();
            Thread.sleep(seconds * 1_000L);
            long wall = System.nanoTime() - wall0;
            long cpu = os.getProcessCpuTime() - cpu0;
            long sched = sum(mx.getThreadCpuTime(schedulerIds)) - sched0;
            long alloc = sum(mx.getThreadAllocatedBytes(schedulerIds)) - alloc0;
            long[] gc1 = collections();
            SchedulerStats after = scheduler.stats();
            producer.shutdownNow();

            long delivered = after.framesDelivered() - before.framesDelivered();
            long expected = Math.round(n * wall / 20_000_000.0);
            LatencyHistogram window = after.lateness().since(before.lateness());
            if (report) {
                System.out.printf(Locale.ROOT, "| %,d | %.2f | %.2f | %,d / %,d | %s | %s | %s | %.3f | %d, %d ms |%n",
                        n, cpu / (double) wall, sched / (double) wall, delivered, expected,
                        ms(window.percentile(50)), ms(window.percentile(99)), ms(window.max()),
                        alloc / (double) Math.max(1, delivered), gc1[0] - gc0[0], gc1[1] - gc0[1]);
            }
        }
        for (AudioStreamTrack t : all) {
            t.stop();
        }
    }

    /**
     * Collections so far and their total time in ms, over the JVM's collector beans: for Parallel
     * and G1 the stop-the-world collections, for ZGC its cycles (mostly concurrent) and pauses.
     */
    private static long[] collections() {
        long count = 0;
        long millis = 0;
        for (java.lang.management.GarbageCollectorMXBean b : ManagementFactory.getGarbageCollectorMXBeans()) {
            count += Math.max(0, b.getCollectionCount());
            millis += Math.max(0, b.getCollectionTime());
        }
        return new long[] {count, millis};
    }

    private static long[] schedulerThreadIds(java.lang.management.ThreadMXBean mx) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("pcmtrack-scheduler-"))
                .mapToLong(Thread::getId).toArray();
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
}
