package io.pcmtrack.bench;

import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import io.pcmtrack.LatencyHistogram;

/**
 * How punctually this machine wakes a parked thread, with nothing of pcmtrack involved: two
 * threads park for 500 us at a time and record by how much each wake-up overshoots, and how
 * often no thread ran for more than 5 ms. Optionally the probe first makes {@code residentMiB}
 * of memory resident, to see whether the machine stalls more when memory is in use (some
 * virtual machines do: their host scans or tracks the guest's memory). Pacing can never be
 * better than what this prints.
 *
 * <pre>java -cp bench/target/benchmarks.jar io.pcmtrack.bench.WakeupProbe [seconds] [residentMiB]</pre>
 */
public final class WakeupProbe {
    private static final long PARK_NANOS = 500_000;
    private static final long STALL_NANOS = 5_000_000;

    private WakeupProbe() {
    }

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        int residentMiB = args.length > 1 ? Integer.parseInt(args[1]) : 0;
        byte[][] resident = new byte[residentMiB][];
        for (int i = 0; i < residentMiB; i++) {
            resident[i] = new byte[1 << 20];
            for (int j = 0; j < resident[i].length; j += 4096) {
                resident[i][j] = 1; // touch every page
            }
        }
        LatencyHistogram[] overshoot = {new LatencyHistogram(), new LatencyHistogram()};
        AtomicLong stalls = new AtomicLong();
        AtomicLong longest = new AtomicLong();
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        Thread[] threads = new Thread[2];
        for (int t = 0; t < threads.length; t++) {
            LatencyHistogram h = overshoot[t];
            threads[t] = new Thread(() -> {
                long before = System.nanoTime();
                while (before < end) {
                    LockSupport.parkNanos(PARK_NANOS);
                    long now = System.nanoTime();
                    long late = now - before - PARK_NANOS;
                    h.record(Math.max(0, late));
                    if (now - before > STALL_NANOS) {
                        stalls.incrementAndGet();
                        longest.accumulateAndGet(now - before, Math::max);
                    }
                    before = now;
                }
            }, "probe-" + t);
            threads[t].start();
        }
        for (Thread t : threads) {
            t.join();
        }
        LatencyHistogram all = overshoot[0].copy();
        all.add(overshoot[1]);
        System.out.printf(Locale.ROOT, "%d MiB made resident; %d s: wake-up overshoot p50 %.3f ms, p99 %.3f ms, max %.3f ms; "
                        + "%d stalls > 5 ms (%.1f per second), longest %.1f ms%n",
                residentMiB, seconds, ms(all.percentile(50).toNanos()), ms(all.percentile(99).toNanos()),
                ms(all.max().toNanos()), stalls.get(), stalls.get() / (double) seconds, ms(longest.get()));
        if (resident.length > 0 && resident[0][0] != 1) {
            throw new AssertionError(); // keeps the memory reachable until here
        }
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }
}
