package io.pcmtrack.webrtc;

import java.time.Duration;
import java.util.Random;

import io.pcmtrack.AudioStreamTrack;
import io.pcmtrack.PcmData;

/**
 * Writes a continuous tone into a track the way a TTS engine does: chunks of random length
 * (50-400 ms) at random times, staying ahead of playout so that the track is never starved
 * during the tone. Mono or stereo, S16, at the track's rate.
 */
final class BurstyProducer {
    private final AudioStreamTrack track;
    private final double hz;
    private final double dbfs;
    private final Random random;
    private final int rate;
    private final int channels;
    private long written;
    int writes;

    BurstyProducer(AudioStreamTrack track, double hz, double dbfs, long seed) {
        this.track = track;
        this.hz = hz;
        this.dbfs = dbfs;
        this.random = new Random(seed);
        this.rate = track.format().sampleRate();
        this.channels = track.format().channels();
    }

    /** Writes {@code d} of tone at once. */
    void write(Duration d) {
        int n = (int) (d.toMillis() * rate / 1000);
        track.write(PcmData.ofShorts(rate, channels, Signals.tone(rate, channels, hz, dbfs, written, n)));
        written += n;
        writes++;
    }

    /**
     * Writes {@code total} of tone in random bursts, sleeping between them for a random part of
     * what is buffered beyond a 150 ms safety margin. Returns when all of it is written.
     */
    void run(Duration total) throws InterruptedException {
        long end = written + total.toMillis() * rate / 1000;
        while (written < end) {
            long ms = Math.min(50 + random.nextInt(351), (end - written) * 1000 / rate);
            write(Duration.ofMillis(Math.max(1, ms)));
            long spare = track.buffered().toMillis() - 150;
            if (spare > 0) {
                Thread.sleep(random.nextInt((int) Math.min(spare, 400) + 1));
            }
        }
    }
}
