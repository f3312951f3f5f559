package io.pcmtrack;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.time.Duration;

import org.junit.jupiter.api.Test;

/** Semantic 12: write of same-format chunks plus recv(reuse) allocates nothing per frame. */
class SteadyStateAllocationTest {
    private static final int WARM_UP_FRAMES = 40_000;
    private static final int MEASURED_FRAMES = 30_000;
    private static final int WINDOWS = 5;

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

    @Test
    void convertedWritesOfAWriterThatMayWaitAllocateNothing() throws Exception {
        // it keeps its conversion's arrays instead of borrowing them for each write
        AudioStreamTrack t = AudioStreamTrack.builder().clock(new VirtualClock()).overflow(OverflowPolicy.BLOCK).build();
        PcmData chunk = PcmData.ofShorts(44_100, 1, AudioStreamTrackTest.ramp(0, 882));
        assertThat(allocatedOverMeasuredFrames(t, chunk, 1)).isZero();
    }

    @Test
    void framesWithMarksPendingAllocateNothing() throws Exception {
        AudioStreamTrack t = AudioStreamTrack.builder().clock(new VirtualClock()).build();
        PcmData chunk = PcmData.ofShorts(48_000, 1, AudioStreamTrackTest.ramp(0, 960));
        AudioFrame frame = t.recv();
        long measured = -1;
        for (int round = 0; round < 60 && measured != 0; round++) {
            for (int i = 0; i < 1500; i++) {
                t.write(chunk); // 30 s ahead of the mark
            }
            Mark mark = t.mark("far");
            t.mark("farther");
            run(t, chunk, frame, 50, 1); // the pool refills, the spare block settles
            long before = THREADS.getThreadAllocatedBytes(Thread.currentThread().getId());
            run(t, chunk, frame, 1000, 1);
            measured = THREADS.getThreadAllocatedBytes(Thread.currentThread().getId()) - before;
            assertThat(mark.result()).isNotDone();
            t.flush();
        }
        assertThat(measured).as("bytes over 1,000 frames with two marks pending, after warm-up (best of the late rounds)")
                .isZero();
    }

    /**
     * Bytes allocated by this thread over one window of measured write+recv rounds, after a JIT
     * warm-up. The JIT may still deoptimize and recompile a path once in a while after the warm-up
     * (other tests in this JVM change the profiles), and that allocates a few hundred bytes once;
     * so up to {@value #WINDOWS} windows are measured and the first clean one is returned. An
     * allocation per frame makes every window allocate at least 16 * 30,000 bytes.
     */
    private static long allocatedOverMeasuredFrames(AudioStreamTrack t, PcmData chunk, int writesPerRecv) throws Exception {
        AudioFrame frame = t.recv();
        run(t, chunk, frame, WARM_UP_FRAMES, writesPerRecv);
        long tid = Thread.currentThread().getId();
        long bytes = 0;
        for (int w = 0; w < WINDOWS; w++) {
            long before = THREADS.getThreadAllocatedBytes(tid);
            run(t, chunk, frame, MEASURED_FRAMES, writesPerRecv);
            bytes = THREADS.getThreadAllocatedBytes(tid) - before;
            if (bytes == 0) {
                return 0;
            }
        }
        return bytes;
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
