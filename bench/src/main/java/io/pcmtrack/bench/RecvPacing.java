package io.pcmtrack.bench;

import java.util.Locale;

import io.pcmtrack.AudioFrame;
import io.pcmtrack.AudioStreamTrack;
import io.pcmtrack.LatencyHistogram;
import io.pcmtrack.PcmData;

/**
 * Real-time pacing of one track with {@code recv(reuse)} and the system clock: how late each
 * frame comes out of {@code recv} relative to its due time ({@code anchor + n * 20 ms}), with a
 * producer writing 20 ms every 20 ms from another thread. This includes the OS wake-up jitter.
 *
 * <pre>java -cp bench/target/benchmarks.jar io.pcmtrack.bench.RecvPacing [seconds]</pre>
 */
public final class RecvPacing {
    private RecvPacing() {
    }

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 60;
        // The first recv of the process loads and links classes for about half a millisecond, and
        // the anchor below is read before it: warm up on another track so the anchor is exact.
        try (AudioStreamTrack warm = AudioStreamTrack.create()) {
            AudioFrame f = warm.recv();
            for (int i = 0; i < 3; i++) {
                f = warm.recv(f);
            }
        }
        AudioStreamTrack track = AudioStreamTrack.create();
        PcmData chunk = PcmData.ofShorts(48_000, 1, Signals.toneShorts(48_000, 440, 0.3, 960));
        Thread producer = new Thread(() -> {
            long next = System.nanoTime();
            while (track.isLive()) {
                track.write(chunk);
                next += 20_000_000L;
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    java.util.concurrent.locks.LockSupport.parkNanos(wait);
                }
            }
        }, "producer");
        producer.setDaemon(true);
        producer.start();
        LatencyHistogram lateness = new LatencyHistogram();
        long anchor = System.nanoTime(); // at or before the track's own anchor: errs on the late side
        AudioFrame frame = track.recv();
        long anchorUncertainty = System.nanoTime() - anchor;
        int frames = seconds * 50;
        for (int n = 1; n <= frames; n++) {
            frame = track.recv(frame);
            lateness.record(System.nanoTime() - (anchor + n * 20_000_000L));
        }
        track.stop();
        System.out.printf(Locale.ROOT, "%d frames in real time: lateness p50 %.3f ms, p99 %.3f ms, p99.9 %.3f ms, max %.3f ms "
                        + "(each may read up to %.3f ms high: the anchor's uncertainty)%n",
                frames, ms(lateness.percentile(50)), ms(lateness.percentile(99)), ms(lateness.percentile(99.9)),
                ms(lateness.max()), anchorUncertainty / 1e6);
    }

    private static double ms(java.time.Duration d) {
        return d.toNanos() / 1e6;
    }
}
