package io.pcmtrack;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.time.Duration;

import org.junit.jupiter.api.Test;

/** Semantic 12: write of same-format chunks plus recv(reuse) allocates nothing per frame. */
class SteadyStateAllocationTest {
    private static final int WARM_UP_FRAMES = 40_000;
    private static final int MEASURED_FRAMES = 30_000;

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    @Test
    void writeAndRecvOfOneFrameAllocateNothing() throws Exception {
        AudioStreamTrack t = AudioStreamTrack.builder().clock(new VirtualClock()).build();
        PcmData chunk = PcmData.ofShorts(48_000, 1, AudioStreamTrackTest.ramp(0, 960));
        assertThat(allocatedOverMeasuredFrames(t, chunk, 1)).isZero();
    }

    @Test
    void deepBufferAtTheCapWithOverflowAllocatesNothing() throws Exception {
        AudioStreamTrack t = AudioStreamTrack.builder().clock(new VirtualClock()).channels(2)
                .sampleFormat(SampleFormat.F32).bufferLimit(Duration.ofSeconds(30)).build();
        PcmData chunk = PcmData.ofFloats(48_000, 2, new float[1920]);
        for (int i = 0; i < 1600; i++) {
            t.write(chunk); // fill to the 30 s cap: every further write drops the oldest frame
        }
        assertThat(allocatedOverMeasuredFrames(t, chunk, 2)).isZero();
        assertThat(t.stats().droppedSamples()).isPositive();
    }

    @Test
    void convertedWritesAllocateNothing() throws Exception {
        AudioStreamTrack t = AudioStreamTrack.builder().clock(new VirtualClock()).channels(2).build();
        PcmData chunk = PcmData.ofShorts(24_000, 1, AudioStreamTrackTest.ramp(0, 480));
        assertThat(allocatedOverMeasuredFrames(t, chunk, 1)).isZero();
    }

    /** Bytes allocated by this thread over all measured write+recv rounds, after a JIT warm-up. */
    private static long allocatedOverMeasuredFrames(AudioStreamTrack t, PcmData chunk, int writesPerRecv) throws Exception {
        AudioFrame frame = t.recv();
        run(t, chunk, frame, WARM_UP_FRAMES, writesPerRecv);
        long tid = Thread.currentThread().getId();
        long before = THREADS.getThreadAllocatedBytes(tid);
        run(t, chunk, frame, MEASURED_FRAMES, writesPerRecv);
        long after = THREADS.getThreadAllocatedBytes(tid);
        return after - before;
    }

    private static void run(AudioStreamTrack t, PcmData chunk, AudioFrame frame, int frames, int writesPerRecv)
            throws InterruptedException {
        for (int i = 0; i < frames; i++) {
            for (int w = 0; w < writesPerRecv; w++) {
                t.write(chunk);
            }
            t.recv(frame);
        }
    }
}
