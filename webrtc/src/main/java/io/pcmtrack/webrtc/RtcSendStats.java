package io.pcmtrack.webrtc;

import java.time.Duration;
import java.util.Map;

import dev.onvoid.webrtc.RTCStats;
import dev.onvoid.webrtc.RTCStatsReport;
import dev.onvoid.webrtc.RTCStatsType;

/**
 * Sending-side RTC statistics of an audio stream: W3C {@code outbound-rtp}, and what the far end
 * reported back in RTCP receiver reports ({@code remote-inbound-rtp}; zero until the first
 * report, which peers send every few seconds). Counters are totals since the stream started.
 *
 * @param packetsSent       RTP packets sent
 * @param bytesSent         RTP payload bytes sent
 * @param remoteReports     true once the far end reported back (the remote fields are valid)
 * @param remotePacketsLost packets the far end reported lost
 * @param remoteJitter      interarrival jitter the far end reported
 * @param roundTripTime     the latest round-trip time measured through RTCP
 */
public record RtcSendStats(long packetsSent, long bytesSent, boolean remoteReports, long remotePacketsLost,
                           Duration remoteJitter, Duration roundTripTime) {

    static RtcSendStats of(RTCStatsReport report) {
        RTCStats out = null;
        RTCStats remote = null;
        for (RTCStats s : report.getStats().values()) {
            if (s.getType() == RTCStatsType.OUTBOUND_RTP && "audio".equals(s.getAttributes().get("kind"))) {
                out = s;
            } else if (s.getType() == RTCStatsType.REMOTE_INBOUND_RTP) {
                remote = s;
            }
        }
        if (out == null) {
            return null;
        }
        Map<String, Object> o = out.getAttributes();
        Map<String, Object> r = remote == null ? Map.of() : remote.getAttributes();
        return new RtcSendStats((long) number(o, "packetsSent"), (long) number(o, "bytesSent"), remote != null,
                (long) number(r, "packetsLost"), seconds(number(r, "jitter")), seconds(number(r, "roundTripTime")));
    }

    private static Duration seconds(double s) {
        return Duration.ofNanos(Math.round(s * 1e9));
    }

    private static double number(Map<String, Object> attributes, String key) {
        Object v = attributes.get(key);
        return v instanceof Number n ? n.doubleValue() : 0.0;
    }
}
