package io.pcmtrack;

import java.time.Duration;

/**
 * A snapshot of a track's counters since it was built. Sample counts are per channel.
 *
 * @param framesEmitted  frames handed out, silent ones included
 * @param silentFrames   frames synthesized because nothing was ready
 * @param paddedFrames   frames that ended a released partial frame and were padded with silence
 * @param droppedSamples samples dropped by {@link OverflowPolicy#DROP_OLDEST}
 * @param lateFrames     frames handed out after their due time
 * @param maxLateness    the largest amount by which a frame was late ({@link Duration#ZERO} if none)
 * @param writtenSamples samples accepted into the buffer, after conversion to the track's rate
 * @param flushes        calls to {@code flush()}
 * @param flushedSamples samples discarded by {@code flush()} from the buffer (a resampler's
 *                       tail is not counted here; {@link FlushReport#discardedSamples()} has it)
 * @param stalls         times the consumer fell more than {@code maxCatchUp} behind and re-anchored
 * @param skippedFrames  frame slots skipped by those re-anchors (not counted in {@code framesEmitted})
 */
public record TrackStats(
        long framesEmitted,
        long silentFrames,
        long paddedFrames,
        long droppedSamples,
        long lateFrames,
        Duration maxLateness,
        long writtenSamples,
        long flushes,
        long flushedSamples,
        long stalls,
        long skippedFrames) {
}
