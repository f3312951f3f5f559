package io.pcmtrack;

import static io.pcmtrack.AudioStreamTrackTest.rampPcm;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/** Semantics 16: maxCatchUp re-anchors a late consumer instead of bursting. */
class CatchUpTest {
    private final VirtualClock clock = new VirtualClock();

    private AudioStreamTrack track(Duration maxCatchUp) {
        return AudioStreamTrack.builder().clock(clock).maxCatchUp(maxCatchUp).build();
    }

    @Test
    void withoutALimitALateConsumerGetsEveryOverdueFrameAtOnce() throws Exception {
        AudioStreamTrack t = AudioStreamTrack.builder().clock(clock).build();
        t.recv();
        clock.advance(Duration.ofSeconds(5));
        long start = clock.nanoTime();
        for (int i = 1; i <= 250; i++) {
            assertThat(t.recv().pts()).isEqualTo(960L * i);
        }
        assertThat(clock.nanoTime()).as("all 250 overdue frames came at once").isEqualTo(start);
        assertThat(t.stats().stalls()).isZero();
    }

    @Test
    void aStallLongerThanTheLimitSkipsSlotsAndKeepsTheAudio() throws Exception {
        AudioStreamTrack t = track(Duration.ofMillis(100));
        t.write(rampPcm(0, 960 * 3));
        assertThat(t.recv().pts()).isZero();
        clock.advance(Duration.ofSeconds(5)); // now = 5000 ms; slot 1 was due at 20 ms
        long now = clock.nanoTime();
        AudioFrame f = t.recv();
        // Slots due before 4900 ms are skipped: the first kept one is slot 245 (due 4900 ms, exactly the limit).
        assertThat(f.pts()).isEqualTo(245L * 960);
        assertThat(f.shorts()[0]).as("no buffered audio is lost").isEqualTo((short) 960);
        assertThat(clock.nanoTime()).isEqualTo(now);
        for (int slot = 246; slot <= 250; slot++) {
            assertThat(t.recv().pts()).isEqualTo(slot * 960L); // caught up at once, on the original grid
        }
        assertThat(clock.nanoTime()).isEqualTo(now);
        assertThat(t.recv().pts()).isEqualTo(251L * 960);
        assertThat(clock.nanoTime()).as("punctual again: slot 251 waited for its due time")
                .isEqualTo(Duration.ofMillis(5020).toNanos());
        TrackStats s = t.stats();
        assertThat(s.stalls()).isEqualTo(1);
        assertThat(s.skippedFrames()).isEqualTo(244);
        assertThat(s.framesEmitted()).isEqualTo(1 + 6 + 1);
        assertThat(s.lateFrames()).as("only the caught-up frames were late").isEqualTo(5);
        assertThat(s.maxLateness()).isEqualTo(Duration.ofMillis(100));
    }

    @Test
    void lateByExactlyTheLimitIsCaughtUpNotSkipped() throws Exception {
        AudioStreamTrack t = track(Duration.ofMillis(100));
        t.recv();
        clock.advance(Duration.ofMillis(120)); // slot 1 due at 20 ms: exactly 100 ms late
        assertThat(t.recv().pts()).isEqualTo(960);
        assertThat(t.stats().stalls()).isZero();
    }

    @Test
    void theSchedulerReanchorsToo() {
        AudioStreamTrack t = track(Duration.ofMillis(40));
        FrameScheduler s = FrameScheduler.manual(clock);
        List<Long> pts = new ArrayList<>();
        s.attach(t, f -> pts.add(f.pts()));
        s.runDue();
        clock.advance(Duration.ofSeconds(1));
        s.runDue();
        // Slot 48 is due at 960 ms, exactly 40 ms before now: 48, 49 and 50 come at once.
        assertThat(pts).containsExactly(0L, 48L * 960, 49L * 960, 50L * 960);
        assertThat(t.stats().stalls()).isEqualTo(1);
        assertThat(t.stats().skippedFrames()).isEqualTo(47);
        assertThat(s.stats().latenessMax()).isLessThanOrEqualTo(Duration.ofMillis(41));
    }

    @Test
    void theLimitMustBeAtLeastOneFrame() {
        assertThatThrownBy(() -> AudioStreamTrack.builder().maxCatchUp(Duration.ofMillis(10)).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxCatchUp")
                .hasMessageContaining("PT0.01S");
        assertThatThrownBy(() -> AudioStreamTrack.builder().maxCatchUp(null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> AudioStreamTrack.builder().maxCatchUp(Duration.ofMillis(-20)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(AudioStreamTrack.builder().maxCatchUp(Duration.ofMillis(20)).build().maxCatchUp())
                .isEqualTo(Duration.ofMillis(20));
    }
}
