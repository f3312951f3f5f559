package io.pcmtrack.cli;

import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.pcmtrack.AudioFrame;
import io.pcmtrack.AudioStreamTrack;
import io.pcmtrack.FrameScheduler;
import io.pcmtrack.FrameSink;
import io.pcmtrack.LatencyHistogram;
import io.pcmtrack.MediaClock;
import io.pcmtrack.PcmData;
import io.pcmtrack.PcmFormat;
import io.pcmtrack.SchedulerStats;
import io.pcmtrack.TrackStats;
import io.pcmtrack.webrtc.LoopbackCall;
import io.pcmtrack.webrtc.RtcAudioStats;
import io.pcmtrack.webrtc.WebRtcAudioSink;

/**
 * The demo run: a TTS-like producer writes speech into a track; a {@link FrameScheduler} pushes
 * its frames into a loopback libwebrtc call; the receiving side records what arrives. Everything
 * observed on the way (frame times, buffer level, memory) is kept for the report.
 */
final class Demo {
    private static final int RATE = 48_000;
    private static final int FRAME = 960;
    /** Silence before the speech, so its onset is clean on both sides. */
    private static final long LEAD_NANOS = 500_000_000L;
    /** How long to keep receiving after the last frame went out: the call's delay. */
    private static final long TAIL_NANOS = 800_000_000L;

    /** What the demo produced. */
    record Result(PcmData sent, PcmData received, HtmlReport report, String text) {
    }

    private final PcmData speech;
    private final long seed;
    private final PrintWriter progressOut;

    // Filled by the scheduler thread (one frame at a time) and the receiver's listener thread.
    private short[] sentSamples;
    private long[] frameNanos;
    private double[] bufferedMs;
    private int frames;
    private short[] receivedSamples;
    private long[] chunkNanos;
    private int receivedCount;
    private int chunks;

    Demo(PcmData speech, long seed, PrintWriter progressOut) {
        this.speech = speech;
        this.seed = seed;
        this.progressOut = progressOut;
    }

    Result run() throws Exception {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        double speechSeconds = speech.samplesPerChannel() / (double) speech.format().sampleRate();
        int capacityFrames = (int) ((speechSeconds + 4) * 50);
        sentSamples = new short[capacityFrames * FRAME];
        frameNanos = new long[capacityFrames];
        bufferedMs = new double[capacityFrames];
        receivedSamples = new short[capacityFrames * FRAME];
        chunkNanos = new long[capacityFrames * 2];
        List<double[]> memorySamples = new ArrayList<>();
        // Measured after the recording arrays above (3 MiB for the built-in sample, more for longer
        // input), which are the demo's, not the call's.
        long heapStart = Memory.heapAfterGc(memory);
        long rssStart = Memory.rss();

        long t0 = System.nanoTime();
        // The chart starts where the table does: before the call (and libwebrtc) is set up.
        memorySamples.add(new double[] {0, used(memory), rssStart});
        TrackStats trackStats;
        SchedulerStats schedulerStats;
        RtcAudioStats rtc;
        Duration setup;
        try (LoopbackCall call = LoopbackCall.open(LoopbackCall.options().receiveFormat(PcmFormat.s16(RATE, 1))
                .receiveBufferLimit(Duration.ofSeconds(5)));
             FrameScheduler scheduler = new FrameScheduler(MediaClock.system());
             AudioStreamTrack track = AudioStreamTrack.create()) {
            setup = call.setupTime();
            call.receiver().onAudio(this::received);
            FrameSink webrtc = new WebRtcAudioSink(track, call.audioSource());
            FrameScheduler.Attachment attachment = scheduler.attach(track, frame -> {
                record(frame, track);
                webrtc.onFrame(frame);
            });
            CompletableFuture<Void> produced = CompletableFuture.runAsync(() -> produce(track));
            Progress progress = new Progress(progressOut, speechSeconds + (LEAD_NANOS + TAIL_NANOS) / 1e9);
            long attachNanos = System.nanoTime();
            while (!produced.isDone() || track.buffered().compareTo(Duration.ZERO) > 0) {
                Thread.sleep(100);
                progress.update((System.nanoTime() - attachNanos) / 1e9);
                memorySamples.add(new double[] {(System.nanoTime() - t0) / 1e9, used(memory), Memory.rss()});
            }
            produced.get(5, TimeUnit.SECONDS);
            long tailEnd = System.nanoTime() + TAIL_NANOS;
            while (System.nanoTime() < tailEnd) {
                Thread.sleep(100);
                progress.update((System.nanoTime() - attachNanos) / 1e9);
                memorySamples.add(new double[] {(System.nanoTime() - t0) / 1e9, used(memory), Memory.rss()});
            }
            progress.done();
            attachment.close();
            trackStats = track.stats();
            schedulerStats = scheduler.stats();
            rtc = call.stats(Duration.ofSeconds(2));
        }
        long heapEnd = Memory.heapAfterGc(memory);
        long rssEnd = Memory.rss();
        return analyse(trackStats, schedulerStats, rtc, setup, memorySamples, heapStart, heapEnd, rssStart, rssEnd);
    }

    /** Scheduler thread: keep what was sent and when, and how full the buffer was. */
    private void record(AudioFrame frame, AudioStreamTrack track) {
        if (frames < frameNanos.length) {
            frameNanos[frames] = System.nanoTime();
            bufferedMs[frames] = track.buffered().toNanos() / 1e6;
            System.arraycopy(frame.shorts(), 0, sentSamples, frames * FRAME, FRAME);
            frames++;
        }
    }

    /** Receiver thread: keep what arrived and when. */
    private void received(PcmData chunk) {
        short[] s = chunk.toShorts();
        if (chunks < chunkNanos.length && receivedCount + s.length <= receivedSamples.length) {
            chunkNanos[chunks++] = System.nanoTime();
            System.arraycopy(s, 0, receivedSamples, receivedCount, s.length);
            receivedCount += s.length;
        }
    }

    /** A TTS engine: after a pause, bursts of 50..400 ms, each sooner than the last one lasts. */
    private void produce(AudioStreamTrack track) {
        Random random = new Random(seed);
        short[] all = speech.toShorts();
        int rate = speech.format().sampleRate();
        int ch = speech.format().channels();
        sleep(LEAD_NANOS);
        for (int pos = 0; pos < all.length; ) {
            int burst = (50 + random.nextInt(351)) * rate / 1000 * ch;
            int end = Math.min(all.length, pos + burst);
            track.write(PcmData.ofShorts(rate, ch, Arrays.copyOfRange(all, pos, end)), end == all.length);
            sleep((long) ((end - pos) / ch * 1e9 / rate * random.nextDouble() * 0.9));
            pos = end;
        }
    }

    private static void sleep(long nanos) {
        java.util.concurrent.locks.LockSupport.parkNanos(nanos);
    }

    private static double used(MemoryMXBean memory) {
        return memory.getHeapMemoryUsage().getUsed();
    }

    private Result analyse(TrackStats track, SchedulerStats scheduler, RtcAudioStats rtc, Duration setup,
                           List<double[]> memory, long heapStart, long heapEnd, long rssStart, long rssEnd) {
        int sentCount = frames * FRAME;
        PcmData sent = PcmData.ofShorts(RATE, 1, Arrays.copyOf(sentSamples, sentCount));
        PcmData received = PcmData.ofShorts(RATE, 1, Arrays.copyOf(receivedSamples, receivedCount));
        double speechSeconds = speech.samplesPerChannel() / (double) speech.format().sampleRate();
        long base = frames > 0 ? frameNanos[0] : 0;

        // Envelopes (peak per 10 ms) on one wall-clock axis: sent by frame delivery, received by chunk arrival.
        double[][] sentEnv = envelope(sentSamples, sentCount, i -> frameNanos[i / FRAME] + (i % FRAME) * 1_000_000_000L / RATE, base);
        int perChunk = 480;
        double[][] recvEnv = envelope(receivedSamples, receivedCount,
                i -> chunkNanos[Math.min(chunks - 1, i / perChunk)] + (i % perChunk) * 1_000_000_000L / RATE, base);

        List<Double> delays = onsetDelays(sentEnv, recvEnv);
        double delayMs = median(delays);
        // Energy, not RMS: the received recording also holds the silence before and after the speech.
        double levelDb = 10 * Math.log10(energy(receivedSamples, receivedCount) / Math.max(energy(sentSamples, sentCount), 1e-9));
        double correlation = speechSimilarity(sentSamples, sentCount, receivedSamples, receivedCount);
        long expectedFrames = frames;
        LatencyHistogram lateness = scheduler.lateness();

        HtmlReport report = new HtmlReport("pcmtrack demo: speech through a real libwebrtc call");
        report.check("speech arrived", correlation > 0.8,
                String.format(Locale.ROOT, "sent and received speech envelopes correlate at %.3f (median of 1 s windows; "
                        + "need > 0.8)", correlation));
        report.check("level kept", Math.abs(levelDb) < 3,
                String.format(Locale.ROOT, "received energy %+.2f dB against sent (need within 3 dB)", levelDb));
        report.check("end-to-end delay", !delays.isEmpty() && delayMs < 250,
                String.format(Locale.ROOT, "median %.0f ms over %d speech onsets (need < 250 ms)", delayMs, delays.size()));
        report.check("paced", ms(lateness.percentile(99)) < 10,
                String.format(Locale.ROOT, "frame lateness p99 %.3f ms (need < 10 ms on a busy machine)", ms(lateness.percentile(99))));
        report.check("nothing dropped", track.droppedSamples() == 0,
                track.droppedSamples() + " samples dropped by overflow");
        report.check("memory flat", heapEnd - heapStart < 8L << 20,
                "heap after GC grew by " + Memory.mib(heapEnd - heapStart) + " (need < 8 MiB)");

        report.number("speech written", String.format(Locale.ROOT, "%.2f s at %d Hz, in TTS-like bursts of 50-400 ms",
                speechSeconds, speech.format().sampleRate()));
        report.number("audio sent", String.format(Locale.ROOT, "%.2f s (%d frames of 20 ms at 48 kHz)", sentCount / (double) RATE, frames));
        report.number("audio received", String.format(Locale.ROOT, "%.2f s (%d chunks of 10 ms)", receivedCount / (double) RATE, chunks));
        report.number("end-to-end delay", delays.isEmpty() ? "n/a" : String.format(Locale.ROOT,
                "median %.0f ms, min %.0f ms, max %.0f ms (%d onsets)", delayMs, min(delays), max(delays), delays.size()));
        report.number("jitter buffer (receiver)", String.format(Locale.ROOT, "%.0f ms average; %d packets lost, %d samples concealed",
                rtc.jitterBufferDelay().toNanos() / 1e6, rtc.packetsLost(), rtc.concealedSamples()));
        report.number("call setup", setup.toMillis() + " ms to CONNECTED");
        report.number("pacing lateness", String.format(Locale.ROOT, "p50 %.3f ms, p99 %.3f ms, max %.3f ms",
                ms(lateness.percentile(50)), ms(lateness.percentile(99)), ms(lateness.max())));
        report.number("frames", String.format(Locale.ROOT, "%d emitted: %d silent, %d padded; %d samples dropped",
                track.framesEmitted(), track.silentFrames(), track.paddedFrames(), track.droppedSamples()));
        report.number("heap after GC", Memory.mib(heapStart) + " at start, " + Memory.mib(heapEnd) + " at end");
        report.number("RSS", Memory.mib(rssStart) + " before the call, " + Memory.mib(rssEnd) + " at end");

        report.chart("Sent (frames as pushed) and received (chunks as played out) audio, peak per 10 ms, on one clock",
                Svg.lineChart("Waveform envelope", "seconds since the first frame", "peak (full scale)",
                        List.of(new Svg.Series("sent", sentEnv[0], sentEnv[1]), new Svg.Series("received", recvEnv[0], recvEnv[1])),
                        900, 300, 0, 1));
        double[] t = new double[frames];
        for (int i = 0; i < frames; i++) {
            t[i] = (frameNanos[i] - base) / 1e9;
        }
        report.chart("Audio waiting in the track's buffer when each frame went out: the producer runs ahead of playout",
                Svg.lineChart("Buffer level", "seconds since the first frame", "buffered (ms)",
                        List.of(new Svg.Series("buffered", t, Arrays.copyOf(bufferedMs, frames))), 900, 260, 0, 0));
        report.chart("How late each frame reached the WebRTC sink relative to its due time",
                Svg.latenessChart(lateness, "Frame lateness"));
        double[] mt = new double[memory.size()];
        double[] heap = new double[memory.size()];
        double[] rss = new double[memory.size()];
        for (int i = 0; i < memory.size(); i++) {
            mt[i] = memory.get(i)[0];
            heap[i] = memory.get(i)[1] / 1048576.0;
            rss[i] = memory.get(i)[2] / 1048576.0;
        }
        report.chart("Heap in use (with garbage not yet collected) and resident set size while the call ran",
                Svg.lineChart("Memory", "seconds", "MiB", List.of(new Svg.Series("heap used", mt, heap),
                        new Svg.Series("RSS", mt, rss)), 900, 260, 0, max(rss) * 1.1));

        StringBuilder text = new StringBuilder();
        for (HtmlReport.Check c : report.checks()) {
            text.append(String.format(Locale.ROOT, "  %-18s %s  %s%n", c.name(), c.passed() ? "ok  " : "FAIL", c.detail()));
        }
        text.append(String.format(Locale.ROOT, "  sent %.2f s, received %.2f s; delay median %s; pacing p50/p99/max %.3f/%.3f/%.3f ms%n",
                sentCount / (double) RATE, receivedCount / (double) RATE,
                delays.isEmpty() ? "n/a" : String.format(Locale.ROOT, "%.0f ms", delayMs),
                ms(lateness.percentile(50)), ms(lateness.percentile(99)), ms(lateness.max())));
        text.append(String.format(Locale.ROOT, "  frames: %d emitted, %d silent, %d padded, %d samples dropped%n",
                track.framesEmitted(), track.silentFrames(), track.paddedFrames(), track.droppedSamples()));
        text.append("  heap after GC " + Memory.mib(heapStart) + " -> " + Memory.mib(heapEnd) + ", RSS "
                + Memory.mib(rssStart) + " -> " + Memory.mib(rssEnd) + "\n");
        return new Result(sent, received, report, text.toString());
    }

    /** Sample index to wall-clock nanos. */
    private interface Clock {
        long at(int sample);
    }

    /** Peak per 10 ms block: {time in s since base, peak 0..1}. */
    private static double[][] envelope(short[] s, int n, Clock clock, long base) {
        int block = RATE / 100;
        int blocks = n / block;
        double[] t = new double[blocks];
        double[] p = new double[blocks];
        for (int b = 0; b < blocks; b++) {
            int peak = 0;
            for (int i = b * block; i < (b + 1) * block; i++) {
                peak = Math.max(peak, Math.abs(s[i]));
            }
            t[b] = (clock.at(b * block) - base) / 1e9;
            p[b] = peak / 32768.0;
        }
        return new double[][] {t, p};
    }

    /**
     * Delay of each speech onset (a rise after 150 ms of quiet), sent to received, in ms: the lag,
     * from 0 to 500 ms, at which the received envelope best matches the 400 ms of sent envelope
     * from just before the onset on (refined between 10 ms bins by a parabola through the peak).
     * Matching a shape, not the first received threshold crossing, keeps a louder syllable in the
     * received audio or a jitter-buffer stretch from being taken for the onset. Onsets whose best
     * match correlates below 0.7 are left out.
     */
    private static List<Double> onsetDelays(double[][] sent, double[][] received) {
        List<Double> delays = new ArrayList<>();
        double[] a = sent[1];
        double[] b = received[1];
        double[] bt = received[0];
        int window = 40;
        int maxLag = 50;
        for (double ts : onsets(sent)) {
            int start = Math.max(0, indexAt(sent[0], ts) - 5);
            int first = indexAt(bt, sent[0][start]); // the received bin at the same time
            if (start + window > a.length || first < 0) {
                continue;
            }
            double[] score = new double[maxLag + 1];
            int best = -1;
            for (int lag = 0; lag <= maxLag && first + lag + window <= b.length; lag++) {
                score[lag] = correlation(a, start, b, first + lag, window);
                if (best < 0 || score[lag] > score[best]) {
                    best = lag;
                }
            }
            if (best < 0 || score[best] < 0.7) {
                continue;
            }
            double offset = 0;
            if (best > 0 && best < maxLag && first + best + 1 + window <= b.length) {
                double l = score[best - 1];
                double c = score[best];
                double r = score[best + 1];
                double d = l - 2 * c + r;
                offset = d < 0 ? 0.5 * (l - r) / d : 0;
            }
            double binSeconds = bt.length > 1 ? (bt[bt.length - 1] - bt[0]) / (bt.length - 1) : 0.01;
            delays.add(((bt[first] - sent[0][start]) + (best + offset) * binSeconds) * 1000);
        }
        return delays;
    }

    /** The first index whose time is at or after {@code t}, or -1. */
    private static int indexAt(double[] times, double t) {
        for (int i = 0; i < times.length; i++) {
            if (times[i] >= t) {
                return i;
            }
        }
        return -1;
    }

    private static List<Double> onsets(double[][] env) {
        double peak = 0;
        for (double v : env[1]) {
            peak = Math.max(peak, v);
        }
        double threshold = peak * 0.2;
        List<Double> list = new ArrayList<>();
        int quiet = 0;
        for (int b = 0; b < env[1].length; b++) {
            if (env[1][b] >= threshold) {
                if (quiet >= 15) {
                    list.add(env[0][b]);
                }
                quiet = 0;
            } else {
                quiet++;
            }
        }
        return list;
    }

    /**
     * How alike the sent and received speech are: the RMS envelopes (10 ms) are compared in 1 s
     * windows, each at its best lag within +-1 s, because the receiver's jitter buffer stretches and
     * shortens audio as it goes (so no single lag fits the whole call). The median over windows
     * that hold speech.
     */
    private static double speechSimilarity(short[] sent, int sentCount, short[] received, int receivedCount) {
        double[] a = rmsEnvelope(sent, sentCount);
        double[] b = rmsEnvelope(received, receivedCount);
        int window = 100;
        List<Double> scores = new ArrayList<>();
        for (int w = 0; w + window <= a.length; w += window) {
            double loudest = 0;
            for (int i = w; i < w + window; i++) {
                loudest = Math.max(loudest, a[i]);
            }
            if (loudest < 0.02) {
                continue; // a window of silence says nothing
            }
            double best = -1;
            for (int lag = -100; lag <= 100; lag++) {
                if (w + lag >= 0 && w + lag + window <= b.length) {
                    best = Math.max(best, correlation(a, w, b, w + lag, window));
                }
            }
            scores.add(best);
        }
        return scores.isEmpty() ? 0 : median(scores);
    }

    private static double[] rmsEnvelope(short[] s, int n) {
        int block = RATE / 100;
        double[] e = new double[n / block];
        for (int b = 0; b < e.length; b++) {
            double sum = 0;
            for (int i = b * block; i < (b + 1) * block; i++) {
                sum += (double) s[i] * s[i];
            }
            e[b] = Math.sqrt(sum / block) / 32768.0;
        }
        return e;
    }

    private static double correlation(double[] a, int from, double[] b, int bFrom, int n) {
        double ma = 0;
        double mb = 0;
        for (int i = 0; i < n; i++) {
            ma += a[from + i];
            mb += b[bFrom + i];
        }
        ma /= n;
        mb /= n;
        double sab = 0;
        double saa = 0;
        double sbb = 0;
        for (int i = 0; i < n; i++) {
            double x = a[from + i] - ma;
            double y = b[bFrom + i] - mb;
            sab += x * y;
            saa += x * x;
            sbb += y * y;
        }
        return saa == 0 || sbb == 0 ? 0 : sab / Math.sqrt(saa * sbb);
    }

    private static double energy(short[] s, int n) {
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += (double) s[i] * s[i];
        }
        return sum;
    }

    private static double median(List<Double> v) {
        if (v.isEmpty()) {
            return Double.NaN;
        }
        double[] a = v.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return a[a.length / 2];
    }

    private static double min(List<Double> v) {
        return v.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
    }

    private static double max(double[] v) {
        double m = 0;
        for (double x : v) {
            m = Math.max(m, x);
        }
        return m;
    }

    private static double max(List<Double> v) {
        return v.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
    }

    private static double ms(Duration d) {
        return d.toNanos() / 1e6;
    }
}
