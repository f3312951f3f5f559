package io.pcmtrack.bench;

import io.pcmtrack.AudioFrame;
import io.pcmtrack.AudioStreamTrack;
import io.pcmtrack.PcmData;
import io.pcmtrack.VirtualClock;
import io.pcmtrack.dsp.Resampler;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;

/**
 * What a resampling track costs per 20 ms frame with each {@link Resampler.Quality}: a track at the output
 * rate (S16, mono, on a {@link VirtualClock}) gets 20 ms of 16-bit noise at the input rate written and one
 * frame received, in CPU time of this thread. The two qualities take turns in slices of 20,000 frames, so
 * that load which comes and goes lands on both; prints the median and best slice of each and their ratio.
 * The case it was written for: text-to-speech at 24 kHz into a phone call at 8 kHz, where
 * {@code CallOptions} now resamples with {@link Resampler.Quality#TELEPHONY} by default.
 *
 * <pre>java -cp bench/target/benchmarks.jar io.pcmtrack.bench.ResamplingTrackCost [in:out ...]</pre>
 */
public final class ResamplingTrackCost {
    private static final int FRAMES_PER_SLICE = 20_000;
    private static final int ROUNDS = 12;
    private static final int WARM_UP_ROUNDS = 3;

    private ResamplingTrackCost() {
    }

    public static void main(String[] args) throws InterruptedException {
        String[] pairs = args.length > 0 ? args : new String[] {"24000:8000", "16000:8000", "48000:8000", "24000:16000", "8000:48000"};
        System.out.println("| write at -> track at | STANDARD, us per frame, median (best) | TELEPHONY | STANDARD / TELEPHONY |");
        System.out.println("|---|---|---|---|");
        for (String pair : pairs) {
            String[] p = pair.split(":");
            int in = Integer.parseInt(p[0]);
            int out = Integer.parseInt(p[1]);
            double[][] us = measure(in, out);
            double[] s = summary(us[0]);
            double[] t = summary(us[1]);
            String note = new Resampler(in, out, 1, Resampler.Quality.TELEPHONY).quality() == Resampler.Quality.TELEPHONY
                    ? "" : " (no telephony filter at this ratio: both STANDARD)";
            System.out.println(String.format(Locale.ROOT, "| %d -> %d | %.2f (%.2f) | %.2f (%.2f) | **%.2f**%s |",
                    in, out, s[0], s[1], t[0], t[1], s[0] / t[0], note));
        }
    }

    /** Microseconds of CPU time per frame, per measured round, for STANDARD and TELEPHONY. */
    private static double[][] measure(int in, int out) throws InterruptedException {
        Resampler.Quality[] qualities = Resampler.Quality.values();
        AudioStreamTrack[] tracks = new AudioStreamTrack[qualities.length];
        for (int q = 0; q < qualities.length; q++) {
            tracks[q] = AudioStreamTrack.builder().clock(new VirtualClock()).sampleRate(out).resampling(qualities[q]).build();
        }
        short[] chunk = new short[in / 50];
        Random random = new Random(1);
        for (int i = 0; i < chunk.length; i++) {
            chunk[i] = (short) (random.nextGaussian() * 3000);
        }
        PcmData pcm = PcmData.ofShorts(in, 1, chunk);
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        double[][] us = new double[qualities.length][ROUNDS - WARM_UP_ROUNDS];
        AudioFrame[] frames = new AudioFrame[qualities.length];
        long sink = 0;
        for (int round = 0; round < ROUNDS; round++) {
            for (int q = 0; q < qualities.length; q++) {
                long t0 = threads.getCurrentThreadCpuTime();
                for (int i = 0; i < FRAMES_PER_SLICE; i++) {
                    tracks[q].write(pcm);
                    frames[q] = tracks[q].recv(frames[q]);
                    sink += frames[q].pts();
                }
                long elapsed = threads.getCurrentThreadCpuTime() - t0;
                if (round >= WARM_UP_ROUNDS) {
                    us[q][round - WARM_UP_ROUNDS] = elapsed / 1e3 / FRAMES_PER_SLICE;
                }
            }
        }
        for (AudioStreamTrack t : tracks) {
            t.close();
        }
        if (sink == 42) {
            System.out.println();
        }
        return us;
    }

    /** Median and best (smallest). */
    private static double[] summary(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return new double[] {sorted[sorted.length / 2], sorted[0]};
    }
}
