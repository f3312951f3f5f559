package io.pcmtrack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/** FrameScheduler in virtual time: a manual scheduler driven one due time after another. */
class FrameSchedulerTest {
    private final VirtualClock clock = new VirtualClock();
    private final FrameScheduler scheduler = FrameScheduler.manual(clock);

    /** One delivered frame as the sink saw it. */
    record Delivery(long atNanos, long pts, boolean silence, short firstSample) {
    }

    /** A sink that records what it got and when. */
    final class Recorder implements FrameSink {
        final List<Delivery> deliveries = new ArrayList<>();

        @Override
        public void onFrame(AudioFrame frame) {
            deliveries.add(new Delivery(clock.nanoTime(), frame.pts(), frame.isSilence(), frame.shorts()[0]));
        }
    }

    private AudioStreamTrack track(int rate, Duration frame) {
        return AudioStreamTrack.builder().clock(clock).sampleRate(rate).frameDuration(frame).build();
    }

    /** Advances virtual time from one due time to the next until {@code end}, delivering as it goes. */
    private void runUntil(long endNanos) {
        while (true) {
            long next = scheduler.nextDueNanos();
            if (next > endNanos) {
                clock.sleepUntil(endNanos);
                return;
            }
            clock.sleepUntil(next);
            scheduler.runDue();
        }
    }

    @Test
    void tracksWithDifferentFrameDurationsAndStartsGetEveryFrameExactlyWhenDue() {
        AudioStreamTrack a = track(48_000, Duration.ofMillis(20));
        AudioStreamTrack b = track(48_000, Duration.ofMillis(10));
        AudioStreamTrack c = track(16_000, Duration.ofMillis(30));
        Recorder ra = new Recorder();
        Recorder rb = new Recorder();
        Recorder rc = new Recorder();
        scheduler.attach(a, ra);
        runUntil(Duration.ofMillis(5).toNanos());
        scheduler.attach(b, rb);
        runUntil(Duration.ofMillis(7).toNanos());
        scheduler.attach(c, rc);
        runUntil(Duration.ofSeconds(1).toNanos());

        assertSchedule(ra, 0, 20, 960);
        assertSchedule(rb, 5, 10, 480);
        assertSchedule(rc, 7, 30, 480);
        assertThat(scheduler.stats().latenessMax()).isEqualTo(Duration.ZERO);
        assertThat(scheduler.stats().framesDelivered())
                .isEqualTo(ra.deliveries.size() + rb.deliveries.size() + rc.deliveries.size());
    }

    private static void assertSchedule(Recorder r, long startMs, long frameMs, int samplesPerFrame) {
        long expectedFrames = (1000 - startMs) / frameMs + 1;
        assertThat(r.deliveries).hasSize((int) expectedFrames);
        for (int n = 0; n < r.deliveries.size(); n++) {
            Delivery d = r.deliveries.get(n);
            assertThat(d.atNanos()).isEqualTo(Duration.ofMillis(startMs + n * frameMs).toNanos());
            assertThat(d.pts()).isEqualTo((long) n * samplesPerFrame);
        }
    }

    @Test
    void deliversAudioExactlyAsRecvWould() {
        AudioStreamTrack t = track(48_000, Duration.ofMillis(20));
        t.write(PcmData.ofShorts(48_000, 1, AudioStreamTrackTest.ramp(1, 960 + 480)), true);
        Recorder r = new Recorder();
        scheduler.attach(t, r);
        runUntil(Duration.ofMillis(40).toNanos());
        assertThat(r.deliveries).extracting(Delivery::firstSample).containsExactly((short) 1, (short) 961, (short) 0);
        assertThat(r.deliveries).extracting(Delivery::silence).containsExactly(false, false, true);
        TrackStats stats = t.stats();
        assertThat(stats.framesEmitted()).isEqualTo(3);
        assertThat(stats.paddedFrames()).isEqualTo(1);
        assertThat(stats.silentFrames()).isEqualTo(1);
    }

    @Test
    void detachStopsDeliveryAndReattachResumesTheSchedule() {
        AudioStreamTrack t = track(48_000, Duration.ofMillis(20));
        Recorder r = new Recorder();
        FrameScheduler.Attachment handle = scheduler.attach(t, r);
        runUntil(Duration.ofMillis(100).toNanos());
        assertThat(r.deliveries).hasSize(6);
        handle.close();
        assertThat(handle.isAttached()).isFalse();
        assertThat(scheduler.stats().tracksAttached()).isZero();
        runUntil(Duration.ofMillis(200).toNanos());
        assertThat(r.deliveries).hasSize(6);

        scheduler.attach(t, r);
        runUntil(Duration.ofMillis(200).toNanos());
        // Frames 6..10 were due between 120 and 200 ms: delivered at once, in order, then on time.
        assertThat(r.deliveries).hasSize(11);
        assertThat(r.deliveries.get(10).pts()).isEqualTo(10 * 960);
        assertThat(t.stats().lateFrames()).isEqualTo(4);
    }

    @Test
    void attachAndDetachWhileRunningKeepOtherTracksOnTime() {
        List<AudioStreamTrack> tracks = new ArrayList<>();
        List<Recorder> recorders = new ArrayList<>();
        List<FrameScheduler.Attachment> handles = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            AudioStreamTrack t = track(48_000, Duration.ofMillis(20));
            Recorder r = new Recorder();
            tracks.add(t);
            recorders.add(r);
            handles.add(scheduler.attach(t, r));
            runUntil(clock.nanoTime() + Duration.ofMillis(3).toNanos());
        }
        for (int i = 0; i < 50; i += 2) {
            handles.get(i).close();
        }
        runUntil(clock.nanoTime() + Duration.ofSeconds(1).toNanos());
        assertThat(scheduler.stats().tracksAttached()).isEqualTo(25);
        assertThat(scheduler.stats().latenessMax()).isEqualTo(Duration.ZERO);
        for (int i = 1; i < 50; i += 2) {
            List<Delivery> d = recorders.get(i).deliveries;
            for (int n = 1; n < d.size(); n++) {
                assertThat(d.get(n).atNanos() - d.get(n - 1).atNanos()).isEqualTo(Duration.ofMillis(20).toNanos());
                assertThat(d.get(n).pts()).isEqualTo(d.get(n - 1).pts() + 960);
            }
        }
    }

    @Test
    void tracksAttachedAfterOthersLeftGetTheirOwnFramesOnTime() {
        // The worker keeps attachments in slots that departed tracks leave free for new ones;
        // 10 ms tracks among 20 ms ones also take the heap. Each track plays its own constant
        // value, so a frame handed to the wrong sink, or a slot left pointing at a departed
        // track, would show.
        class Own implements FrameSink {
            final short value;
            final long start;
            final long frameNanos;
            final List<Delivery> deliveries = new ArrayList<>();

            Own(short value, long frameNanos) {
                this.value = value;
                this.start = clock.nanoTime();
                this.frameNanos = frameNanos;
            }

            @Override
            public void onFrame(AudioFrame frame) {
                deliveries.add(new Delivery(clock.nanoTime(), frame.pts(), frame.isSilence(), frame.shorts()[0]));
            }
        }
        List<AudioStreamTrack> tracks = new ArrayList<>();
        List<Own> sinks = new ArrayList<>();
        List<FrameScheduler.Attachment> handles = new ArrayList<>();
        java.util.function.IntConsumer attach = i -> {
            Duration frame = Duration.ofMillis(i % 3 == 0 ? 10 : 20);
            AudioStreamTrack t = track(48_000, frame);
            short[] pcm = new short[48_000];
            java.util.Arrays.fill(pcm, (short) (i + 1));
            t.write(PcmData.ofShorts(48_000, 1, pcm));
            Own sink = new Own((short) (i + 1), frame.toNanos());
            tracks.add(t);
            sinks.add(sink);
            handles.add(scheduler.attach(t, sink));
            runUntil(clock.nanoTime() + Duration.ofMillis(1).toNanos() + i * 37_000L);
        };
        for (int i = 0; i < 30; i++) {
            attach.accept(i);
        }
        runUntil(clock.nanoTime() + Duration.ofMillis(100).toNanos());
        for (int i = 0; i < 30; i += 2) {
            if (i % 4 == 0) {
                handles.get(i).close();
            } else {
                tracks.get(i).stop(); // the worker notices at its next due time
            }
        }
        runUntil(clock.nanoTime() + Duration.ofMillis(50).toNanos());
        int[] sizesAtDeparture = sinks.stream().mapToInt(o -> o.deliveries.size()).toArray();
        for (int i = 30; i < 50; i++) {
            attach.accept(i);
        }
        runUntil(clock.nanoTime() + Duration.ofMillis(500).toNanos());

        assertThat(scheduler.stats().tracksAttached()).isEqualTo(15 + 20);
        assertThat(scheduler.slotsUsed()).as("15 slots given back and taken again").isEqualTo(30 + 5);
        assertThat(scheduler.stats().latenessMax()).isEqualTo(Duration.ZERO);
        long end = clock.nanoTime();
        for (int i = 0; i < sinks.size(); i++) {
            Own o = sinks.get(i);
            assertThat(o.deliveries).as("track %d", i).isNotEmpty();
            for (int n = 0; n < o.deliveries.size(); n++) {
                Delivery d = o.deliveries.get(n);
                assertThat(d.silence()).as("track %d frame %d", i, n).isFalse();
                assertThat(d.firstSample()).as("track %d frame %d", i, n).isEqualTo(o.value);
                assertThat(d.atNanos()).as("track %d frame %d", i, n).isEqualTo(o.start + n * o.frameNanos);
            }
            if (i < 30 && i % 2 == 0) {
                assertThat(o.deliveries).as("departed track %d", i).hasSize(sizesAtDeparture[i]);
            } else {
                assertThat(o.deliveries).as("live track %d", i).hasSize((int) ((end - o.start) / o.frameNanos) + 1);
            }
        }
    }

    @Test
    void aTrackAttachedFromASinkWaitsForThePassToEndAndMovesNoOtherTrack() {
        // y is served from the heap (10 ms frames among a 20 ms track); its sink attaches x, whose
        // kept schedule is behind, and asks for the next due time. Taking x in right then would
        // put it at the heap's top, under y, which is put back after the sink returns.
        AudioStreamTrack x = track(48_000, Duration.ofMillis(10));
        AudioStreamTrack r = track(48_000, Duration.ofMillis(20));
        AudioStreamTrack y = track(48_000, Duration.ofMillis(10));
        List<String> log = new ArrayList<>();
        FrameScheduler.Attachment ax = scheduler.attach(x, f -> log.add("x@" + clock.nanoTime() / 1_000_000));
        scheduler.runDue(); // x at 0, next due 10
        clock.sleepUntil(Duration.ofMillis(1).toNanos());
        ax.close(); // x keeps its schedule
        clock.sleepUntil(Duration.ofMillis(5).toNanos());
        scheduler.attach(r, f -> log.add("r@" + clock.nanoTime() / 1_000_000));
        scheduler.runDue();
        clock.sleepUntil(Duration.ofMillis(6).toNanos());
        scheduler.attach(y, f -> {
            log.add("y@" + clock.nanoTime() / 1_000_000 + "/" + f.pts());
            if (clock.nanoTime() == Duration.ofMillis(16).toNanos() && !log.contains("attached")) {
                log.add("attached");
                scheduler.attach(x, g -> log.add("x@" + clock.nanoTime() / 1_000_000));
                scheduler.nextDueNanos();
            }
        });
        runUntil(Duration.ofMillis(40).toNanos());

        assertThat(log).containsExactly("x@0", "r@5", "y@6/0", "y@16/480", "attached",
                "x@16", "x@20", "r@25", "y@26/960", "x@30", "y@36/1440", "x@40");
    }

    @Test
    void aThrowingSinkIsCountedAndIsolated() {
        AudioStreamTrack bad = track(48_000, Duration.ofMillis(20));
        AudioStreamTrack good = track(48_000, Duration.ofMillis(20));
        int[] calls = new int[1];
        FrameScheduler.Attachment badHandle = scheduler.attach(bad, frame -> {
            calls[0]++;
            throw new IllegalStateException("sink failure " + frame.pts());
        });
        Recorder r = new Recorder();
        scheduler.attach(good, r);
        runUntil(Duration.ofMillis(180).toNanos());
        assertThat(calls[0]).isEqualTo(10);
        assertThat(badHandle.sinkErrors()).isEqualTo(10);
        assertThat(badHandle.isAttached()).isTrue();
        assertThat(bad.stats().framesEmitted()).isEqualTo(10);
        assertThat(r.deliveries).hasSize(10);
        assertThat(scheduler.stats().sinkErrors()).isEqualTo(10);
    }

    @Test
    void aStoppedTrackIsDetachedCleanly() {
        AudioStreamTrack t = track(48_000, Duration.ofMillis(20));
        Recorder r = new Recorder();
        FrameScheduler.Attachment handle = scheduler.attach(t, r);
        runUntil(Duration.ofMillis(40).toNanos());
        t.stop();
        runUntil(Duration.ofMillis(200).toNanos());
        assertThat(r.deliveries).hasSize(3);
        assertThat(handle.isAttached()).isFalse();
        assertThat(scheduler.stats().tracksAttached()).isZero();
        assertThat(scheduler.nextDueNanos()).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void aTrackThatSkipsAheadAfterAStallIsServedInDueOrderAmongTheOthers() {
        // Three tracks in step, one of which re-anchors after a stall: its next due time then falls
        // between the others', and from there on every frame must still go out exactly when due.
        long[] startMs = {0, 7, 13};
        AudioStreamTrack[] tracks = {
            AudioStreamTrack.builder().clock(clock).maxCatchUp(Duration.ofMillis(20)).build(),
            track(48_000, Duration.ofMillis(20)), track(48_000, Duration.ofMillis(20))};
        List<Delivery> all = new ArrayList<>();
        List<Long> dues = new ArrayList<>();
        for (int i = 0; i < tracks.length; i++) {
            clock.sleepUntil(Duration.ofMillis(startMs[i]).toNanos());
            long start = clock.nanoTime();
            scheduler.attach(tracks[i], frame -> {
                all.add(new Delivery(clock.nanoTime(), frame.pts(), frame.isSilence(), (short) 0));
                dues.add(start + frame.pts() * 1_000_000_000L / 48_000);
            });
        }
        runUntil(Duration.ofMillis(100).toNanos());
        clock.advance(Duration.ofMillis(95)); // a stall: every track is late, the first beyond its 20 ms limit
        scheduler.runDue();
        int burstEnd = all.size();
        runUntil(Duration.ofMillis(400).toNanos());

        assertThat(tracks[0].stats().stalls()).isEqualTo(1);
        assertThat(tracks[0].stats().skippedFrames()).isEqualTo(3); // the slots at 120, 140 and 160 ms
        assertThat(tracks[1].stats().stalls()).isZero();
        for (int i = burstEnd; i < all.size(); i++) {
            assertThat(all.get(i).atNanos()).as("delivery %d after the stall", i).isEqualTo(dues.get(i));
        }
        assertThat(dues.subList(burstEnd, dues.size())).isSorted();
        assertThat(tracks[0].stats().framesEmitted()).isEqualTo(21 - 3); // slots 0..400 ms
        assertThat(tracks[1].stats().framesEmitted()).isEqualTo(20); // 7..387 ms
        assertThat(tracks[2].stats().framesEmitted()).isEqualTo(20); // 13..393 ms
        assertThat(scheduler.stats().framesDelivered()).isEqualTo(all.size());
    }

    @Test
    void closingAManualSchedulerFromASinkStopsThePassAndDetachesEverything() throws Exception {
        AudioStreamTrack first = track(48_000, Duration.ofMillis(20));
        AudioStreamTrack second = track(48_000, Duration.ofMillis(20));
        Recorder r = new Recorder();
        FrameScheduler.Attachment closer = scheduler.attach(first, frame -> scheduler.close());
        FrameScheduler.Attachment other = scheduler.attach(second, r);
        assertThat(scheduler.runDue()).isEqualTo(1);
        assertThat(closer.isAttached()).isFalse();
        assertThat(other.isAttached()).isFalse();
        assertThat(r.deliveries).isEmpty();
        assertThat(scheduler.stats().tracksAttached()).isZero();
        assertThat(second.recv().pts()).as("the track is free for another consumer").isZero();
    }

    @Test
    void aTrackHasOneConsumer() throws Exception {
        AudioStreamTrack t = track(48_000, Duration.ofMillis(20));
        FrameScheduler.Attachment handle = scheduler.attach(t, frame -> { });
        assertThatThrownBy(() -> scheduler.attach(t, frame -> { })).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("already attached");
        assertThatThrownBy(t::recv).isInstanceOf(IllegalStateException.class).hasMessageContaining("FrameScheduler");
        handle.close();
        assertThat(t.recv().pts()).isZero();
    }

    @Test
    void attachingAStoppedTrackFails() {
        AudioStreamTrack t = track(48_000, Duration.ofMillis(20));
        t.stop();
        assertThatThrownBy(() -> scheduler.attach(t, frame -> { })).isInstanceOf(TrackEndedException.class);
    }

    @Test
    void latenessIsMeasuredAgainstTheDueTime() {
        AudioStreamTrack t = track(48_000, Duration.ofMillis(20));
        scheduler.attach(t, frame -> { });
        scheduler.runDue();
        clock.advance(Duration.ofMillis(65));
        assertThat(scheduler.runDue()).isEqualTo(3); // frames due at 20, 40, 60 ms
        SchedulerStats stats = scheduler.stats();
        assertThat(stats.framesDelivered()).isEqualTo(4);
        assertThat(stats.latenessMax()).isEqualTo(Duration.ofMillis(45));
        assertThat(stats.latenessP50().toMillis()).isBetween(4L, 5L);
        assertThat(t.stats().lateFrames()).isEqualTo(3);
        assertThat(t.stats().maxLateness()).isEqualTo(Duration.ofMillis(45));
    }

    @Test
    void playoutCompletesAfterTheLastWrittenSampleIsEmittedAndNotBefore() throws Exception {
        AudioStreamTrack t = track(48_000, Duration.ofMillis(20));
        Recorder r = new Recorder();
        scheduler.attach(t, r);
        t.write(PcmData.ofShorts(48_000, 1, AudioStreamTrackTest.ramp(1, 960 * 2 + 480)), true);
        CompletableFuture<Void> played = t.playout();
        scheduler.runDue();
        runUntil(Duration.ofMillis(20).toNanos());
        assertThat(r.deliveries).hasSize(2);
        Thread.sleep(50); // completion is asynchronous: give a wrong early completion time to show
        assertThat(played).isNotDone();
        runUntil(Duration.ofMillis(40).toNanos());
        assertThat(r.deliveries).hasSize(3);
        played.get(5, TimeUnit.SECONDS);
        assertThat(played).isCompleted();
    }

    @Test
    void playoutWorksWithRecvAndCompletesAtOnceWhenNothingIsBuffered() throws Exception {
        AudioStreamTrack t = track(48_000, Duration.ofMillis(20));
        assertThat(t.playout()).isCompleted();
        t.write(PcmData.ofShorts(48_000, 1, AudioStreamTrackTest.ramp(1, 960 + 100)));
        CompletableFuture<Void> played = t.playout();
        t.recv();
        t.recv();
        Thread.sleep(50);
        assertThat(played).as("100 samples are still held as a partial frame").isNotDone();
        t.write(PcmData.ofShorts(48_000, 1, new short[0]), true);
        t.recv();
        played.get(5, TimeUnit.SECONDS);
    }

    @Test
    void playoutCompletesOnFlushAndFailsOnStop() throws Exception {
        AudioStreamTrack t = track(48_000, Duration.ofMillis(20));
        t.write(PcmData.ofShorts(48_000, 1, new short[4800]));
        CompletableFuture<Void> flushed = t.playout();
        t.flush();
        flushed.get(5, TimeUnit.SECONDS);
        t.write(PcmData.ofShorts(48_000, 1, new short[4800]));
        CompletableFuture<Void> stopped = t.playout();
        t.stop();
        assertThatThrownBy(() -> stopped.get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(TrackEndedException.class);
    }

    @Test
    void deliveringAFrameAllocatesNothing() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        PcmData chunk = PcmData.ofShorts(48_000, 1, new short[960]);
        List<AudioStreamTrack> tracks = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            AudioStreamTrack t = track(48_000, Duration.ofMillis(20));
            tracks.add(t);
            scheduler.attach(t, frame -> { });
            clock.advance(Duration.ofNanos(200_000));
        }
        long[] frames = {0};
        AudioStreamTrack[] all = tracks.toArray(new AudioStreamTrack[0]); // no iterator garbage in the loop
        Runnable period = () -> {
            for (int i = 0; i < all.length; i++) {
                all[i].write(chunk);
            }
            long end = clock.nanoTime() + 20_000_000L;
            while (scheduler.nextDueNanos() <= end) {
                clock.sleepUntil(scheduler.nextDueNanos());
                frames[0] += scheduler.runDue();
            }
            clock.sleepUntil(end);
        };
        for (int i = 0; i < 3_000; i++) {
            period.run(); // long enough for the JIT to compile the whole path
        }
        // The JIT may still recompile a path once after the warm-up (other tests in this JVM change
        // the profiles), which allocates a few hundred bytes once: the first clean window of up to
        // five counts. An allocation per frame would make every window allocate 16 * 30,000 bytes.
        long tid = Thread.currentThread().getId();
        long allocated = -1;
        for (int window = 0; window < 5 && allocated != 0; window++) {
            long before = threads.getThreadAllocatedBytes(tid);
            long framesBefore = frames[0];
            for (int i = 0; i < 300; i++) {
                period.run();
            }
            allocated = threads.getThreadAllocatedBytes(tid) - before;
            assertThat(frames[0] - framesBefore).isEqualTo(300 * 100);
        }
        assertThat(allocated).as("bytes allocated over 30,000 delivered frames").isZero();
    }

    @Test
    void threadedSchedulerDeliversInRealTime() throws Exception {
        try (FrameScheduler threaded = new FrameScheduler(MediaClock.system(), 2)) {
            List<AudioStreamTrack> tracks = new ArrayList<>();
            long[] counts = new long[4];
            for (int i = 0; i < 4; i++) {
                AudioStreamTrack t = AudioStreamTrack.create();
                tracks.add(t);
                int k = i;
                threaded.attach(t, frame -> counts[k]++);
            }
            Thread.sleep(500);
            SchedulerStats stats = threaded.stats();
            assertThat(stats.tracksAttached()).isEqualTo(4);
            // 500 ms is 25 frames after the first; a loaded machine may lag, never run ahead.
            for (AudioStreamTrack t : tracks) {
                assertThat(t.stats().framesEmitted()).isBetween(10L, 27L);
            }
            assertThat(stats.framesDelivered()).isBetween(40L, 108L);
        }
    }
}
