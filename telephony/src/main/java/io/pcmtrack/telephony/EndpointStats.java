package io.pcmtrack.telephony;

/**
 * Counters of one {@link MediaStreamEndpoint} over all its connections.
 *
 * @param connections   connections opened
 * @param callsStarted  calls whose start message was accepted
 * @param callsActive   calls now in progress
 * @param faults        messages dropped for any reason (malformed, unknown, oversized, over the
 *                      rate limit, bad audio, out of order) plus handler failures
 */
public record EndpointStats(long connections, long callsStarted, long callsActive, long faults) {
}
