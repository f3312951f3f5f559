package io.pcmtrack.webrtc;

/**
 * Which ICE candidates a {@link WebRtcSession} gathers and offers. libwebrtc gathers on every
 * network interface it finds (and never on a loopback one), so a call meant to stay on this
 * machine has to say so.
 */
public enum CandidatePolicy {
    /**
     * Only 127.0.0.1: one UDP host candidate per transport, on a socket bound to the any-address
     * and announced as 127.0.0.1; remote candidates that are not on 127.0.0.0/8 are ignored. No
     * STUN, no TURN, no TCP. For tests, demos and peers on the same machine. libwebrtc finds the
     * address to rewrite through the default route: in a network namespace with only a loopback
     * interface, add {@code ip route add default dev lo src 127.0.0.1} or nothing is gathered.
     */
    LOOPBACK,
    /** UDP and TCP host candidates on every interface, as gathered; no STUN, no TURN. */
    HOST,
    /** Everything libwebrtc gathers: host, server-reflexive (STUN) and relay (TURN) candidates. */
    ALL
}
