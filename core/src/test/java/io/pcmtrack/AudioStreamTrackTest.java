package io.pcmtrack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

import org.junit.jupiter.api.Test;

/** The numbered semantics of the API contract, one behaviour per test, in virtual time. */
class AudioStreamTrackTest {
    private static final Duration MS_20 = Duration.ofMillis(20);

    private final VirtualClock clock = new VirtualClock();

    private AudioStreamTrack.Builder track() {
        return AudioStreamTrack.builder().clock(clock);
    }

    /** 16-bit samples counting up from {@code start}, so that order and position can be checked. */
    static short[] ramp(int start, int n) {
        short[] s = new short[n];
        for (int i = 0; i < n; i++) {
            s[i] = (short) (start + i);
        }
        return s;
    }

    static PcmData rampPcm(int start, int n) {
        return PcmData.ofShorts(48_000, 1, ramp(start, n));
    }

    // ---- defaults and builder ----

    @Test
    void createHasTheDocumentedDefaults() {
        try (AudioStreamTrack t = AudioStreamTrack.create()) {
            assertThat(t.format()).isEqualTo(PcmFormat.s16(48_000, 1));
            assertThat(t.samplesPerFrame()).isEqualTo(960);
            assertThat(t.frameDuration()).isEqualTo(MS_20);
            assertThat(t.bufferLimit()).isEqualTo(Duration.ofSeconds(30));
            assertThat(t.overflow()).isEqualTo(OverflowPolicy.DROP_OLDEST);
            assertThat(t.clock()).isSameAs(MediaClock.system());
            assertThat(t.kind()).isEqualTo("audio");
            assertThat(t.isLive()).isTrue();
            assertThat(t.buffered()).isEqualTo(Duration.ZERO);
        }
    }

    @Test
    void idsAreUnique() {
        assertThat(AudioStreamTrack.create().id()).isNotBlank().isNotEqualTo(AudioStreamTrack.create().id());
    }

    @Test
    void builderSetsFormatAndFrameSize() {
        AudioStreamTrack t = track().sampleRate(16_000).channels(2).sampleFormat(SampleFormat.F32)
                .frameDuration(Duration.ofMillis(10)).bufferLimit(Duration.ofSeconds(2)).build();
        assertThat(t.format()).isEqualTo(PcmFormat.f32(16_000, 2));
        assertThat(t.samplesPerFrame()).isEqualTo(160);
        assertThat(t.bufferLimit()).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void builderRejectsBadValuesNamingThem() {
        assertThatThrownBy(() -> track().sampleRate(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("sampleRate").hasMessageContaining("got 0");
        assertThatThrownBy(() -> track().channels(33)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("channels").hasMessageContaining("33");
        assertThatThrownBy(() -> track().sampleFormat(SampleFormat.S24)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("S16 or F32").hasMessageContaining("S24");
        assertThatThrownBy(() -> track().sampleFormat(null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> track().frameDuration(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("frameDuration");
        assertThatThrownBy(() -> track().frameDuration(null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> track().bufferLimit(Duration.ofMillis(-1))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bufferLimit");
        assertThatThrownBy(() -> track().overflow(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> track().clock(null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void frameDurationMustBeAWholeNumberOfSamples() {
        assertThatThrownBy(() -> track().sampleRate(44_100).frameDuration(Duration.ofMillis(1)).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("whole number of samples").hasMessageContaining("44100");
        assertThat(track().sampleRate(44_100).frameDuration(Duration.ofMillis(10)).build().samplesPerFrame())
                .isEqualTo(441);
    }

    @Test
    void blockingBufferMustHoldAFrame() {
        assertThatThrownBy(() -> track().overflow(OverflowPolicy.BLOCK).bufferLimit(Duration.ofMillis(10)).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bufferLimit");
    }

    // ---- 4. pacing ----

    @Test
    void firstRecvReturnsAtOnceWithPtsZero() throws Exception {
        clock.advance(Duration.ofSeconds(5));
        AudioStreamTrack t = track().build();
        AudioFrame f = t.recv();
        assertThat(f.pts()).isZero();
        assertThat(clock.nanoTime()).isEqualTo(Duration.ofSeconds(5).toNanos());
    }

    @Test
    void frameNIsDueAtAnchorPlusNFrameDurations() throws Exception {
        clock.advance(Duration.ofMillis(7));
        AudioStreamTrack t = track().build();
        for (int n = 0; n < 50; n++) {
            AudioFrame f = t.recv();
            assertThat(f.pts()).isEqualTo(n * 960L);
            assertThat(clock.nanoTime()).isEqualTo(Duration.ofMillis(7).plus(MS_20.multipliedBy(n)).toNanos());
        }
        assertThat(t.stats().lateFrames()).isZero();
    }

    @Test
    void overdueFramesComeAtOnceWithoutDrift() throws Exception {
        AudioStreamTrack t = track().build();
        t.recv();
        clock.advance(Duration.ofMillis(100));
        for (int n = 1; n <= 5; n++) {
            assertThat(t.recv().pts()).isEqualTo(n * 960L);
            assertThat(clock.nanoTime()).isEqualTo(Duration.ofMillis(100).toNanos());
        }
        t.recv();
        assertThat(clock.nanoTime()).isEqualTo(Duration.ofMillis(120).toNanos());
        TrackStats stats = t.stats();
        assertThat(stats.lateFrames()).isEqualTo(4);
        assertThat(stats.maxLateness()).isEqualTo(Duration.ofMillis(80));
        assertThat(stats.framesEmitted()).isEqualTo(7);
    }

    // ---- 1, 5. frames and starvation ----

    @Test
    void starvedTrackEmitsSilenceWithAdvancingPts() throws Exception {
        AudioStreamTrack t = track().build();
        for (int n = 0; n < 3; n++) {
            AudioFrame f = t.recv();
            assertThat(f.isSilence()).isTrue();
            assertThat(f.pts()).isEqualTo(n * 960L);
            assertThat(f.shorts()).hasSize(960).containsOnly((short) 0);
            assertThat(f.duration()).isEqualTo(MS_20);
        }
        assertThat(t.stats().silentFrames()).isEqualTo(3);
    }

    @Test
    void framesHoldExactlyOneFrameOfTheTrackFormat() throws Exception {
        AudioStreamTrack t = track().sampleRate(16_000).channels(2).sampleFormat(SampleFormat.F32).build();
        t.write(PcmData.ofFloats(16_000, 2, new float[640]));
        AudioFrame f = t.recv();
        assertThat(f.format()).isEqualTo(PcmFormat.f32(16_000, 2));
        assertThat(f.samplesPerChannel()).isEqualTo(320);
        assertThat(f.floats()).hasSize(640);
        assertThat(f.isSilence()).isFalse();
        assertThatThrownBy(f::shorts).isInstanceOf(IllegalStateException.class);
    }

    // ---- 6. FIFO ----

    @Test
    void framesComeOutInWriteOrderWhateverTheChunking() throws Exception {
        AudioStreamTrack t = track().build();
        int total = 960 * 7;
        for (int off = 0; off < total; off += 700) {
            t.write(rampPcm(off, Math.min(700, total - off)));
        }
        for (int n = 0; n < 7; n++) {
            assertThat(t.recv().shorts()).containsExactly(ramp(n * 960, 960));
        }
        assertThat(t.recv().isSilence()).isTrue();
    }

    // ---- 3. partial frames ----

    @Test
    void partialFrameIsHeldUntilMoreAudioCompletesIt() throws Exception {
        AudioStreamTrack t = track().build();
        t.write(rampPcm(0, 1440));
        assertThat(t.recv().shorts()).containsExactly(ramp(0, 960));
        AudioFrame starved = t.recv();
        assertThat(starved.isSilence()).isTrue();
        assertThat(t.buffered()).isEqualTo(Duration.ofMillis(10));
        t.write(rampPcm(1440, 480));
        assertThat(t.recv().shorts()).containsExactly(ramp(960, 960));
    }

    @Test
    void lastWriteReleasesThePartialFramePaddedWithSilence() throws Exception {
        AudioStreamTrack t = track().build();
        t.write(rampPcm(1, 960 + 480), true);
        assertThat(t.recv().shorts()).containsExactly(ramp(1, 960));
        AudioFrame padded = t.recv();
        assertThat(padded.isSilence()).isFalse();
        short[] expected = new short[960];
        System.arraycopy(ramp(961, 480), 0, expected, 0, 480);
        assertThat(padded.shorts()).containsExactly(expected);
        assertThat(t.stats().paddedFrames()).isEqualTo(1);
        assertThat(t.recv().isSilence()).isTrue();
    }

    @Test
    void emptyLastWriteReleasesWhatIsHeld() throws Exception {
        AudioStreamTrack t = track().build();
        t.write(rampPcm(1, 100));
        assertThat(t.recv().isSilence()).isTrue();
        t.write(rampPcm(0, 0), true);
        short[] f = t.recv().shorts();
        assertThat(f[0]).isEqualTo((short) 1);
        assertThat(f[99]).isEqualTo((short) 100);
        assertThat(f[100]).isZero();
    }

    @Test
    void audioAfterAReleasedPartialStartsOnTheNextFrame() throws Exception {
        AudioStreamTrack t = track().build();
        t.write(rampPcm(1, 480), true);
        t.write(rampPcm(5000, 960));
        short[] first = t.recv().shorts();
        assertThat(first[479]).isEqualTo((short) 480);
        assertThat(first[480]).isZero();
        assertThat(t.recv().shorts()).containsExactly(ramp(5000, 960));
        assertThat(t.stats().paddedFrames()).isEqualTo(1);
    }

    // ---- 7. overflow ----

    @Test
    void dropOldestTrimsSampleExactToTheLimit() throws Exception {
        AudioStreamTrack t = track().bufferLimit(Duration.ofMillis(100)).build();
        t.write(rampPcm(0, 3000));
        t.write(rampPcm(3000, 3240));
        assertThat(t.buffered()).isEqualTo(Duration.ofMillis(100));
        assertThat(t.stats().droppedSamples()).isEqualTo(1440);
        assertThat(t.recv().shorts()).containsExactly(ramp(1440, 960));
    }

    @Test
    void dropOldestWithOneChunkLargerThanTheLimitKeepsItsNewestAudio() throws Exception {
        AudioStreamTrack t = track().bufferLimit(Duration.ofMillis(40)).build();
        t.write(rampPcm(0, 500));
        t.write(rampPcm(500, 20_000));
        assertThat(t.buffered()).isEqualTo(Duration.ofMillis(40));
        assertThat(t.stats().droppedSamples()).isEqualTo(20_500 - 1920);
        assertThat(t.stats().writtenSamples()).isEqualTo(20_500);
        assertThat(t.recv().shorts()).containsExactly(ramp(20_500 - 1920, 960));
        assertThat(t.recv().shorts()).containsExactly(ramp(20_500 - 960, 960));
    }

    @Test
    void stereoDropsWholeSampleFrames() throws Exception {
        AudioStreamTrack t = track().channels(2).bufferLimit(MS_20).build();
        t.write(PcmData.ofShorts(48_000, 2, ramp(0, 2 * 1000)));
        assertThat(t.stats().droppedSamples()).isEqualTo(40);
        assertThat(t.recv().shorts()).containsExactly(ramp(80, 1920));
    }

    @Test
    void blockWaitsForRoomAndLosesNothing() throws Exception {
        AudioStreamTrack t = track().overflow(OverflowPolicy.BLOCK).bufferLimit(Duration.ofMillis(40)).build();
        int total = 960 * 10;
        Thread writer = new Thread(() -> t.write(rampPcm(0, total)));
        writer.start();
        awaitBlocked(writer);
        assertThat(t.buffered()).isEqualTo(Duration.ofMillis(40));
        for (int n = 0; n < 10; n++) {
            // Virtual time does not wait for the writer: let it refill before taking a frame.
            awaitBuffered(t, n < 9 ? 1920 : 960);
            assertThat(t.recv().shorts()).containsExactly(ramp(n * 960, 960));
        }
        writer.join(10_000);
        assertThat(writer.isAlive()).isFalse();
        assertThat(t.stats().droppedSamples()).isZero();
        assertThat(t.stats().writtenSamples()).isEqualTo(total);
    }

    @Test
    void blockedWriteIsInterruptible() throws Exception {
        AudioStreamTrack t = track().overflow(OverflowPolicy.BLOCK).bufferLimit(Duration.ofMillis(40)).build();
        Throwable[] thrown = new Throwable[1];
        boolean[] interruptedAfter = new boolean[1];
        Thread writer = new Thread(() -> {
            try {
                t.write(rampPcm(0, 960 * 5));
            } catch (Throwable e) {
                thrown[0] = e;
                interruptedAfter[0] = Thread.currentThread().isInterrupted();
            }
        });
        writer.start();
        awaitBlocked(writer);
        writer.interrupt();
        writer.join(10_000);
        assertThat(thrown[0]).isInstanceOf(WriteInterruptedException.class);
        assertThat(((WriteInterruptedException) thrown[0]).samplesWritten()).isEqualTo(1920);
        assertThat(interruptedAfter[0]).isTrue();
        assertThat(t.buffered()).isEqualTo(Duration.ofMillis(40));
    }

    @Test
    void flushReleasesABlockedWriter() throws Exception {
        AudioStreamTrack t = track().overflow(OverflowPolicy.BLOCK).bufferLimit(Duration.ofMillis(40)).build();
        Thread writer = new Thread(() -> t.write(rampPcm(0, 960 * 5)));
        writer.start();
        awaitBlocked(writer);
        t.flush();
        writer.join(10_000);
        assertThat(writer.isAlive()).isFalse();
        assertThat(t.buffered()).isEqualTo(Duration.ZERO);
        assertThat(t.recv().isSilence()).isTrue();
    }

    // ---- 8. flush ----

    @Test
    void flushDiscardsBufferedAudioAndTheHeldPartial() throws Exception {
        AudioStreamTrack t = track().build();
        t.write(rampPcm(0, 960 * 3 + 100));
        t.recv();
        t.flush();
        assertThat(t.buffered()).isEqualTo(Duration.ZERO);
        assertThat(t.recv().isSilence()).isTrue();
        t.write(rampPcm(7000, 960));
        assertThat(t.recv().shorts()).containsExactly(ramp(7000, 960));
        TrackStats stats = t.stats();
        assertThat(stats.flushes()).isEqualTo(1);
        assertThat(stats.flushedSamples()).isEqualTo(960 * 2 + 100);
    }

    @Test
    void flushForgetsAReleasedPartial() throws Exception {
        AudioStreamTrack t = track().build();
        t.write(rampPcm(1, 100), true);
        t.flush();
        t.write(rampPcm(3000, 960));
        assertThat(t.recv().shorts()).containsExactly(ramp(3000, 960));
        assertThat(t.stats().paddedFrames()).isZero();
    }

    // ---- 9. stop ----

    @Test
    void stoppedTrackRejectsWriteAndRecv() {
        AudioStreamTrack t = track().build();
        t.write(rampPcm(0, 960));
        t.stop();
        assertThat(t.isLive()).isFalse();
        assertThatThrownBy(() -> t.write(rampPcm(0, 960))).isInstanceOf(TrackEndedException.class);
        assertThatThrownBy(t::recv).isInstanceOf(TrackEndedException.class);
        assertThat(t.buffered()).isEqualTo(Duration.ZERO);
        t.stop();
        t.close();
        t.flush();
        assertThat(t.isLive()).isFalse();
    }

    @Test
    void stopWakesABlockedWriter() throws Exception {
        AudioStreamTrack t = track().overflow(OverflowPolicy.BLOCK).bufferLimit(Duration.ofMillis(40)).build();
        Throwable[] thrown = new Throwable[1];
        Thread writer = new Thread(() -> {
            try {
                t.write(rampPcm(0, 960 * 5));
            } catch (Throwable e) {
                thrown[0] = e;
            }
        });
        writer.start();
        awaitBlocked(writer);
        t.stop();
        writer.join(10_000);
        assertThat(thrown[0]).isInstanceOf(TrackEndedException.class);
    }

    // ---- 10. bad input ----

    @Test
    void nullChunkIsRejectedAndChangesNothing() throws Exception {
        AudioStreamTrack t = track().build();
        t.write(rampPcm(0, 1000));
        TrackStats before = t.stats();
        assertThatThrownBy(() -> t.write(null)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("pcm");
        assertThatThrownBy(() -> t.write(null, true)).isInstanceOf(IllegalArgumentException.class);
        assertThat(t.stats()).isEqualTo(before);
        assertThat(t.buffered()).isEqualTo(Duration.ofNanos(1000 * 1_000_000_000L / 48_000));
        assertThat(t.recv().shorts()).containsExactly(ramp(0, 960));
        assertThat(t.recv().isSilence()).isTrue(); // the 40 samples are still held, not released
    }

    @Test
    void recvIntoAFrameOfAnotherFormatIsRejectedWithoutConsuming() throws Exception {
        AudioStreamTrack t = track().build();
        t.write(rampPcm(0, 960));
        AudioFrame wrong = AudioFrame.allocate(PcmFormat.s16(48_000, 2), 960);
        assertThatThrownBy(() -> t.recv(wrong)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("reuse");
        AudioFrame f = t.recv();
        assertThat(f.pts()).isZero();
        assertThat(f.shorts()).containsExactly(ramp(0, 960));
    }

    // ---- recv(reuse), recvAsync ----

    @Test
    void recvWithReuseRefillsTheSameFrame() throws Exception {
        AudioStreamTrack t = track().build();
        t.write(rampPcm(0, 1920));
        AudioFrame first = t.recv();
        AudioFrame second = t.recv(first);
        assertThat(second).isSameAs(first);
        assertThat(second.pts()).isEqualTo(960);
        assertThat(second.shorts()).containsExactly(ramp(960, 960));
        assertThat(t.recv(first).isSilence()).isTrue();
    }

    @Test
    void recvAsyncCompletesInOrder() throws Exception {
        AudioStreamTrack t = track().build();
        t.write(rampPcm(0, 1920));
        CompletableFuture<AudioFrame> a = t.recvAsync();
        CompletableFuture<AudioFrame> b = t.recvAsync();
        CompletableFuture<AudioFrame> c = t.recvAsync();
        assertThat(a.get().pts()).isZero();
        assertThat(a.get().shorts()).containsExactly(ramp(0, 960));
        assertThat(b.get().pts()).isEqualTo(960);
        assertThat(c.get().isSilence()).isTrue();
    }

    @Test
    void recvAsyncOfAStoppedTrackFails() {
        AudioStreamTrack t = track().build();
        t.stop();
        assertThatThrownBy(() -> t.recvAsync().get()).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(TrackEndedException.class);
    }

    // ---- 2. conversion at the track's rate ----

    @Test
    void monoWrittenToAStereoTrackGoesToBothChannels() throws Exception {
        AudioStreamTrack t = track().channels(2).build();
        t.write(rampPcm(-480, 960));
        short[] f = t.recv().shorts();
        for (int i = 0; i < 960; i++) {
            assertThat(f[2 * i]).isEqualTo((short) (i - 480));
            assertThat(f[2 * i + 1]).isEqualTo((short) (i - 480));
        }
    }

    @Test
    void floatsWrittenToAnS16TrackAreScaledByTheContract() throws Exception {
        AudioStreamTrack t = track().build();
        float[] f = new float[960];
        f[0] = 0.5f;
        f[1] = -1.5f;
        f[2] = Float.NaN;
        t.write(PcmData.ofFloats(48_000, 1, f));
        short[] s = t.recv().shorts();
        assertThat(s[0]).isEqualTo((short) 16384);
        assertThat(s[1]).isEqualTo((short) -32767);
        assertThat(s[2]).isZero();
    }

    @Test
    void bytesInTheTrackFormatAreCopiedExactly() throws Exception {
        AudioStreamTrack t = track().build();
        byte[] bytes = PcmData.ofShorts(48_000, 1, ramp(-32768, 960)).toBytes();
        t.write(PcmData.ofBytes(PcmFormat.s16(48_000, 1), bytes));
        assertThat(t.recv().shorts()).containsExactly(ramp(-32768, 960));
    }

    @Test
    void s16WrittenToAnF32TrackIsScaled() throws Exception {
        AudioStreamTrack t = track().sampleFormat(SampleFormat.F32).build();
        short[] s = new short[960];
        s[0] = 16384;
        s[1] = -32768;
        t.write(PcmData.ofShorts(48_000, 1, s));
        float[] f = t.recv().floats();
        assertThat(f[0]).isEqualTo(0.5f);
        assertThat(f[1]).isEqualTo(-1f);
    }

    /** Waits until the track holds {@code values} interleaved samples. */
    static void awaitBuffered(AudioStreamTrack t, long values) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (t.bufferedValues() < values) {
            assertThat(System.nanoTime()).as("writer never refilled").isLessThan(deadline);
            Thread.sleep(1);
        }
    }

    /** Waits until a writer thread is parked waiting for room. */
    static void awaitBlocked(Thread writer) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (writer.getState() != Thread.State.WAITING) {
            assertThat(System.nanoTime()).as("writer never blocked").isLessThan(deadline);
            Thread.sleep(1);
        }
    }
}
