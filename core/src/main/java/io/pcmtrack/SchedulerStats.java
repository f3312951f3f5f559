package io.pcmtrack;

import java.time.Duration;

/**
 * A snapshot of a {@link FrameScheduler}'s counters. Lateness is how long after its due time a
 * frame reached its sink's call.
 *
 * @param tracksAttached  tracks attached now
 * @param framesDelivered frames handed to sinks since the scheduler started
 * @param sinkErrors      sink calls that threw
 * @param latenessP50     median lateness
 * @param latenessP99     99th percentile lateness
 * @param latenessMax     largest lateness
 * @param lateness        the full lateness histogram (a copy)
 */
public record SchedulerStats(
        int tracksAttached,
        long framesDelivered,
        long sinkErrors,
        Duration latenessP50,
        Duration latenessP99,
        Duration latenessMax,
        LatencyHistogram lateness) {
}
