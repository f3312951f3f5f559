package io.pcmtrack;

/**
 * What a flush cut. An application that noted {@code start = track.writePosition()} before
 * writing an utterance of {@code length} samples knows the listener got
 * {@code clamp(playedPosition - start, 0, length)} samples of it.
 *
 * @param playedPosition   {@link AudioStreamTrack#playedPosition()} right after the cut, the
 *                         faded samples included (they are still to be emitted)
 * @param discardedSamples samples per channel after {@code playedPosition} up to
 *                         {@link AudioStreamTrack#writePosition()} that will never be played:
 *                         what this flush discarded (buffered, held partial frame, resampler
 *                         tail, a racing write) and what an earlier flush or overflow discarded
 *                         after the last emitted sample. So {@code playedPosition +
 *                         discardedSamples} is the write position at the cut: a write boundary.
 */
public record FlushReport(long playedPosition, long discardedSamples) {
}
