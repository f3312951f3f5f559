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
 * after the track is stopped it pushes silence until {@link #close()}. A frame that is late by up
 * to {@link #maxCatchUp()} is caught up at once; after a longer stall (a GC pause, a starved CPU)
 * the publisher does not push the backlog in a burst, which would grow the receiver's
 * jitter-buffer delay for a long time: it restarts its schedule from the current time (counted in
 * {@link #stalls()}), and the track's audio plays that much later (the delay goes away the next
 * time the track runs dry). The track's own lateness statistics then count those frames as late.
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
    private volatile long stalls;
    private volatile long maxLatenessNanos;

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
     * Starts publishing {@code track} into {@code source} with {@link #DEFAULT_MAX_CATCH_UP}.
     *
     * @throws IllegalArgumentException if the track's format or frame duration cannot be pushed
     */
    public static WebRtcPublisher start(AudioStreamTrack track, CustomAudioSource source) {
        return start(track, AudioPush.of(source), DEFAULT_MAX_CATCH_UP);
    }

    /**
     * Starts publishing {@code track} to {@code target}.
     *
     * @param maxCatchUp lateness up to which missed frames are made up back to back; a longer
     *                   stall restarts the schedule; at least 10 ms
     * @throws IllegalArgumentException if the track's format or frame duration cannot be pushed,
     *         or {@code maxCatchUp} is shorter than 10 ms
     * @throws TrackEndedException      if the track was stopped
     */
    public static WebRtcPublisher start(AudioStreamTrack track, AudioPush target, Duration maxCatchUp) {
        Objects.requireNonNull(track, "track");
        Objects.requireNonNull(target, "target");
        if (maxCatchUp == null || maxCatchUp.compareTo(Duration.ofMillis(10)) < 0) {
            throw new IllegalArgumentException("maxCatchUp must be at least 10 ms, got " + maxCatchUp);
        }
        if (!track.isLive()) {
            throw new TrackEndedException("track " + track.id() + " has been stopped");
        }
        WebRtcPublisher p = new WebRtcPublisher(track, target, maxCatchUp);
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

    /** Times the schedule was restarted after a stall longer than {@link #maxCatchUp()}. */
    public long stalls() {
        return stalls;
    }

    /** Largest lateness of a frame's pushes against the frame's deadline, stalls included. */
    public Duration maxLateness() {
        return Duration.ofNanos(maxLatenessNanos);
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
        long frameNanos = track.frameDuration().toNanos();
        long base = Long.MIN_VALUE;
        long index = 0;
        try {
            while (running) {
                if (!trackEnded) {
                    try {
                        track.recv(frame);
                        frames++;
                    } catch (TrackEndedException e) {
                        trackEnded = true;
                    }
                }
                long now = clock.nanoTime();
                if (base == Long.MIN_VALUE) {
                    base = now;
                }
                long deadline = base + index * frameNanos;
                while (now < deadline) {
                    clock.sleepUntil(deadline);
                    now = clock.nanoTime();
                    if (!running) {
                        return;
                    }
                }
                long late = now - deadline;
                if (late > maxLatenessNanos) {
                    maxLatenessNanos = late;
                }
                if (late > maxCatchUpNanos) {
                    base += late; // restart the schedule here: no burst into the receiver's jitter buffer
                    stalls++;
                }
                for (int i = 0; i < encoder.chunksPerFrame; i++) {
                    if (trackEnded) {
                        encoder.silence();
                        silentPushes++;
                    } else {
                        encoder.encode(frame, i);
                    }
                    encoder.push(target);
                    pushes++;
                }
                index++;
            }
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
}
