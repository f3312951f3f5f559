package io.pcmtrack.telephony;

/**
 * Counters of one call, taken at one instant (each counter exact, the set not atomic).
 *
 * @param messagesReceived  messages from the provider, all kinds, dropped ones included
 * @param mediaReceived     media messages decoded and handed to {@link CallAudioReceiver}
 * @param dtmfReceived      DTMF events
 * @param sequenceGaps      messages missing by sequence number (the provider skipped numbers)
 * @param outOfOrder        messages whose sequence number was not above the last one (media among them dropped)
 * @param malformed         messages that were not the JSON (or the binary frame) the protocol expects
 * @param unknownEvents     well-formed messages with an event this protocol does not know (ignored)
 * @param badAudio          media with bad base64, a size that is not whole samples, or too long (dropped)
 * @param oversized         messages over {@link CallOptions#maxMessageBytes} (dropped)
 * @param rateLimited       messages over {@link CallOptions#maxMessagesPerSecond} (dropped)
 * @param providerErrors    error events the provider sent
 * @param framesSent        media messages sent, lead padding included
 * @param leadFramesSent    silent frames sent to build the lead (at start and after each clear)
 * @param marksSent         mark messages sent
 * @param markEchoes        mark echoes matched to a sent mark
 * @param unknownMarkEchoes mark echoes that matched no mark in flight
 * @param overdueMarks      marks whose echo was later than {@link CallOptions#markEchoTimeout}
 * @param clearsSent        clear messages sent
 */
public record CallStats(long messagesReceived, long mediaReceived, long dtmfReceived, long sequenceGaps,
                        long outOfOrder, long malformed, long unknownEvents, long badAudio, long oversized,
                        long rateLimited, long providerErrors, long framesSent, long leadFramesSent, long marksSent,
                        long markEchoes, long unknownMarkEchoes, long overdueMarks, long clearsSent) {
}
