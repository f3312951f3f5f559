package io.pcmtrack.bench;

import io.pcmtrack.AudioFrame;
import io.pcmtrack.AudioStreamTrack;
import io.pcmtrack.PcmData;
import io.pcmtrack.VirtualClock;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;

/**
 * Many resampling tracks on one thread, each in turn getting one 20 ms write of 16-bit noise at the input rate
 * and giving one frame ({@link AudioStreamTrack#recv}), on a {@link VirtualClock}: CPU time per frame, median and
 * best of 8 rounds after 4 of warm-up. With thousands of tracks each track's state has gone cold in the cache by
 * its next turn, as on a server. First, the heap each track holds after one write and one frame (2,000 tracks, in
 * a fresh process, after collections; run it with {@code -XX:+UseSerialGC} for a steady figure).
 *
 * <pre>java -Xmx4g -XX:+UseSerialGC -cp bench/target/benchmarks.jar io.pcmtrack.bench.ManyResamplingTracks IN:OUT [TRACKS ...]</pre>
 */
public final class ManyResamplingTracks {
    private static final int ROUNDS = 12;
    private static final int WARM_UP_ROUNDS = 4;
    private static final int MEMORY_TRACKS = 2_000;

    private ManyResamplingTracks() {
    }

    public static void main(String[] args) throws InterruptedException {
        if (args.length < 1 || !args[0].contains(":")) {
            System.err.println("usage: ManyResamplingTracks IN:OUT [TRACKS ...]   (default 1000 10000)");
            System.exit(2);
        }
        String[] rates = args[0].split(":");
        int in = Integer.parseInt(rates[0]);
        int out = Integer.parseInt(rates[1]);
        int[] counts = args.length > 1
                ? Arrays.stream(args, 1, args.length).mapToInt(Integer::parseInt).toArray()
                : new int[] {1_000, 10_000};
        PcmData pcm = noise(in);
        // first, while the block pool is as a new process has it: the audio's blocks count too
        double heap = heapPerTrack(in, out, pcm);
        for (int n : counts) {
            double[] us = perFrame(n, in, out, pcm);
            System.out.println(String.format(Locale.ROOT, "%,d tracks, %d -> %d: %.2f us per frame (best %.2f)",
                    n, in, out, us[0], us[1]));
        }
        System.out.println(String.format(Locale.ROOT, "heap per track after one write and one frame (%,d tracks): %.1f KB",
                MEMORY_TRACKS, heap / 1024.0));
    }

    private static PcmData noise(int rate) {
        short[] chunk = new short[rate / 50];
        Random random = new Random(1);
        for (int i = 0; i < chunk.length; i++) {
            chunk[i] = (short) (random.nextGaussian() * 3000);
        }
        return PcmData.ofShorts(rate, 1, chunk);
    }

    private static AudioStreamTrack track(int out) {
        return AudioStreamTrack.builder().clock(new VirtualClock()).sampleRate(out).build();
    }

    /** Median and best microseconds of CPU time per frame. */
    private static double[] perFrame(int n, int in, int out, PcmData pcm) throws InterruptedException {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        AudioStreamTrack[] tracks = new AudioStreamTrack[n];
        AudioFrame[] frames = new AudioFrame[n];
        for (int i = 0; i < n; i++) {
            tracks[i] = track(out);
        }
        long perRound = Math.max(20_000L, 5L * n);
        double[] us = new double[ROUNDS - WARM_UP_ROUNDS];
        for (int round = 0; round < ROUNDS; round++) {
            long t0 = threads.getCurrentThreadCpuTime();
            long done = 0;
            while (done < perRound) {
                for (int i = 0; i < n; i++) {
                    tracks[i].write(pcm);
                    frames[i] = tracks[i].recv(frames[i]);
                }
                done += n;
            }
            if (round >= WARM_UP_ROUNDS) {
                us[round - WARM_UP_ROUNDS] = (threads.getCurrentThreadCpuTime() - t0) / 1e3 / done;
            }
        }
        for (AudioStreamTrack t : tracks) {
            t.close();
        }
        Arrays.sort(us);
        return new double[] {us[us.length / 2], us[0]};
    }

    /** Bytes of heap each of {@value #MEMORY_TRACKS} tracks holds after one write and one frame. */
    private static double heapPerTrack(int in, int out, PcmData pcm) throws InterruptedException {
        Runtime runtime = Runtime.getRuntime();
        settle();
        long before = runtime.totalMemory() - runtime.freeMemory();
        AudioStreamTrack[] tracks = new AudioStreamTrack[MEMORY_TRACKS];
        for (int i = 0; i < tracks.length; i++) {
            tracks[i] = track(out);
            tracks[i].write(pcm);
            tracks[i].recv(null);
        }
        settle();
        long after = runtime.totalMemory() - runtime.freeMemory();
        double perTrack = (after - before) / (double) tracks.length;
        for (AudioStreamTrack t : tracks) {
            t.close();
        }
        return perTrack;
    }

    private static void settle() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
    }
}
