package io.pcmtrack.server;

import java.util.Arrays;
import java.util.Objects;

import io.pcmtrack.webrtc.AudioPush;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One track's 10 ms chunks, encoded once, pushed to every listener's audio source: the track has
 * one consumer (one scheduler attachment) however many listeners it has.
 *
 * <p>Threads: {@link #push} is called by the one scheduler thread that paces the track;
 * {@link #add} and {@link #remove} from any thread. A listener removed here is never pushed to
 * again once {@code remove} returns (the lock covers a whole round of pushes), so its source can
 * be disposed right after.
 */
final class FanOut implements AudioPush {
    private static final Logger LOG = LoggerFactory.getLogger(FanOut.class);
    private static final long ERROR_LOG_INTERVAL_NANOS = 10_000_000_000L;
    private static final AudioPush[] NONE = new AudioPush[0];

    private final String trackName;
    // Guarded by this; replaced, never changed in place.
    private AudioPush[] targets = NONE;
    private long errors;
    private long lastErrorLogNanos;

    FanOut(String trackName) {
        this.trackName = trackName;
    }

    @Override
    public synchronized void push(byte[] data, int bitsPerSample, int sampleRate, int channels, int frames) {
        for (AudioPush target : targets) {
            try {
                target.push(data, bitsPerSample, sampleRate, channels, frames);
            } catch (RuntimeException e) {
                // One broken listener must not silence the others.
                errors++;
                long now = System.nanoTime();
                if (now - lastErrorLogNanos > ERROR_LOG_INTERVAL_NANOS) {
                    lastErrorLogNanos = now;
                    LOG.warn("track {}: pushing to a listener failed ({} failures so far)", trackName, errors, e);
                }
            }
        }
    }

    synchronized void add(AudioPush target) {
        Objects.requireNonNull(target, "target");
        AudioPush[] next = Arrays.copyOf(targets, targets.length + 1);
        next[targets.length] = target;
        targets = next;
    }

    /** Returns whether {@code target} was a listener; after this, it is never pushed to again. */
    synchronized boolean remove(AudioPush target) {
        for (int i = 0; i < targets.length; i++) {
            if (targets[i] == target) {
                AudioPush[] next = new AudioPush[targets.length - 1];
                System.arraycopy(targets, 0, next, 0, i);
                System.arraycopy(targets, i + 1, next, i, targets.length - i - 1);
                targets = next;
                return true;
            }
        }
        return false;
    }

    synchronized int listeners() {
        return targets.length;
    }

    synchronized long errors() {
        return errors;
    }
}
