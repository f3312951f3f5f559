package io.pcmtrack.server;

import io.pcmtrack.AudioStreamTrack;
import io.pcmtrack.PcmData;

/** Keeps a track supplied with a steady sine, about 100 ms ahead of its pacing, until closed. */
final class ToneFeeder implements AutoCloseable {
    private final Thread thread;
    private volatile boolean running = true;

    ToneFeeder(AudioStreamTrack track, double hz, double amplitude) {
        int rate = track.format().sampleRate();
        thread = new Thread(() -> {
            long n = 0;
            float[] chunk = new float[rate / 50];
            try {
                while (running) {
                    if (track.buffered().toMillis() < 100) {
                        for (int i = 0; i < chunk.length; i++, n++) {
                            chunk[i] = (float) (amplitude * Math.sin(2 * Math.PI * hz * n / rate));
                        }
                        track.write(PcmData.ofFloats(rate, 1, chunk));
                    } else {
                        Thread.sleep(5);
                    }
                }
            } catch (InterruptedException | IllegalStateException e) {
                // closed, or the track was stopped
            }
        }, "tone-feeder");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void close() {
        running = false;
        try {
            thread.join(1_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
