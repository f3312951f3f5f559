package io.pcmtrack;

/**
 * What a flush cut. An application that noted {@code start = track.writePosition()} before
 * writing an utterance of {@code length} samples knows the listener got
 * {@code clamp(playedPosition - start, 0, length)} samples of it.
 *
 * @param playedPosition   {@link AudioStreamTrack#playedPosition()} right after the cut, the
 *                         faded samples included (they are still to be emitted)
 * @param discardedSamples samples per channel discarded: buffered, held partial frame and
 *                         resampler tail
 */
public record FlushReport(long playedPosition, long discardedSamples) {
}
