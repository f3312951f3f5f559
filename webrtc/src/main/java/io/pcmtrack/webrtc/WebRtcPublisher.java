package io.pcmtrack.webrtc;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

import dev.onvoid.webrtc.media.audio.CustomAudioSource;
import io.pcmtrack.AudioFrame;
import io.pcmtrack.AudioStreamTrack;
import io.pcmtrack.MediaClock;
import io.pcmtrack.TrackEndedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes one {@link AudioStreamTrack} into a libwebrtc {@link CustomAudioSource} from a thread
 * of its own: receives the track's frames ({@code recv(reuse)}, paced by the track's clock) and
 * pushes each as 10 ms chunks of 16-bit PCM, back to back, when the frame is due.
 *
 * <pre>{@code
 * AudioStreamTrack track = AudioStreamTrack.create();          // 48 kHz mono, 20 ms frames
 * CustomAudioSource source = new CustomAudioSource();
 * pc.addTrack(factory.createAudioTrack("audio0", source), List.of("stream0"));
 * try (WebRtcPublisher publisher = WebRtcPublisher.start(track, source)) {
 *     track.write(speech);                                       // from any thread, in bursts
 *     ...
 * }                                                              // stops pushing; then dispose the source
 * }</pre>
 *
 * <p>Timing. libwebrtc does not buffer what it is pushed: it encodes at once and sends a 20 ms
 * Opus packet as soon as it has 20 ms. Pushing a 20 ms frame's two chunks back to back at the
 * frame's deadline therefore sends each packet one chunk earlier than pushing the second chunk
 * 10 ms later: in the loopback soak (1-minute runs, interleaved) the delay from {@code write} to
 * the receiver was 69-71 ms (medians) back to back against 81-88 ms at 10 ms deadlines, with the
 * same jitter-buffer delay and no concealment either way; 10 ms frames gave 70-78 ms. The pushing
 * must not pause: while the track is starved the publisher pushes the track's silent frames, and
 * after the track is stopped it pushes silence until {@link #close()}.
 *
 * <p>Stalls. The loop is a plain {@code recv}: the track paces it. A stall (a GC pause, a starved
 * CPU) must not be made up in a burst, which would grow the receiver's jitter-buffer delay for a
 * long time, so the publisher gives the track a catch-up limit (semantics 16) if it has none:
 * {@link #DEFAULT_MAX_CATCH_UP}, 100 ms, or the one passed to {@link #start(AudioStreamTrack,
 * AudioPush, Duration)}. Frames late by up to that are caught up at once; after a longer stall
 * the track skips the missed slots (counted in {@link io.pcmtrack.TrackStats#stalls()}), no
 * audio is lost and its lateness statistics stay right.
 *
 * <p>Threads: the publisher's daemon thread is the track's only consumer and the only thread
 * pushing into the source. {@link #close()} may be called from any thread; it stops the thread
 * and waits for it, and only then may the source be disposed. The track itself is not stopped.
 * No allocation per frame.
 */
public final class WebRtcPublisher implements AutoCloseable {
    /** Default {@link #maxCatchUp()}: a stall longer than this restarts the schedule. */
    public static final Duration DEFAULT_MAX_CATCH_UP = Duration.ofMillis(100);
    private static final Logger LOG = LoggerFactory.getLogger(WebRtcPublisher.class);
    private static final AtomicInteger THREADS = new AtomicInteger();

    private final AudioStreamTrack track;
    private final AudioPush target;
    private final PushEncoder encoder;
    private final MediaClock clock;
    private final long maxCatchUpNanos;
    private final Duration maxCatchUp;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile boolean trackEnded;
    private volatile Throwable failure;
    private volatile long frames;
    private volatile long pushes;
    private volatile long silentPushes;

    private WebRtcPublisher(AudioStreamTrack track, AudioPush target, Duration maxCatchUp) {
        this.track = track;
        this.target = target;
        this.encoder = new PushEncoder(track.format(), track.samplesPerFrame());
        this.clock = track.clock();
        this.maxCatchUp = maxCatchUp;
        this.maxCatchUpNanos = maxCatchUp.toNanos();
        this.thread = new Thread(this::run, "pcmtrack-webrtc-publisher-" + THREADS.incrementAndGet());
        this.thread.setDaemon(true);
        this.thread.setPriority(Thread.MAX_PRIORITY);
    }

    /**
     * Starts publishing {@code track} into {@code source}. A track built without a catch-up limit
     * gets {@link #DEFAULT_MAX_CATCH_UP}; one built with its own keeps it.
     *
     * @throws IllegalArgumentException if the track's format or frame duration cannot be pushed
     * @throws TrackEndedException      if the track was stopped
     */
    public static WebRtcPublisher start(AudioStreamTrack track, CustomAudioSource source) {
        Objects.requireNonNull(track, "track");
        return start(track, AudioPush.of(source), track.maxCatchUp() != null ? track.maxCatchUp() : DEFAULT_MAX_CATCH_UP);
    }

    /**
     * Starts publishing {@code track} to {@code target}, giving the track the catch-up limit
     * {@code maxCatchUp} ({@link AudioStreamTrack#setMaxCatchUp}).
     *
     * @param maxCatchUp lateness up to which missed frames are made up back to back; after a
     *                   longer stall the missed slots are skipped; at least one frame duration
     * @throws IllegalArgumentException if the track's format or frame duration cannot be pushed,
     *         or {@code maxCatchUp} is null or shorter than a frame
     * @throws TrackEndedException      if the track was stopped
     */
    public static WebRtcPublisher start(AudioStreamTrack track, AudioPush target, Duration maxCatchUp) {
        Objects.requireNonNull(track, "track");
        Objects.requireNonNull(target, "target");
        if (maxCatchUp == null) {
            throw new IllegalArgumentException("maxCatchUp must be >= the frame duration, got null");
        }
        if (!track.isLive()) {
            throw new TrackEndedException("track " + track.id() + " has been stopped");
        }
        WebRtcPublisher p = new WebRtcPublisher(track, target, maxCatchUp);
        track.setMaxCatchUp(maxCatchUp);
        p.thread.start();
        return p;
    }

    public AudioStreamTrack track() {
        return track;
    }

    public Duration maxCatchUp() {
        return maxCatchUp;
    }

    /** True until {@link #close()} or a failed push ended the thread. */
    public boolean isRunning() {
        return thread.isAlive();
    }

    /** What ended the thread early (a push or the track threw), or null. */
    public Throwable failure() {
        return failure;
    }

    /** Frames received from the track. */
    public long frames() {
        return frames;
    }

    /** 10 ms chunks pushed, silence included. */
    public long pushes() {
        return pushes;
    }

    /** 10 ms chunks of silence pushed after the track was stopped. */
    public long silentPushes() {
        return silentPushes;
    }

    /** Stalls longer than {@link #maxCatchUp()} after which the track skipped ahead ({@code track.stats().stalls()}). */
    public long stalls() {
        return track.stats().stalls();
    }

    /** Largest lateness of a frame against its due time ({@code track.stats().maxLateness()}). */
    public Duration maxLateness() {
        return track.stats().maxLateness();
    }

    /** True once the track was found stopped (silence is pushed since). */
    public boolean trackEnded() {
        return trackEnded;
    }

    /**
     * Stops pushing and waits (up to 5 s) for the thread to end; the source may be disposed
     * once this returns. Does not stop the track. Idempotent.
     */
    @Override
    public void close() {
        running = false;
        thread.interrupt();
        if (Thread.currentThread() == thread) {
            return;
        }
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            LOG.warn("publisher thread {} did not stop within 5 s; do not dispose its source yet", thread.getName());
        }
    }

    private void run() {
        AudioFrame frame = AudioFrame.allocate(track.format(), track.samplesPerFrame());
        try {
            while (running) {
                try {
                    track.recv(frame); // paced by the track, which also handles stalls
                } catch (TrackEndedException e) {
                    trackEnded = true;
                    break;
                }
                frames++;
                for (int i = 0; i < encoder.chunksPerFrame; i++) {
                    encoder.encode(frame, i);
                    encoder.push(target);
                    pushes++;
                }
            }
            pushSilenceUntilClosed();
        } catch (InterruptedException e) {
            if (running) {
                failure = e;
                LOG.warn("publisher thread {} was interrupted; it no longer pushes track {}", thread.getName(), track.id());
            }
        } catch (RuntimeException | Error e) {
            failure = e;
            LOG.error("publisher of track {} failed; it no longer pushes", track.id(), e);
        }
    }

    /** The track stopped: keep libwebrtc fed with silent frames on the track's grid until close. */
    private void pushSilenceUntilClosed() throws InterruptedException {
        long frameNanos = track.frameDuration().toNanos();
        long next = clock.nanoTime() + frameNanos; // the last frame went out just now, on time
        while (running) {
            long now = clock.nanoTime();
            if (now < next) {
                clock.sleepUntil(next);
                continue;
            }
            if (now - next > maxCatchUpNanos) {
                next = now; // a stall: no burst of silence either
            }
            for (int i = 0; i < encoder.chunksPerFrame; i++) {
                encoder.silence();
                encoder.push(target);
                pushes++;
                silentPushes++;
            }
            next += frameNanos;
        }
    }
}
