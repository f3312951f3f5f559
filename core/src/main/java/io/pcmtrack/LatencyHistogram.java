package io.pcmtrack;

import java.time.Duration;

/**
 * Counts of durations in log-linear buckets: 1 us wide below 64 us, then 32 buckets per power of
 * two (about 3 % wide), up to hours. Recording is a few arithmetic operations and no allocation,
 * so it can sit on the per-frame path. Not thread-safe: one writer; read a {@link #copy()}.
 */
public final class LatencyHistogram {
    private static final int LINEAR = 64;
    private static final int SUB_BITS = 5;
    private static final int SUB = 1 << SUB_BITS;
    private static final int BUCKETS = LINEAR + (63 - 6) * SUB;

    private final long[] counts;
    private long total;
    private long maxNanos;

    public LatencyHistogram() {
        this.counts = new long[BUCKETS];
    }

    private LatencyHistogram(LatencyHistogram other) {
        this.counts = other.counts.clone();
        this.total = other.total;
        this.maxNanos = other.maxNanos;
    }

    /** Records one duration in nanoseconds; negative values count as 0. */
    public void record(long nanos) {
        long v = Math.max(0, nanos);
        counts[bucket(v / 1_000)]++;
        total++;
        if (v > maxNanos) {
            maxNanos = v;
        }
    }

    /** Adds all counts of {@code other} to this one. */
    public void add(LatencyHistogram other) {
        for (int i = 0; i < BUCKETS; i++) {
            counts[i] += other.counts[i];
        }
        total += other.total;
        maxNanos = Math.max(maxNanos, other.maxNanos);
    }

    public LatencyHistogram copy() {
        return new LatencyHistogram(this);
    }

    /**
     * What was recorded since {@code earlier}, a copy of this histogram taken before. The maximum
     * of the difference is known to bucket precision only.
     */
    public LatencyHistogram since(LatencyHistogram earlier) {
        LatencyHistogram d = new LatencyHistogram(this);
        int highest = -1;
        for (int i = 0; i < BUCKETS; i++) {
            d.counts[i] -= earlier.counts[i];
            if (d.counts[i] > 0) {
                highest = i;
            }
        }
        d.total -= earlier.total;
        d.maxNanos = highest < 0 ? 0 : Math.min(maxNanos, upperMicros(highest) * 1_000 + 999);
        return d;
    }

    public long count() {
        return total;
    }

    public Duration max() {
        return Duration.ofNanos(maxNanos);
    }

    /**
     * The smallest recorded-bucket upper bound below which at least {@code percent} % of the
     * values lie (never above the maximum). Zero when empty.
     */
    public Duration percentile(double percent) {
        if (percent < 0 || percent > 100) {
            throw new IllegalArgumentException("percent must be 0..100, got " + percent);
        }
        if (total == 0) {
            return Duration.ZERO;
        }
        long rank = Math.max(1, (long) Math.ceil(total * percent / 100.0));
        long seen = 0;
        for (int i = 0; i < BUCKETS; i++) {
            seen += counts[i];
            if (seen >= rank) {
                return Duration.ofNanos(Math.min(maxNanos, upperMicros(i) * 1_000 + 999));
            }
        }
        return max();
    }

    /** Number of buckets; bucket {@code i} spans {@link #bucketLowerMicros(int)}..{@code bucketLowerMicros(i + 1)}. */
    public int bucketCount() {
        return BUCKETS;
    }

    public long bucketLowerMicros(int i) {
        if (i < LINEAR) {
            return i;
        }
        int exp = (i - LINEAR) / SUB + 6;
        int sub = (i - LINEAR) % SUB;
        return (long) (SUB + sub) << (exp - SUB_BITS);
    }

    public long bucketCount(int i) {
        return counts[i];
    }

    static int bucket(long micros) {
        if (micros < LINEAR) {
            return (int) micros;
        }
        int exp = 63 - Long.numberOfLeadingZeros(micros);
        int sub = (int) (micros >>> (exp - SUB_BITS)) & (SUB - 1);
        return Math.min(BUCKETS - 1, LINEAR + (exp - 6) * SUB + sub);
    }

    private long upperMicros(int i) {
        return i + 1 < BUCKETS ? bucketLowerMicros(i + 1) - 1 : Long.MAX_VALUE / 1_000 - 1;
    }
}
