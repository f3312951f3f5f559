package io.pcmtrack.webrtc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.pcmtrack.AudioStreamTrack;
import io.pcmtrack.PcmData;
import io.pcmtrack.TrackEndedException;
import io.pcmtrack.VirtualClock;
import org.junit.jupiter.api.Test;

/** The publisher's pump in virtual time: frame deadlines, stalls, end of track, allocation. */
class WebRtcPublisherTest {
    private static final long MS = 1_000_000L;

    /** Records the virtual time of the first {@code n} pushes, then lets the test finish. */
    static final class Timeline implements AudioPush {
        final VirtualClock clock;
        final long[] times;
        final short[] firstSample;
        final CountDownLatch full = new CountDownLatch(1);
        int count;
        int stallAt = -1;
        Duration stall;

        Timeline(VirtualClock clock, int n) {
            this.clock = clock;
            this.times = new long[n];
            this.firstSample = new short[n];
        }

        @Override
        public void push(byte[] data, int bits, int rate, int channels, int frames) {
            if (count < times.length) {
                times[count] = clock.nanoTime();
                firstSample[count] = (short) ((data[0] & 0xff) | (data[1] << 8));
                if (count == stallAt) {
                    clock.advance(stall); // the push took this long: the thread stalled
                }
                if (++count == times.length) {
                    full.countDown();
                }
            }
        }
    }

    @Test
    void pushesEachFramesChunksBackToBackWhenTheFrameIsDue() throws Exception {
        for (int frameMs : new int[] {10, 20, 30}) {
            VirtualClock clock = new VirtualClock();
            AudioStreamTrack track = AudioStreamTrack.builder().clock(clock).frameDuration(Duration.ofMillis(frameMs)).build();
            Timeline t = new Timeline(clock, 300);
            try (WebRtcPublisher p = WebRtcPublisher.start(track, t, WebRtcPublisher.DEFAULT_MAX_CATCH_UP)) {
                assertThat(t.full.await(10, TimeUnit.SECONDS)).isTrue();
                assertThat(p.stalls()).isZero();
            }
            int chunks = frameMs / 10;
            for (int i = 1; i < t.times.length; i++) {
                long expected = i % chunks == 0 ? frameMs * MS : 0;
                assertThat(t.times[i] - t.times[i - 1]).as("%d ms frames, push %d", frameMs, i).isEqualTo(expected);
            }
        }
    }

    @Test
    void aShortStallIsCaughtUpAndALongOneSkipsTheMissedSlots() throws Exception {
        for (long stallMs : new long[] {50, 300}) {
            VirtualClock clock = new VirtualClock();
            AudioStreamTrack track = AudioStreamTrack.builder().clock(clock).build();
            Timeline t = new Timeline(clock, 100);
            t.stallAt = 40; // the first chunk of frame 20 takes this long to push
            t.stall = Duration.ofMillis(stallMs);
            WebRtcPublisher p = WebRtcPublisher.start(track, t, Duration.ofMillis(100));
            assertThat(t.full.await(10, TimeUnit.SECONDS)).isTrue();
            p.close();
            long stallEnd = t.times[40] + stallMs * MS;
            assertThat(t.times[41]).as("the rest of frame 20").isEqualTo(stallEnd);
            if (stallMs == 50) {
                // frame 21 was due 20 ms after frame 20
                assertThat(p.maxLateness()).isEqualTo(Duration.ofMillis(stallMs - 20));
                // frames 21 and 22 were missed: pushed back to back, then the original 20 ms grid again
                assertThat(p.stalls()).isZero();
                for (int i = 42; i <= 45; i++) {
                    assertThat(t.times[i]).as("catch-up push %d", i).isEqualTo(stallEnd);
                }
                assertThat(t.times[46]).isEqualTo(t.times[0] + 23 * 20 * MS);
            } else {
                // no burst: the track skips the slots due more than 100 ms before the stall's end
                // (frames 21-29) and catches up 30-35 on its grid, late by 100 ms at most
                assertThat(p.stalls()).isEqualTo(1);
                assertThat(track.stats().skippedFrames()).isEqualTo(9);
                assertThat(p.maxLateness()).isEqualTo(Duration.ofMillis(100));
                for (int i = 42; i <= 53; i++) {
                    assertThat(t.times[i]).as("catch-up push %d", i).isEqualTo(stallEnd);
                }
                for (int i = 54; i < 100; i += 2) {
                    assertThat(t.times[i]).as("push %d", i).isEqualTo(t.times[0] + (i / 2 + 9) * 20 * MS);
                }
                // 30-34 were late by 100, 80, 60, 40 and 20 ms; 35 was due at the stall's end
                assertThat(track.stats().lateFrames()).as("only the caught-up frames count as late").isEqualTo(5);
            }
        }
    }

    @Test
    void afterTheTrackStopsItKeepsPushingSilenceUntilClosed() throws Exception {
        VirtualClock clock = new VirtualClock();
        AudioStreamTrack track = AudioStreamTrack.builder().clock(clock).build();
        track.write(PcmData.ofShorts(48_000, 1, Signals.tone(48_000, 1, 1000, -6, 1, 48_000)));
        AudioPush stopAt20 = new AudioPush() {
            int n;

            @Override
            public void push(byte[] data, int bits, int rate, int channels, int frames) {
                if (++n == 20) {
                    track.stop();
                }
            }
        };
        Timeline t = new Timeline(clock, 100);
        WebRtcPublisher p = WebRtcPublisher.start(track, (d, b, r, c, f) -> {
            stopAt20.push(d, b, r, c, f);
            t.push(d, b, r, c, f);
        }, WebRtcPublisher.DEFAULT_MAX_CATCH_UP);
        assertThat(t.full.await(10, TimeUnit.SECONDS)).isTrue();
        p.close();
        assertThat(p.trackEnded()).isTrue();
        assertThat(p.silentPushes()).isGreaterThan(50);
        assertThat(t.firstSample[5]).isNotZero();
        assertThat(t.firstSample[99]).isZero();
        for (int i = 2; i < 100; i += 2) {
            assertThat(t.times[i] - t.times[i - 2]).as("push %d", i).isEqualTo(20 * MS);
            assertThat(t.times[i + 1]).as("push %d", i + 1).isEqualTo(t.times[i]);
        }
        assertThat(p.isRunning()).isFalse();
        assertThat(p.failure()).isNull();
    }

    @Test
    void closeStopsPushingBeforeItReturns() throws Exception {
        AudioStreamTrack track = AudioStreamTrack.create();
        long[] pushes = new long[1];
        WebRtcPublisher p = WebRtcPublisher.start(track, (d, b, r, c, f) -> pushes[0]++, WebRtcPublisher.DEFAULT_MAX_CATCH_UP);
        Thread.sleep(100);
        p.close();
        long after = pushes[0];
        Thread.sleep(50);
        assertThat(pushes[0]).isEqualTo(after).isBetween(5L, 20L);
        assertThat(p.isRunning()).isFalse();
        assertThat(track.isLive()).isTrue();
    }

    @Test
    void rejectsBadArguments() {
        AudioStreamTrack track = AudioStreamTrack.create();
        AudioPush none = (d, b, r, c, f) -> { };
        assertThatThrownBy(() -> WebRtcPublisher.start(track, none, Duration.ofMillis(5)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("got PT0.005S");
        AudioStreamTrack stereo3 = AudioStreamTrack.builder().channels(3).build();
        assertThatThrownBy(() -> WebRtcPublisher.start(stereo3, none, Duration.ofMillis(100)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("got 3");
        track.stop();
        assertThatThrownBy(() -> WebRtcPublisher.start(track, none, Duration.ofMillis(100)))
                .isInstanceOf(TrackEndedException.class);
    }

    @Test
    void thePumpAllocatesNothingPerFrame() throws Exception {
        com.sun.management.ThreadMXBean tmx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        VirtualClock clock = new VirtualClock();
        AudioStreamTrack track = AudioStreamTrack.builder().clock(clock).bufferLimit(Duration.ofSeconds(120)).build();
        short[] tone = Signals.tone(48_000, 1, 440, -6, 0, 48_000);
        for (int i = 0; i < 100; i++) {
            track.write(PcmData.ofShorts(48_000, 1, tone));
        }
        long[] at = new long[2];
        CountDownLatch done = new CountDownLatch(1);
        AudioPush measure = new AudioPush() {
            int n;

            @Override
            public void push(byte[] data, int bits, int rate, int channels, int frames) {
                n++;
                if (n == 2_000) {
                    at[0] = tmx.getCurrentThreadAllocatedBytes();
                } else if (n == 8_000) {
                    at[1] = tmx.getCurrentThreadAllocatedBytes();
                    done.countDown();
                }
            }
        };
        try (WebRtcPublisher p = WebRtcPublisher.start(track, measure, WebRtcPublisher.DEFAULT_MAX_CATCH_UP)) {
            assertThat(done.await(20, TimeUnit.SECONDS)).isTrue();
            assertThat(p.failure()).isNull();
        }
        assertThat(at[1] - at[0]).as("bytes allocated by the pump over 6,000 pushes (60 s of audio)").isLessThan(1_024);
    }
}
