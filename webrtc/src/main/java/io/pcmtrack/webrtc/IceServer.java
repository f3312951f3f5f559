package io.pcmtrack.webrtc;

import java.util.List;

/**
 * A STUN or TURN server for a {@link WebRtcSession} (used with {@link CandidatePolicy#ALL}), as in
 * the W3C {@code RTCIceServer}: e.g. {@code IceServer.of("stun:stun.example.org:3478")} or
 * {@code IceServer.of("turn:turn.example.org?transport=udp", "user", "secret")}.
 *
 * @param urls       one or more {@code stun:}, {@code stuns:}, {@code turn:} or {@code turns:} URLs
 * @param username   TURN user name, or null
 * @param credential TURN password, or null
 */
public record IceServer(List<String> urls, String username, String credential) {
    public IceServer {
        if (urls == null || urls.isEmpty()) {
            throw new IllegalArgumentException("an ICE server needs at least one URL, got " + urls);
        }
        urls = List.copyOf(urls);
        for (String u : urls) {
            String lower = u == null ? "" : u.toLowerCase(java.util.Locale.ROOT);
            if (!(lower.startsWith("stun:") || lower.startsWith("stuns:") || lower.startsWith("turn:")
                    || lower.startsWith("turns:"))) {
                throw new IllegalArgumentException("ICE server URL must start with stun:, stuns:, turn: or turns:, got '"
                        + u + "'");
            }
        }
    }

    /** A server without credentials (STUN). */
    public static IceServer of(String url) {
        return new IceServer(List.of(url), null, null);
    }

    /** A server with credentials (TURN). */
    public static IceServer of(String url, String username, String credential) {
        return new IceServer(List.of(url), username, credential);
    }

    /** True if any URL is a TURN URL. */
    public boolean isTurn() {
        return urls.stream().anyMatch(u -> u.regionMatches(true, 0, "turn", 0, 4));
    }

    @Override
    public String toString() {
        // never the credential
        return "IceServer" + urls + (username == null ? "" : " (user " + username + ")");
    }
}
