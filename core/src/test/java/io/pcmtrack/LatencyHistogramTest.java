package io.pcmtrack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;

import org.junit.jupiter.api.Test;

class LatencyHistogramTest {

    private static LatencyHistogram ofMicros(long... micros) {
        LatencyHistogram h = new LatencyHistogram();
        for (long us : micros) {
            h.record(us * 1_000);
        }
        return h;
    }

    @Test
    void anEmptyHistogramReportsZero() {
        LatencyHistogram h = new LatencyHistogram();
        assertThat(h.count()).isZero();
        assertThat(h.max()).isEqualTo(Duration.ZERO);
        assertThat(h.percentile(99)).isEqualTo(Duration.ZERO);
    }

    @Test
    void belowSixtyFourMicrosecondsBucketsAreOneMicrosecondWide() {
        LatencyHistogram h = new LatencyHistogram();
        for (int us = 1; us <= 100; us++) {
            h.record(us * 1_000L + 500);
        }
        assertThat(h.percentile(10)).isEqualTo(Duration.ofNanos(10_999));
        assertThat(h.percentile(50)).isEqualTo(Duration.ofNanos(50_999));
    }

    @Test
    void aPercentileIsTheUpperBoundOfItsBucketNeverAboveTheMaximum() {
        LatencyHistogram h = ofMicros(1_000, 1_000, 1_000, 5_000);
        // 1000 us lies in [992, 1008) us: 32 buckets per power of two, 16 us wide from 512 us
        assertThat(h.percentile(75)).isEqualTo(Duration.ofNanos(1_007_999));
        assertThat(h.percentile(100)).isEqualTo(Duration.ofMillis(5));
        assertThat(h.percentile(0)).as("the lowest recorded bucket").isEqualTo(Duration.ofNanos(1_007_999));
    }

    @Test
    void percentilesAreWithinThreePercentOfTheRecordedValue() {
        for (long us : new long[] {70, 999, 12_345, 1_000_000, 3_600_000_000L}) {
            Duration p = ofMicros(us, us * 4).percentile(50);
            assertThat(p.toNanos()).as("%d us", us).isGreaterThanOrEqualTo(us * 1_000)
                    .isLessThanOrEqualTo((long) (us * 1_000 * 1.0325) + 999);
        }
    }

    @Test
    void maxIsTheExactLargestValueAndNegativeValuesCountAsZero() {
        LatencyHistogram h = new LatencyHistogram();
        h.record(-5);
        h.record(123_456_789);
        h.record(7);
        assertThat(h.count()).isEqualTo(3);
        assertThat(h.max()).isEqualTo(Duration.ofNanos(123_456_789));
        assertThat(h.bucketCount(0)).isEqualTo(2);
    }

    @Test
    void addSumsCountsAndKeepsTheLargerMaximum() {
        LatencyHistogram a = ofMicros(10, 20);
        LatencyHistogram b = ofMicros(30, 40_000);
        a.add(b);
        assertThat(a.count()).isEqualTo(4);
        assertThat(a.max()).isEqualTo(Duration.ofMillis(40));
        assertThat(a.percentile(75)).isEqualTo(Duration.ofNanos(30_999));
        assertThat(b.count()).as("the other is unchanged").isEqualTo(2);
    }

    @Test
    void aCopyIsIndependent() {
        LatencyHistogram h = ofMicros(10);
        LatencyHistogram c = h.copy();
        h.record(50_000_000);
        assertThat(c.count()).isEqualTo(1);
        assertThat(c.max()).isEqualTo(Duration.ofNanos(10_000));
    }

    @Test
    void sinceGivesWhatWasRecordedAfterTheCopyWithTheMaximumToBucketPrecision() {
        LatencyHistogram h = ofMicros(5_000);
        LatencyHistogram before = h.copy();
        h.record(10_000);
        h.record(2_000_000);
        LatencyHistogram d = h.since(before);
        assertThat(d.count()).isEqualTo(2);
        assertThat(d.percentile(50)).isEqualTo(Duration.ofNanos(10_999));
        // the overall maximum (5 ms) came before: the difference's is its top bucket's bound, [1984, 2016) us
        assertThat(d.max()).isEqualTo(Duration.ofNanos(2_015_999));
        LatencyHistogram nothing = h.since(h.copy());
        assertThat(nothing.count()).isZero();
        assertThat(nothing.max()).isEqualTo(Duration.ZERO);
    }

    @Test
    void bucketBoundsAreContiguous() {
        LatencyHistogram h = new LatencyHistogram();
        assertThat(h.bucketLowerMicros(0)).isZero();
        assertThat(h.bucketLowerMicros(63)).isEqualTo(63);
        assertThat(h.bucketLowerMicros(64)).isEqualTo(64);
        assertThat(h.bucketLowerMicros(65)).isEqualTo(66);
        for (int i = 1; i < h.bucketCount(); i++) {
            assertThat(h.bucketLowerMicros(i)).as("bucket %d", i).isGreaterThan(h.bucketLowerMicros(i - 1));
            assertThat(LatencyHistogram.bucket(h.bucketLowerMicros(i))).isEqualTo(i);
            assertThat(LatencyHistogram.bucket(h.bucketLowerMicros(i) - 1)).isEqualTo(i - 1);
        }
    }

    @Test
    void aPercentileOutside0To100IsRejected() {
        assertThatThrownBy(() -> new LatencyHistogram().percentile(100.5)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("100.5");
        assertThatThrownBy(() -> new LatencyHistogram().percentile(-1)).isInstanceOf(IllegalArgumentException.class);
    }
}
