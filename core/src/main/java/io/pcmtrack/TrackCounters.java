package io.pcmtrack;

import java.time.Duration;

/**
 * A snapshot of the counters a {@link FrameBuffer} keeps as its own fields (in interleaved
 * samples where they count samples), taken under its lock and turned into {@link TrackStats}
 * outside it.
 */
record TrackCounters(long framesEmitted, long silentFrames, long paddedFrames, long droppedValues, long writtenValues,
        long flushes, long flushedValues) {

    /** Per-channel statistics, with the lateness and catch-up counters the pacer keeps. */
    TrackStats toStats(int channels, Pacer pacer) {
        return new TrackStats(framesEmitted, silentFrames, paddedFrames, droppedValues / channels,
                pacer.lateFrames(), Duration.ofNanos(pacer.maxLatenessNanos()), writtenValues / channels, flushes,
                flushedValues / channels, pacer.stalls(), pacer.skippedFrames());
    }
}
