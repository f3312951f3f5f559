package io.pcmtrack.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.time.Duration;

import io.pcmtrack.AudioStreamTrack;
import io.pcmtrack.PcmData;
import io.pcmtrack.PcmFormat;
import io.pcmtrack.TrackEndedException;

/**
 * Writes an input into a live track over and over, as long as the track lives, keeping about
 * {@link #AHEAD} buffered so that the track never starves and listeners who join hear the live
 * stream, not a backlog. Raw stdin cannot be replayed: it plays once, then the track paces silence.
 */
final class LoopingFeeder implements AutoCloseable {
    /** How far the feeder runs ahead of the track's pacing. */
    static final Duration AHEAD = Duration.ofMillis(200);
    private static final double SEGMENT_SECONDS = 10;

    private final Thread thread;
    private volatile boolean running = true;

    /**
     * Opens the input once now, so that a bad one fails here with its message.
     *
     * @throws UserException if the input cannot be opened
     */
    LoopingFeeder(String name, String spec, PcmFormat inFormat, InputStream stdin, AudioStreamTrack track, PrintWriter err)
            throws IOException {
        Sources.Source first = Sources.open(spec, inFormat, SEGMENT_SECONDS, stdin);
        thread = new Thread(() -> {
            Sources.Source source = first;
            try {
                while (running) {
                    int chunk = Math.max(1, source.format().sampleRate() / 50);
                    PcmData pcm;
                    boolean any = false;
                    while (running && (pcm = source.next(chunk)) != null) {
                        any = true;
                        while (running && track.buffered().compareTo(AHEAD) > 0) {
                            Thread.sleep(5);
                        }
                        track.write(pcm);
                    }
                    source.close();
                    if (!any || spec.equals("-")) {
                        return; // nothing to loop: the track goes on pacing silence
                    }
                    source = Sources.open(spec, inFormat, SEGMENT_SECONDS, stdin);
                }
            } catch (InterruptedException | TrackEndedException e) {
                // the server is stopping
            } catch (IOException | RuntimeException e) {
                err.println("pcmtrack: track " + name + ": reading " + spec + " failed: " + e.getMessage());
            }
        }, "pcmtrack-feeder-" + name);
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
