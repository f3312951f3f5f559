package io.pcmtrack.webrtc;

import java.time.Duration;
import java.util.Map;

import dev.onvoid.webrtc.RTCStats;

/**
 * A few receiving-side RTC statistics of an audio stream (W3C {@code inbound-rtp}), read from
 * libwebrtc's stats report. Counters are totals since the stream started; compare two reports for
 * a rate. A value libwebrtc did not report is 0.
 *
 * @param jitterBufferDelay             average time a sample spent in the jitter buffer
 *                                      ({@code jitterBufferDelay / jitterBufferEmittedCount})
 * @param jitterBufferDelaySeconds      the raw total: seconds summed over every emitted sample
 * @param jitterBufferEmittedCount      samples that left the jitter buffer
 * @param packetsReceived               RTP packets received
 * @param packetsLost                   RTP packets lost (may be negative with duplicates, per RTP)
 * @param concealedSamples              samples synthesized because audio was missing
 * @param insertedSamplesForDeceleration samples added to stretch audio (buffer too short)
 * @param removedSamplesForAcceleration  samples removed to shorten audio (buffer too long)
 * @param totalSamplesReceived          samples received
 * @param audioLevel                    the latest audio level, 0..1 (linear)
 */
public record RtcAudioStats(Duration jitterBufferDelay, double jitterBufferDelaySeconds, long jitterBufferEmittedCount,
                            long packetsReceived, long packetsLost, long concealedSamples,
                            long insertedSamplesForDeceleration, long removedSamplesForAcceleration,
                            long totalSamplesReceived, double audioLevel) {

    /** Reads the attributes of an {@code INBOUND_RTP} stats entry; libwebrtc reports numbers of various boxed types. */
    static RtcAudioStats of(RTCStats inbound) {
        Map<String, Object> a = inbound.getAttributes();
        double jbd = number(a, "jitterBufferDelay");
        long emitted = (long) number(a, "jitterBufferEmittedCount");
        Duration avg = emitted == 0 ? Duration.ZERO : Duration.ofNanos(Math.round(jbd / emitted * 1e9));
        return new RtcAudioStats(avg, jbd, emitted, (long) number(a, "packetsReceived"), (long) number(a, "packetsLost"),
                (long) number(a, "concealedSamples"), (long) number(a, "insertedSamplesForDeceleration"),
                (long) number(a, "removedSamplesForAcceleration"), (long) number(a, "totalSamplesReceived"),
                number(a, "audioLevel"));
    }

    private static double number(Map<String, Object> attributes, String key) {
        Object v = attributes.get(key);
        return v instanceof Number n ? n.doubleValue() : 0.0;
    }
}
