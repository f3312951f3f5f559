package io.pcmtrack.bench;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

import io.pcmtrack.PcmData;
import io.pcmtrack.server.WhipPublication;
import io.pcmtrack.webrtc.ReceiverStats;

/**
 * The application side of WHIP publications in {@link ServeForBench}: reads every publication's
 * audio on the receiver's listener thread (what an application feeding speech recognition does)
 * and checks that it is the publishers' tone, 1 kHz at 0.5 peak, chunk by chunk. A chunk is
 * <em>damaged</em> when the tone's amplitude in it is off by more than 3 dB, or more than a tenth
 * of its energy is not the tone: what NetEq's concealment of late or lost packets (fading, noise,
 * silence) and the receiver's own stalls do to it. The first two seconds of each publication
 * (connection set-up, jitter buffer settling) are not judged.
 */
final class ToneCheck {
    static final double FREQUENCY = 1000;
    static final double AMPLITUDE = 0.5;
    private static final long SETTLE_NANOS = Duration.ofSeconds(2).toNanos();

    private final List<Publication> live = new CopyOnWriteArrayList<>();
    private final AtomicLong chunks = new AtomicLong();
    private final AtomicLong damaged = new AtomicLong();
    private long gapsBefore;
    private long droppedBefore;
    private long chunksBefore;
    private long damagedBefore;

    /** The server's WHIP handler: checks the publication until it ends. */
    void onPublish(WhipPublication p) {
        Publication pub = new Publication(p);
        live.add(pub);
        p.ended().whenComplete((v, e) -> live.remove(pub));
        p.receiver().onAudio(pub::check);
    }

    /**
     * {@code whip=.. chunks=.. damaged=.. gaps=.. dropped=.. maxGapMs=..}: chunks judged and
     * damaged, receiver stalls (callbacks more than two chunks apart) and chunks dropped since the
     * previous call, over the live publications, and the longest callback interval now seen.
     */
    synchronized String since() {
        long gaps = 0;
        long dropped = 0;
        long maxGapNanos = 0;
        for (Publication p : live) {
            ReceiverStats s = p.publication.receiver().stats();
            gaps += s.gaps();
            dropped += s.droppedChunks();
            maxGapNanos = Math.max(maxGapNanos, s.maxCallbackInterval().toNanos());
        }
        long c = chunks.get();
        long d = damaged.get();
        String out = "whip=" + live.size() + " chunks=" + (c - chunksBefore) + " damaged=" + (d - damagedBefore)
                + " gaps=" + Math.max(0, gaps - gapsBefore) + " dropped=" + Math.max(0, dropped - droppedBefore)
                + " maxGapMs=" + maxGapNanos / 1_000_000;
        chunksBefore = c;
        damagedBefore = d;
        gapsBefore = gaps;
        droppedBefore = dropped;
        return out;
    }

    private final class Publication {
        final WhipPublication publication;
        final long start = System.nanoTime();

        Publication(WhipPublication publication) {
            this.publication = publication;
        }

        void check(PcmData chunk) {
            if (System.nanoTime() - start < SETTLE_NANOS) {
                return;
            }
            chunks.incrementAndGet();
            if (!isTone(chunk.toFloats(), chunk.format().sampleRate(), chunk.format().channels())) {
                damaged.incrementAndGet();
            }
        }
    }

    /** True if {@code samples} (interleaved; the first channel is judged) are the tone, within 3 dB and -10 dB residue. */
    static boolean isTone(float[] samples, int sampleRate, int channels) {
        int n = samples.length / channels;
        if (n == 0) {
            return true;
        }
        double w = 2 * Math.PI * FREQUENCY / sampleRate;
        double c = 0;
        double s = 0;
        double energy = 0;
        for (int i = 0; i < n; i++) {
            double x = samples[i * channels];
            c += x * Math.cos(w * i);
            s += x * Math.sin(w * i);
            energy += x * x;
        }
        double amplitude = 2 * Math.hypot(c, s) / n;
        double toneEnergy = amplitude * amplitude / 2 * n;
        boolean level = amplitude > AMPLITUDE / Math.sqrt(2) && amplitude < AMPLITUDE * Math.sqrt(2);
        return level && energy - toneEnergy <= 0.1 * energy;
    }
}
