package io.pcmtrack;

import static io.pcmtrack.AudioStreamTrackTest.rampPcm;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;

/** Semantics 14 and the position rules of version 2: writePosition, playedPosition, FlushReport. */
class TrackPositionsTest {
    private final VirtualClock clock = new VirtualClock();

    private AudioStreamTrack track() {
        return AudioStreamTrack.builder().clock(clock).build();
    }

    @Test
    void positionsStartAtZero() {
        AudioStreamTrack t = track();
        assertThat(t.writePosition()).isZero();
        assertThat(t.playedPosition()).isZero();
    }

    @Test
    void writePositionCountsEveryAcceptedSampleHeldPartialIncluded() {
        AudioStreamTrack t = track();
        t.write(rampPcm(0, 1000));
        assertThat(t.writePosition()).isEqualTo(1000);
        t.write(rampPcm(0, 500), true);
        assertThat(t.writePosition()).isEqualTo(1500);
    }

    @Test
    void playedPositionFollowsEmittedSamplesNotSilenceOrPadding() throws Exception {
        AudioStreamTrack t = track();
        t.recv(); // silence: no position
        assertThat(t.playedPosition()).isZero();
        t.write(rampPcm(0, 960 + 100), true);
        t.recv();
        assertThat(t.playedPosition()).isEqualTo(960);
        t.recv(); // 100 samples, padded
        assertThat(t.playedPosition()).isEqualTo(1060);
        t.recv(); // silence
        assertThat(t.playedPosition()).isEqualTo(1060);
    }

    @Test
    void resampledWritesCountConvertedSamplesAndAreExactAfterLast() throws Exception {
        AudioStreamTrack t = track();
        PcmData chunk = PcmData.ofShorts(24_000, 1, new short[240]); // 10 ms
        for (int i = 0; i < 10; i++) {
            t.write(chunk);
            assertThat(t.writePosition()).isEqualTo(480L * (i + 1));
        }
        t.write(chunk, true);
        assertThat(t.writePosition()).isEqualTo(480 * 11);
        for (int i = 0; i < 6; i++) {
            t.recv();
        }
        assertThat(t.playedPosition()).isEqualTo(480 * 11);
        assertThat(t.buffered()).isEqualTo(Duration.ZERO);
    }

    @Test
    void nonIntegerRatioIsWithinOneSampleWhileStreamingAndExactAfterLast() {
        AudioStreamTrack t = track();
        PcmData chunk = PcmData.ofShorts(44_100, 1, new short[441]); // 10 ms
        long in = 0;
        for (int i = 0; i < 7; i++) {
            t.write(chunk);
            in += 441;
            assertThat((double) t.writePosition()).isCloseTo(in * 48_000.0 / 44_100, org.assertj.core.api.Assertions.within(1.0));
        }
        t.write(PcmData.ofShorts(44_100, 1, new short[100]), true);
        in += 100;
        assertThat(t.writePosition()).isEqualTo(Math.round(in * 48_000.0 / 44_100));
    }

    @Test
    void flushReportsWhatWasHeardAndWhatWasDiscarded() throws Exception {
        AudioStreamTrack t = track();
        t.write(rampPcm(0, 4800)); // 100 ms, a previous utterance
        for (int i = 0; i < 5; i++) {
            t.recv();
        }
        long start = t.writePosition();
        int length = 9600;
        t.write(rampPcm(0, length), true);
        t.recv();
        t.recv();
        t.recv();
        FlushReport r = t.flush();
        assertThat(r.playedPosition()).isEqualTo(start + 3 * 960);
        assertThat(r.discardedSamples()).isEqualTo(length - 3 * 960);
        long heard = Math.max(0, Math.min(length, r.playedPosition() - start));
        assertThat(heard).isEqualTo(2880);
        assertThat(r.playedPosition() + r.discardedSamples()).isEqualTo(t.writePosition());
    }

    @Test
    void flushDiscardsTheResamplerTailTooAndCountsIt() {
        AudioStreamTrack t = track();
        t.write(PcmData.ofShorts(24_000, 1, new short[2400])); // 100 ms in, part still in the resampler
        long buffered = t.bufferedValues();
        assertThat(buffered).isLessThan(4800);
        FlushReport r = t.flush();
        assertThat(r.discardedSamples()).isEqualTo(4800);
        assertThat(t.stats().flushedSamples()).as("v1 counter: from the buffer only").isEqualTo(buffered);
    }

    @Test
    void writesAfterAFlushContinueFromTheWritePosition() throws Exception {
        AudioStreamTrack t = track();
        t.write(rampPcm(0, 2000));
        t.flush();
        assertThat(t.writePosition()).isEqualTo(2000);
        t.write(rampPcm(0, 960));
        assertThat(t.writePosition()).isEqualTo(2960);
        t.recv();
        assertThat(t.playedPosition()).isEqualTo(2960);
    }

    @Test
    void droppedSamplesAreSkippedByPlayedPosition() throws Exception {
        AudioStreamTrack t = AudioStreamTrack.builder().clock(clock).bufferLimit(Duration.ofMillis(40)).build();
        t.write(rampPcm(0, 960 * 5)); // 3 frames dropped
        assertThat(t.stats().droppedSamples()).isEqualTo(2880);
        AudioFrame f = t.recv();
        assertThat(f.shorts()[0]).isEqualTo((short) 2880);
        assertThat(t.playedPosition()).isEqualTo(2880 + 960);
    }

    @Test
    void playedPositionNeverDecreasesAcrossFlushes() throws Exception {
        AudioStreamTrack t = track();
        long last = 0;
        for (int round = 0; round < 20; round++) {
            t.write(rampPcm(0, 700 + round * 37), round % 3 == 0);
            if (round % 4 == 1) {
                t.flush(Duration.ofMillis(round));
            }
            t.recv();
            assertThat(t.playedPosition()).isGreaterThanOrEqualTo(last);
            last = t.playedPosition();
        }
    }

    @Test
    void everySampleEndsOnceWrittenEqualsEmittedFlushedDroppedAndBuffered() throws Exception {
        AudioStreamTrack t = AudioStreamTrack.builder().clock(clock).bufferLimit(Duration.ofMillis(100)).build();
        long emitted = 0;
        for (int round = 0; round < 50; round++) {
            short[] ones = new short[1234 + round * 50];
            java.util.Arrays.fill(ones, (short) 1000); // never zero: a frame's non-zero samples are its audio
            t.write(PcmData.ofShorts(48_000, 1, ones), round % 5 == 0);
            if (round % 7 == 3) {
                t.flush();
            }
            for (short v : t.recv().shorts()) {
                emitted += v != 0 ? 1 : 0;
            }
        }
        TrackStats s = t.stats();
        assertThat(s.droppedSamples()).isPositive();
        assertThat(s.flushedSamples()).isPositive();
        assertThat(s.writtenSamples())
                .isEqualTo(emitted + s.flushedSamples() + s.droppedSamples() + t.bufferedValues());
        assertThat(t.writePosition()).isEqualTo(s.writtenSamples());
    }
}
