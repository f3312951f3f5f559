package io.pcmtrack.bench;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.pcmtrack.AudioStreamTrack;
import io.pcmtrack.FrameScheduler;
import io.pcmtrack.MediaClock;
import io.pcmtrack.PcmData;
import io.pcmtrack.SchedulerStats;
import io.pcmtrack.webrtc.WebRtcSession;

/**
 * The audio of the WHIP publishers in the measuring process: one track per publisher, each
 * playing {@link ToneCheck}'s tone, all paced by one {@link FrameScheduler} (one thread pushes
 * every publisher's 10 ms frames, as a server fanning out does) and topped up by one feeder thread.
 */
final class TonePublishers implements AutoCloseable {
    private final FrameScheduler scheduler = new FrameScheduler(MediaClock.system());
    private final List<Fed> tracks = new CopyOnWriteArrayList<>();
    private final Thread feeder;
    private volatile boolean running = true;

    TonePublishers() {
        feeder = new Thread(this::feed, "tone-publishers-feeder");
        feeder.setDaemon(true);
        feeder.start();
    }

    /** Attaches a new tone track to {@code session} (before it offers); the track ends with {@link #remove}. */
    void attach(WebRtcSession session) {
        AudioStreamTrack track = AudioStreamTrack.create();
        Fed f = new Fed(session, track);
        tracks.add(f);
        session.attach(scheduler, track);
    }

    /** Stops feeding the track of {@code session} (call after closing the session). */
    void remove(WebRtcSession session) {
        for (Fed f : tracks) {
            if (f.session == session) {
                tracks.remove(f);
                f.track.close();
            }
        }
    }

    SchedulerStats stats() {
        return scheduler.stats();
    }

    private void feed() {
        float[] chunk = new float[960];
        while (running) {
            boolean wrote = false;
            for (Fed f : tracks) {
                try {
                    if (f.track.buffered().toMillis() < 100) {
                        for (int i = 0; i < chunk.length; i++, f.n++) {
                            chunk[i] = (float) (ToneCheck.AMPLITUDE * Math.sin(2 * Math.PI * ToneCheck.FREQUENCY * f.n / 48_000.0));
                        }
                        f.track.write(PcmData.ofFloats(48_000, 1, chunk));
                        wrote = true;
                    }
                } catch (IllegalStateException e) {
                    // closed meanwhile
                }
            }
            if (!wrote) {
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    @Override
    public void close() {
        running = false;
        feeder.interrupt();
        scheduler.close();
        for (Fed f : tracks) {
            f.track.close();
        }
    }

    private static final class Fed {
        final WebRtcSession session;
        final AudioStreamTrack track;
        long n;

        Fed(WebRtcSession session, AudioStreamTrack track) {
            this.session = session;
            this.track = track;
        }
    }
}
