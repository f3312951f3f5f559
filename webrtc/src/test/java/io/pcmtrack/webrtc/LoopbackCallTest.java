package io.pcmtrack.webrtc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.pcmtrack.AudioStreamTrack;
import io.pcmtrack.FrameScheduler;
import io.pcmtrack.MediaClock;
import io.pcmtrack.PcmData;
import io.pcmtrack.PcmFormat;
import io.pcmtrack.SampleFormat;
import io.pcmtrack.dsp.SignalAnalysis;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Real libwebrtc calls between two peer connections in this JVM over 127.0.0.1: what a track
 * publishes is what the receiver hears, on time.
 */
class LoopbackCallTest {
    private static final double TONE_HZ = 1000;
    private static final double TONE_DBFS = -6;
    private static final int LOUD = 4000;       // well below the tone's 16 384 peak, far above decoded silence
    private static final int QUIET = 300;       // |s| below this is "nothing" (the tone passes it in < 1 sample)

    @BeforeAll
    static void nativeLibrary() {
        WebRtcNative.ensureAvailable();
    }

    @AfterEach
    void everythingGivenBack() {
        assertThat(WebRtcFactories.leaseCounts()).containsExactly(0, 0);
    }

    /** What a received tone looks like between its first and last loud sample (50 ms trimmed off each end). */
    record ToneReport(double seconds, double hz, double dbfs, int longestQuietRun, double worstWindowDb, double sinadDb) {
        static ToneReport of(short[] x, int from, int to, int rate) {
            int a = from + rate / 20;
            int b = to - rate / 20;
            double level = Signals.sinePeakDbfs(x, a, b);
            double hz = Signals.dominantFrequency(x, a, b, rate);
            // Codec distortion: a least-squares tone fit over 100 ms in the middle of the tone.
            float[] mid = new float[rate / 10];
            int m = (a + b) / 2 - mid.length / 2;
            for (int i = 0; i < mid.length; i++) {
                mid[i] = x[m + i] / 32768f;
            }
            double sinad = SignalAnalysis.fitTone(mid, 0, mid.length, hz, rate).sinadDb();
            double worst = 0;
            int w = rate / 100;
            for (int i = a; i + w <= b; i += w) {
                double d = Signals.sinePeakDbfs(x, i, i + w) - level;
                if (Math.abs(d) > Math.abs(worst)) {
                    worst = d;
                }
            }
            return new ToneReport((to - from) / (double) rate, hz, level, Signals.longestQuietRun(x, a, b, QUIET), worst,
                    sinad);
        }
    }

    @Test
    void aBurstyProducersToneArrivesIntactAndAMarkerPromptly() throws Exception {
        try (LoopbackCall call = LoopbackCall.open();
             AudioStreamTrack track = AudioStreamTrack.create();
             Capture cap = Capture.start(call.receiver(), Duration.ofSeconds(12))) {
            BurstyProducer producer = new BurstyProducer(track, TONE_HZ, TONE_DBFS, 7);
            producer.write(Duration.ofMillis(300));
            WebRtcPublisher publisher = call.publish(track);
            producer.run(Duration.ofSeconds(3));
            track.playout().get(5, TimeUnit.SECONDS);
            Thread.sleep(800);
            long markerWritten = System.nanoTime();
            track.write(PcmData.ofShorts(48_000, 1, Signals.tone(48_000, 1, 2000, TONE_DBFS, 0, 4800)), true);
            assertThat(cap.awaitSamples(x -> Signals.firstLoud(x, cap.indexAt(markerWritten), x.length, LOUD) >= 0,
                    Duration.ofSeconds(2))).as("marker received").isTrue();
            Thread.sleep(100);

            short[] x = cap.samples();
            int markerIndex = Signals.firstLoud(x, cap.indexAt(markerWritten), x.length, LOUD);
            double delayMs = (cap.nanosOf(markerIndex) - markerWritten) / 1e6;
            int toneStart = Signals.firstLoud(x, 0, x.length, LOUD);
            int toneEnd = Signals.lastLoud(x, 0, cap.indexAt(markerWritten), LOUD);
            ToneReport tone = ToneReport.of(x, toneStart, toneEnd, 48_000);
            double markerHz = Signals.dominantFrequency(x, markerIndex + 480, markerIndex + 3840, 48_000);
            RtcAudioStats stats = call.stats(Duration.ofSeconds(2));
            System.out.printf("bursty producer (%d writes): %s; marker %.0f Hz, delay write->receive %.1f ms; "
                            + "publisher stalls %d, max push lateness %.2f ms; %s; %s%n", producer.writes, tone, markerHz,
                    delayMs, publisher.stalls(), publisher.maxLateness().toNanos() / 1e6, call.receiver().stats(), stats);

            assertThat(tone.seconds()).as("tone duration").isBetween(3.2, 3.6); // longer after a publisher stall
            assertThat(tone.hz()).as("frequency").isCloseTo(TONE_HZ, org.assertj.core.data.Offset.offset(2.0));
            assertThat(tone.dbfs()).as("level").isCloseTo(TONE_DBFS, org.assertj.core.data.Offset.offset(1.0));
            assertThat(tone.longestQuietRun()).as("longest run of silence inside the tone").isLessThan(960);
            assertThat(tone.worstWindowDb()).as("worst 10 ms window vs. the tone's level").isBetween(-3.0, 3.0);
            assertThat(tone.sinadDb()).as("tone to noise and distortion").isGreaterThan(20.0);
            assertThat(markerHz).as("marker frequency").isCloseTo(2000, org.assertj.core.data.Offset.offset(5.0));
            // 80-95 ms on an idle machine; up to 200 ms seen when five builds share its two cores
            // (NetEq grows its buffer). A marker queued behind buffered audio would take seconds.
            assertThat(delayMs).as("delay from write to receive").isBetween(10.0, 300.0);
            assertThat(stats.packetsLost()).isZero();
            assertThat(stats.packetsReceived()).isGreaterThan(150);
            assertThat(stats.jitterBufferDelay()).isBetween(Duration.ofMillis(1), Duration.ofMillis(200));
            assertThat(call.receiver().stats().droppedChunks()).isZero();
            assertThat(publisher.failure()).isNull();
        }
    }

    @Test
    void flushOnTheSenderSilencesTheReceiverPromptly() throws Exception {
        try (LoopbackCall call = LoopbackCall.open();
             AudioStreamTrack track = AudioStreamTrack.create();
             Capture cap = Capture.start(call.receiver(), Duration.ofSeconds(8))) {
            track.write(PcmData.ofShorts(48_000, 1, Signals.tone(48_000, 1, TONE_HZ, TONE_DBFS, 0, 48_000 * 4)));
            call.publish(track);
            assertThat(cap.awaitSamples(x -> Signals.firstLoud(x, 0, x.length, LOUD) >= 0
                    && x.length - Signals.firstLoud(x, 0, x.length, LOUD) > 48_000, Duration.ofSeconds(3))).isTrue();
            long flushed = System.nanoTime();
            track.flush();
            Thread.sleep(600);

            short[] x = cap.samples();
            int lastLoud = Signals.lastLoud(x, 0, x.length, LOUD);
            double silentAfterMs = (cap.nanosOf(lastLoud + 1) - flushed) / 1e6;
            int after = lastLoud + 48_000 / 50;
            double residualDbfs = Signals.rmsDbfs(x, after, x.length);
            System.out.printf("flush: receiver silent %.1f ms after flush(); level after that %.1f dBFS%n",
                    silentAfterMs, residualDbfs);
            assertThat(silentAfterMs).as("flush to silence").isBetween(0.0, 300.0); // 50-112 ms idle, as above
            assertThat(residualDbfs).as("level after the flush").isLessThan(-60.0);
        }
    }

    @Test
    void receivedAudioConvertedTo16kMonoKeepsFrequencyAndLevel() throws Exception {
        try (LoopbackCall call = LoopbackCall.open(LoopbackCall.options().receiveFormat(PcmFormat.s16(16_000, 1)));
             AudioStreamTrack track = AudioStreamTrack.create();
             Capture cap = Capture.start(call.receiver(), Duration.ofSeconds(6))) {
            track.write(PcmData.ofShorts(48_000, 1, Signals.tone(48_000, 1, TONE_HZ, TONE_DBFS, 0, 72_000)), true);
            call.publish(track);
            track.playout().get(5, TimeUnit.SECONDS);
            Thread.sleep(300);

            assertThat(call.receiver().format()).isEqualTo(PcmFormat.s16(16_000, 1));
            short[] x = cap.samples();
            int start = Signals.firstLoud(x, 0, x.length, LOUD);
            int end = Signals.lastLoud(x, 0, x.length, LOUD);
            assertThat(start).as("tone received").isNotNegative();
            ToneReport tone = ToneReport.of(x, start, end, 16_000);
            System.out.printf("16 kHz mono receive: %s%n", tone);
            assertThat(tone.seconds()).isBetween(1.4, 1.8); // longer after a publisher stall (see below)
            assertThat(tone.hz()).isCloseTo(TONE_HZ, org.assertj.core.data.Offset.offset(2.0));
            assertThat(tone.dbfs()).isCloseTo(TONE_DBFS, org.assertj.core.data.Offset.offset(1.0));
            assertThat(tone.longestQuietRun()).isLessThan(320);
            assertThat(tone.sinadDb()).isGreaterThan(20.0);
        }
    }

    @ParameterizedTest(name = "{0} Hz, {1} ch, {2}, {3} ms frames, via {4}")
    @CsvSource({
        "8000,  1, S16, 20, publisher",
        "16000, 1, F32, 20, publisher",
        "44100, 2, S16, 20, publisher",
        "48000, 2, F32, 10, publisher",
        "48000, 1, S16, 20, scheduler",
        "48000, 1, S16, 10, scheduler",
    })
    void everyPushableFormatArrivesAsTheSameTone(int rate, int channels, SampleFormat format, int frameMs, String via)
            throws Exception {
        // Real time: a machine whose CPUs are oversubscribed many times over (seen: load 20 on
        // 2 cores) starves the pushing thread and the receiver hears a real gap. A run that fails
        // while the track's frames went out late by more than a frame is repeated, at most twice;
        // a failure on time is a failure.
        for (int attempt = 1; ; attempt++) {
            Duration[] lateness = new Duration[1];
            try {
                oneFormatRun(rate, channels, format, frameMs, via, lateness);
                return;
            } catch (AssertionError e) {
                boolean starved = lateness[0] != null && lateness[0].compareTo(Duration.ofMillis(frameMs)) > 0;
                if (!starved || attempt == 3) {
                    throw e;
                }
                System.out.printf("attempt %d failed while the machine starved the track (max lateness %.1f ms): "
                        + "%s; again%n", attempt, lateness[0].toNanos() / 1e6, e.getMessage().strip());
            }
        }
    }

    private void oneFormatRun(int rate, int channels, SampleFormat format, int frameMs, String via, Duration[] lateness)
            throws Exception {
        double hz = 440;
        try (LoopbackCall call = LoopbackCall.open();
             FrameScheduler scheduler = new FrameScheduler(MediaClock.system());
             AudioStreamTrack track = AudioStreamTrack.builder().sampleRate(rate).channels(channels).sampleFormat(format)
                     .frameDuration(Duration.ofMillis(frameMs)).build();
             Capture cap = Capture.start(call.receiver(), Duration.ofSeconds(6))) {
            int n = rate; // one second
            PcmData tone = format == SampleFormat.S16
                    ? PcmData.ofShorts(rate, channels, Signals.tone(rate, channels, hz, TONE_DBFS, 0, n))
                    : PcmData.ofFloats(rate, channels, Signals.toneFloats(rate, channels, hz, TONE_DBFS, 0, n));
            track.write(tone, true);
            if (via.equals("publisher")) {
                call.publish(track);
            } else {
                call.attach(scheduler, track);
            }
            track.playout().get(5, TimeUnit.SECONDS);
            Thread.sleep(300);
            lateness[0] = track.stats().maxLateness();

            short[] x = cap.samples();
            int start = Signals.firstLoud(x, 0, x.length, LOUD);
            int end = Signals.lastLoud(x, 0, x.length, LOUD);
            assertThat(start).as("tone received").isNotNegative();
            ToneReport r = ToneReport.of(x, start, end, 48_000);
            System.out.printf("%d Hz %d ch %s %d ms via %s: %s%n", rate, channels, format, frameMs, via, r);
            // Longer on a starved machine: the publisher restarts its schedule after a stall (the
            // audio plays later) and NetEq stretches; frequency, level and gaps still must hold.
            assertThat(r.seconds()).isBetween(0.9, 1.3);
            assertThat(r.hz()).isCloseTo(hz, org.assertj.core.data.Offset.offset(2.0));
            assertThat(r.dbfs()).isCloseTo(TONE_DBFS, org.assertj.core.data.Offset.offset(1.0));
            assertThat(r.longestQuietRun()).isLessThan(960);
            assertThat(r.sinadDb()).isGreaterThan(20.0);
        }
    }

    @Test
    void aCallThatCannotConnectInTimeFailsClearlyAndLeavesNothingBehind() {
        assertThatThrownBy(() -> LoopbackCall.open(LoopbackCall.options().connectTimeout(Duration.ofNanos(1))))
                .isInstanceOf(WebRtcCallException.class)
                .hasMessageContaining("did not")
                .hasMessageContaining("within 0 ms")
                .hasMessageContaining(" session ").hasMessageContaining("pc="); // either side may be first
        try (LoopbackCall call = LoopbackCall.open()) {
            assertThat(call.setupTime()).isLessThan(Duration.ofSeconds(2));
        }
    }

    @Test
    void oneTrackPerCall() throws Exception {
        try (LoopbackCall call = LoopbackCall.open();
             AudioStreamTrack a = AudioStreamTrack.create();
             AudioStreamTrack b = AudioStreamTrack.create()) {
            call.publish(a);
            assertThatThrownBy(() -> call.publish(b)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("already publishes");
        }
    }
}
