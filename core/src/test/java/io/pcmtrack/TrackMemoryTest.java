package io.pcmtrack;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/** Semantic 12: memory follows the audio buffered, not the buffer limit. */
class TrackMemoryTest {

    @Test
    void aDrainedBurstGivesItsBlocksBack() throws Exception {
        VirtualClock clock = new VirtualClock();
        AudioStreamTrack t = AudioStreamTrack.builder().clock(clock).channels(2).build();
        t.write(PcmData.ofShorts(48_000, 2, new short[48_000 * 2 * 10]));
        assertThat(t.heldBlocks()).isGreaterThanOrEqualTo(48_000 * 2 * 10 / Block.SIZE);
        for (int i = 0; i < 500; i++) {
            t.recv();
        }
        assertThat(t.buffered()).isEqualTo(Duration.ZERO);
        assertThat(t.heldBlocks()).as("one spare block while the stream may go on").isEqualTo(1);
        for (int i = 0; i < 50; i++) {
            t.recv(); // one second of starvation
        }
        assertThat(t.heldBlocks()).isZero();
    }

    @Test
    void aSteadyStreamHoldsAboutOneFrameOfBlocks() throws Exception {
        AudioStreamTrack t = AudioStreamTrack.builder().clock(new VirtualClock()).build();
        PcmData chunk = PcmData.ofShorts(48_000, 1, new short[960]);
        int maxHeld = 0;
        for (int i = 0; i < 1000; i++) {
            t.write(chunk);
            maxHeld = Math.max(maxHeld, t.heldBlocks());
            t.recv();
        }
        assertThat(maxHeld).isLessThanOrEqualTo(2);
        assertThat(t.heldBlocks()).isLessThanOrEqualTo(1);
        for (int i = 0; i < 50; i++) {
            t.recv();
        }
        assertThat(t.heldBlocks()).isZero();
    }

    @Test
    void stopGivesBufferedBlocksBack() {
        AudioStreamTrack t = AudioStreamTrack.builder().clock(new VirtualClock()).build();
        t.write(PcmData.ofShorts(48_000, 1, new short[48_000]));
        t.stop();
        assertThat(t.heldBlocks()).isZero();
    }

    @Test
    void idleTracksWithALargeLimitHoldAlmostNoHeap() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        int n = 2_000;
        List<AudioStreamTrack> tracks = new ArrayList<>(n);
        long before = usedHeapAfterGc(memory);
        for (int i = 0; i < n; i++) {
            tracks.add(AudioStreamTrack.builder().channels(2).bufferLimit(Duration.ofSeconds(30)).build());
        }
        long after = usedHeapAfterGc(memory);
        long perTrack = (after - before) / n;
        // 30 s of 48 kHz stereo 16-bit would be 5.76 MB per track; an idle track is a few hundred bytes.
        assertThat(perTrack).as("heap bytes per idle track").isLessThan(4_096);
        assertThat(tracks).allMatch(t -> t.heldBlocks() == 0);
    }

    @Test
    void tracksThatPlayedABurstHoldAlmostNoHeapAfterwards() throws Exception {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        int n = 200;
        VirtualClock clock = new VirtualClock();
        List<AudioStreamTrack> tracks = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            tracks.add(AudioStreamTrack.builder().clock(clock).build());
        }
        long before = usedHeapAfterGc(memory);
        PcmData burst = PcmData.ofShorts(48_000, 1, new short[48_000 * 10]);
        for (AudioStreamTrack t : tracks) {
            t.write(burst);
        }
        long full = usedHeapAfterGc(memory);
        assertThat(full - before).as("10 s bursts are held while buffered").isGreaterThan(n * 900_000L);
        AudioFrame frame = tracks.get(0).recv();
        for (AudioStreamTrack t : tracks) {
            for (int i = 0; i < 551; i++) {
                t.recv(frame); // 10 s of audio, then 1 s of silence after which the spare block goes too
            }
        }
        long drained = usedHeapAfterGc(memory);
        // What stays is the shared pool's bounded cache of free blocks (whole slabs), whatever the number of tracks.
        long poolCap = BlockPool.MAX_FREE_BYTES + BlockPool.SLAB_BYTES;
        assertThat(drained - before).as("heap kept after 200 x 10 s bursts played out")
                .isLessThan(poolCap + n * 1_024L);
    }

    static long usedHeapAfterGc(MemoryMXBean memory) {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
        }
        return used;
    }
}
