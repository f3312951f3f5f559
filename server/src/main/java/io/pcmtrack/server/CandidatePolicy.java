package io.pcmtrack.server;

/**
 * Which ICE candidates the server offers its peers. libwebrtc gathers on every interface it
 * finds, so a server meant for this machine only must say so.
 */
public enum CandidatePolicy {
    /**
     * One UDP candidate on 127.0.0.1 (sockets on the any-address, the gathered host candidate
     * rewritten to loopback; no TCP, STUN or TURN): media never leaves the machine. The default
     * when the server binds a loopback address.
     */
    LOOPBACK,
    /** Whatever libwebrtc gathers on every interface: for peers on other machines. */
    ALL
}
