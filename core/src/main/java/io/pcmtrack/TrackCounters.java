package io.pcmtrack;

import java.time.Duration;

/**
 * The counters that move with a track's samples, in interleaved samples where they count
 * samples. Guarded by the {@link FrameBuffer}'s lock; {@link #copy()} is taken under it and
 * turned into {@link TrackStats} outside it.
 */
final class TrackCounters {
    long framesEmitted;
    long silentFrames;
    long paddedFrames;
    long droppedValues;
    long writtenValues;
    long flushes;
    long flushedValues;

    TrackCounters copy() {
        TrackCounters c = new TrackCounters();
        c.framesEmitted = framesEmitted;
        c.silentFrames = silentFrames;
        c.paddedFrames = paddedFrames;
        c.droppedValues = droppedValues;
        c.writtenValues = writtenValues;
        c.flushes = flushes;
        c.flushedValues = flushedValues;
        return c;
    }

    /** Per-channel statistics, with the lateness and catch-up counters the pacer keeps. */
    TrackStats toStats(int channels, Pacer pacer) {
        return new TrackStats(framesEmitted, silentFrames, paddedFrames, droppedValues / channels,
                pacer.lateFrames(), Duration.ofNanos(pacer.maxLatenessNanos()), writtenValues / channels, flushes,
                flushedValues / channels, pacer.stalls(), pacer.skippedFrames());
    }
}
