package io.pcmtrack.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;

import io.pcmtrack.AudioStreamTrack;
import io.pcmtrack.FrameScheduler;
import io.pcmtrack.MediaClock;
import io.pcmtrack.PcmData;
import io.pcmtrack.webrtc.AudioPush;
import io.pcmtrack.webrtc.LoopbackCall;
import io.pcmtrack.webrtc.ReceiverStats;
import io.pcmtrack.webrtc.RtcAudioStats;
import io.pcmtrack.webrtc.WebRtcAudioSink;
import io.pcmtrack.webrtc.WebRtcPublisher;

/**
 * Soak run of a real libwebrtc loopback call: a bursty producer (TTS-like utterances written in
 * random 50-400 ms chunks, then a pause and a loud marker) feeds a track published into the call;
 * a reader takes the remote audio. Every interval it prints the process's resident memory, the
 * heap used after a GC, the OS thread count, the marker delays measured in the interval, the
 * jitter-buffer delay and packet loss, the receiving audio device's pace (audio pulled per second of
 * wall time; 1.000 is real time) and the audio NetEq removed or inserted to hold its delay; at the end
 * a summary.
 *
 * <pre>
 * mvn -q -pl core,webrtc,bench -am package -DskipTests
 * java -cp bench/target/benchmarks.jar io.pcmtrack.bench.WebRtcLoopbackSoak --minutes 10
 * </pre>
 *
 * Options: {@code --minutes N} (default 10), {@code --interval-seconds N} (30),
 * {@code --push publisher|scheduler} (publisher: {@link WebRtcPublisher}, one push every 10 ms;
 * scheduler: {@link WebRtcAudioSink} on a {@link FrameScheduler}, all chunks of a frame back to
 * back), {@code --frame-ms N} (the track's frame duration, 20), {@code --seed N}.
 *
 * <p>Delays: "write" is from the marker's {@code write} to its arrival at the receiver (what an
 * application sees; includes waiting for the next frame), "push" from the push of the chunk
 * holding the marker's first loud sample to the arrival of that sample.
 */
public final class WebRtcLoopbackSoak {
    private static final int RATE = 48_000;
    private static final double SPEECH_DBFS = -20;      // peak 3277: never mistaken for the marker
    private static final double MARKER_DBFS = -3;       // peak 23197
    private static final int MARKER_THRESHOLD = 12_000;

    private final double minutes;
    private final int intervalSeconds;
    private final String push;
    private final int frameMs;
    private final Random random;

    // Marker timing, between the producer, the pushing thread and the reader.
    private volatile long markerWriteNanos;
    private volatile long markerPushNanos;
    private volatile boolean markerArmed;
    private final Object delayLock = new Object();
    private double[] writeDelays = new double[1024];
    private double[] pushDelays = new double[1024];
    private int delays;
    private int intervalFrom;
    private ReceiverStats previousRx;
    private long previousRxNanos;
    private long markersLost;

    private WebRtcLoopbackSoak(double minutes, int intervalSeconds, String push, int frameMs, long seed) {
        this.minutes = minutes;
        this.intervalSeconds = intervalSeconds;
        this.push = push;
        this.frameMs = frameMs;
        this.random = new Random(seed);
    }

    public static void main(String[] args) throws Exception {
        double minutes = 10;
        int interval = 30;
        String push = "publisher";
        int frameMs = 20;
        long seed = 1;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String v = i + 1 < args.length ? args[i + 1] : null;
            switch (a) {
                case "--minutes" -> minutes = Double.parseDouble(require(a, v));
                case "--interval-seconds" -> interval = Integer.parseInt(require(a, v));
                case "--push" -> push = require(a, v);
                case "--frame-ms" -> frameMs = Integer.parseInt(require(a, v));
                case "--seed" -> seed = Long.parseLong(require(a, v));
                default -> throw new IllegalArgumentException("unknown option " + a
                        + "; expected --minutes N, --interval-seconds N, --push publisher|scheduler, --frame-ms N, --seed N");
            }
            i++;
        }
        if (!push.equals("publisher") && !push.equals("scheduler")) {
            throw new IllegalArgumentException("--push must be publisher or scheduler, got " + push);
        }
        new WebRtcLoopbackSoak(minutes, interval, push, frameMs, seed).run();
    }

    private static String require(String option, String value) {
        if (value == null) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return value;
    }

    private void run() throws Exception {
        System.out.printf(Locale.ROOT, "WebRtcLoopbackSoak: %.1f min, push=%s, %d ms frames, report every %d s%n",
                minutes, push, frameMs, intervalSeconds);
        long runStart = System.nanoTime();
        long rssMax = 0;
        long rssStart;
        long rssEnd;
        RtcAudioStats last;
        try (LoopbackCall call = LoopbackCall.open();
             AudioStreamTrack track = AudioStreamTrack.builder().frameDuration(Duration.ofMillis(frameMs)).build();
             FrameScheduler scheduler = new FrameScheduler(MediaClock.system())) {
            System.out.printf(Locale.ROOT, "call connected in %d ms%n", call.setupTime().toMillis());
            AudioPush target = markerClock(AudioPush.of(call.audioSource()));
            WebRtcPublisher publisher = null;
            FrameScheduler.Attachment attachment = null;
            if (push.equals("publisher")) {
                publisher = WebRtcPublisher.start(track, target, WebRtcPublisher.DEFAULT_MAX_CATCH_UP);
            } else {
                attachment = scheduler.attach(track, new WebRtcAudioSink(track.format(), track.samplesPerFrame(), target));
            }
            try {
                Thread reader = new Thread(() -> read(call), "soak-reader");
                reader.setDaemon(true);
                reader.start();
                Thread producer = new Thread(() -> produce(track), "soak-producer");
                producer.setDaemon(true);
                producer.start();

                rssStart = rssKb();
                rssMax = rssStart;
                RtcAudioStats previous = call.stats(Duration.ofSeconds(5));
                previousRx = call.receiver().stats();
                previousRxNanos = System.nanoTime();
                long end = runStart + (long) (minutes * 60e9);
                long next = System.nanoTime() + intervalSeconds * 1_000_000_000L;
                System.out.println("   t(s)  rss(MB)  heapAfterGC(MB)  threads  markers  delay write min/med/max (ms)"
                        + "  push med (ms)  jitterBuf(ms)  packetsLost  concealed  gaps  drops  playout pace  removed/inserted (ms)");
                while (System.nanoTime() < end) {
                    Thread.sleep(Math.max(0, Math.min(next, end) - System.nanoTime()) / 1_000_000);
                    if (System.nanoTime() < next && System.nanoTime() < end) {
                        continue;
                    }
                    next += intervalSeconds * 1_000_000_000L;
                    RtcAudioStats now = call.stats(Duration.ofSeconds(5));
                    long rss = rssKb();
                    rssMax = Math.max(rssMax, rss);
                    report(runStart, rss, now, previous, call.receiver().stats());
                    previous = now;
                }
                producer.interrupt();
                producer.join(2_000);
                last = call.stats(Duration.ofSeconds(5));
                rssEnd = rssKb();
                rssMax = Math.max(rssMax, rssEnd);
            } finally {
                // Nothing may push into the call's source once the call has disposed it.
                if (publisher != null) {
                    publisher.close();
                }
                if (attachment != null) {
                    attachment.close();
                }
            }
            if (publisher != null) {
                System.out.printf(Locale.ROOT, "publisher: %d pushes, %d stalls, max push lateness %.2f ms%n",
                        publisher.pushes(), publisher.stalls(), publisher.maxLateness().toNanos() / 1e6);
            }
            if (attachment != null) {
                System.out.printf(Locale.ROOT, "scheduler: %s%n", scheduler.stats());
            }
            System.out.printf(Locale.ROOT, "receiver: %s%n", call.receiver().stats());
            System.out.printf(Locale.ROOT, "track: %s%n", track.stats());
        }
        double[] w;
        double[] p;
        synchronized (delayLock) {
            w = Arrays.copyOf(writeDelays, delays);
            p = Arrays.copyOf(pushDelays, delays);
        }
        Arrays.sort(w);
        Arrays.sort(p);
        System.out.printf(Locale.ROOT, "SUMMARY %.1f min push=%s frame=%d ms: RSS start %.1f MB, end %.1f MB, max %.1f MB;"
                        + " markers %d (lost %d); delay write->receive min %.1f / median %.1f / p95 %.1f / max %.1f ms;"
                        + " push->receive min %.1f / median %.1f / p95 %.1f / max %.1f ms; jitter buffer %.1f ms (whole run);"
                        + " packets lost %d of %d; concealed samples %d%n",
                (System.nanoTime() - runStart) / 60e9, push, frameMs, rssStart / 1024.0, rssEnd / 1024.0, rssMax / 1024.0,
                w.length, markersLost, q(w, 0), q(w, 0.5), q(w, 0.95), q(w, 1), q(p, 0), q(p, 0.5), q(p, 0.95), q(p, 1),
                last.jitterBufferDelay().toNanos() / 1e6, last.packetsLost(), last.packetsReceived(), last.concealedSamples());
    }

    private void report(long runStart, long rssKb, RtcAudioStats now, RtcAudioStats before, ReceiverStats rx) {
        // The device's pace over the wall time since the last report, taken with the receiver's counters (before
        // this report's System.gc(), whose pause, in every interval, holds up the device's thread too).
        long nowNanos = System.nanoTime();
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        System.gc();
        double heapMb = memory.getHeapMemoryUsage().getUsed() / 1e6;
        double[] w;
        double[] p;
        synchronized (delayLock) {
            w = Arrays.copyOfRange(writeDelays, intervalFrom, delays);
            p = Arrays.copyOfRange(pushDelays, intervalFrom, delays);
            intervalFrom = delays;
        }
        Arrays.sort(w);
        Arrays.sort(p);
        long emitted = now.jitterBufferEmittedCount() - before.jitterBufferEmittedCount();
        // The receiving audio device's pace: audio it pulled out of NetEq (a callback per 10 ms) per second of wall
        // time (1.000 is real time; below it NetEq's buffer fills and it removes audio to keep its delay).
        double pace = (rx.callbacks() - previousRx.callbacks()) * 0.010 / ((nowNanos - previousRxNanos) / 1e9);
        previousRx = rx;
        previousRxNanos = nowNanos;
        double removedMs = (now.removedSamplesForAcceleration() - before.removedSamplesForAcceleration()) / 48.0;
        double insertedMs = (now.insertedSamplesForDeceleration() - before.insertedSamplesForDeceleration()) / 48.0;
        double jbMs = emitted == 0 ? 0 : (now.jitterBufferDelaySeconds() - before.jitterBufferDelaySeconds()) / emitted * 1e3;
        System.out.printf(Locale.ROOT,
                "%7.0f  %7.1f  %15.1f  %7d  %7d  %9.1f / %5.1f / %5.1f  %13.1f  %13.1f  %11d  %9d  %4d  %5d  %12.4f  %8.1f / %.1f%n",
                (System.nanoTime() - runStart) / 1e9, rssKb / 1024.0, heapMb, threads(), w.length, q(w, 0), q(w, 0.5),
                q(w, 1), q(p, 0.5), jbMs, now.packetsLost(), now.concealedSamples(), rx.gaps(), rx.droppedChunks(),
                pace, removedMs, insertedMs);
    }

    private static double q(double[] sorted, double quantile) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        return sorted[(int) Math.min(sorted.length - 1, Math.round(quantile * (sorted.length - 1)))];
    }

    /** Utterances of a quiet tone written in random bursts, each followed by a pause and a loud marker. */
    private void produce(AudioStreamTrack track) {
        long phase = 0;
        try {
            while (true) {
                long utterance = (1_000 + random.nextInt(3_000)) * (long) RATE / 1000;
                long end = phase + utterance;
                while (phase < end) {
                    int n = (int) Math.min((50 + random.nextInt(351)) * RATE / 1000, end - phase);
                    track.write(PcmData.ofShorts(RATE, 1, tone(440, SPEECH_DBFS, phase, n)));
                    phase += n;
                    long spare = track.buffered().toMillis() - 150;
                    if (spare > 0) {
                        Thread.sleep(random.nextInt((int) Math.min(spare, 400) + 1));
                    }
                }
                track.write(PcmData.ofShorts(RATE, 1, new short[0]), true);
                track.playout().get();
                Thread.sleep(700 + random.nextInt(300));
                markerArmed = false;
                markerPushNanos = 0;
                markerWriteNanos = System.nanoTime();
                markerArmed = true;
                track.write(PcmData.ofShorts(RATE, 1,
                        tone(2000, MARKER_DBFS, 0, RATE / 20)), true);
                Thread.sleep(600);
                if (markerArmed) {
                    synchronized (delayLock) {
                        markersLost++;
                    }
                    markerArmed = false;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            System.out.println("producer failed: " + e);
        }
    }

    /** {@code n} samples of a sine at {@code dbfs} peak, from sample {@code phase} of an endless tone. */
    private static short[] tone(double hz, double dbfs, long phase, int n) {
        double amplitude = 32767 * Math.pow(10, dbfs / 20);
        short[] s = new short[n];
        for (int i = 0; i < n; i++) {
            s[i] = (short) Math.round(amplitude * Math.sin(2 * Math.PI * hz * (phase + i) / RATE));
        }
        return s;
    }

    /** Wraps the push to time the chunk holding the marker's first loud sample (no allocation). */
    private AudioPush markerClock(AudioPush inner) {
        return (data, bits, rate, channels, frames) -> {
            if (markerArmed && markerPushNanos == 0) {
                long now = System.nanoTime();
                for (int i = 0; i < frames; i++) {
                    int s = (short) ((data[2 * i * channels] & 0xff) | (data[2 * i * channels + 1] << 8));
                    if (Math.abs(s) >= MARKER_THRESHOLD) {
                        markerPushNanos = now + i * 1_000_000_000L / rate;
                        break;
                    }
                }
            }
            inner.push(data, bits, rate, channels, frames);
        };
    }

    /** Takes the remote audio as fast as it comes and finds the markers in it. */
    private void read(LoopbackCall call) {
        try {
            while (true) {
                PcmData pcm = call.receiver().read(Duration.ofSeconds(1));
                long now = System.nanoTime();
                if (pcm == null || !markerArmed) {
                    continue;
                }
                short[] s = pcm.toShorts();
                for (int i = 0; i < s.length; i++) {
                    if (Math.abs(s[i]) >= MARKER_THRESHOLD) {
                        long at = now + i * 1_000_000_000L / pcm.format().sampleRate();
                        long pushed = markerPushNanos;
                        markerArmed = false;
                        synchronized (delayLock) {
                            if (delays == writeDelays.length) {
                                writeDelays = Arrays.copyOf(writeDelays, delays * 2);
                                pushDelays = Arrays.copyOf(pushDelays, delays * 2);
                            }
                            writeDelays[delays] = (at - markerWriteNanos) / 1e6;
                            pushDelays[delays] = pushed == 0 ? Double.NaN : (at - pushed) / 1e6;
                            delays++;
                        }
                        break;
                    }
                }
            }
        } catch (Exception e) {
            // the receiver closed at the end of the run
        }
    }

    private static long rssKb() {
        return statusField("VmRSS:");
    }

    private static long threads() {
        return statusField("Threads:");
    }

    private static long statusField(String name) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(name)) {
                    return Long.parseLong(line.substring(name.length()).trim().split("\\s+")[0]);
                }
            }
        } catch (Exception e) {
            return -1;
        }
        return -1;
    }
}
