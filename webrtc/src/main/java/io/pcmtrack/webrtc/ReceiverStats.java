package io.pcmtrack.webrtc;

import java.time.Duration;

/**
 * Counters of a {@link WebRtcAudioReceiver}, taken at one instant.
 *
 * @param callbacks            audio callbacks from libwebrtc (one per 10 ms of received audio)
 * @param samplesReceived      samples per channel received, at libwebrtc's rate
 * @param chunksDelivered      chunks taken by the application (read, readAsync, listener)
 * @param samplesDelivered     samples per channel taken by the application, in the output format
 * @param droppedChunks        chunks dropped, oldest first, because the buffer was full
 * @param droppedSamples       samples per channel in those chunks (output format)
 * @param gaps                 callbacks that came more than two chunk durations after the previous
 *                             one: the receiving side stalled and the audio has a hole or a
 *                             jump there
 * @param maxCallbackInterval  longest time between two callbacks
 * @param errors               callbacks whose audio was discarded (unsupported sample size,
 *                             conversion failure) plus listener exceptions
 * @param cleared              {@link WebRtcAudioReceiver#clear()} calls
 */
public record ReceiverStats(long callbacks, long samplesReceived, long chunksDelivered, long samplesDelivered,
                            long droppedChunks, long droppedSamples, long gaps, Duration maxCallbackInterval,
                            long errors, long cleared) {
}
