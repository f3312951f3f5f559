package io.pcmtrack.webrtc;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import dev.onvoid.webrtc.RTCIceCandidate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Remote ICE candidates held back until both descriptions are set: libwebrtc silently drops a
 * candidate added earlier. Single-threaded: a {@link WebRtcSession} calls it only on its own
 * events thread.
 */
final class RemoteCandidates {
    private static final Logger LOG = LoggerFactory.getLogger(RemoteCandidates.class);

    private final Consumer<RTCIceCandidate> add;
    private final String owner;
    private final List<RTCIceCandidate> pending = new ArrayList<>();
    private boolean localSet;
    private boolean remoteSet;

    /** {@code add} hands a candidate to the peer connection; {@code owner} names it in log lines. */
    RemoteCandidates(Consumer<RTCIceCandidate> add, String owner) {
        this.add = add;
        this.owner = owner;
    }

    void localDescriptionSet() {
        localSet = true;
        drain();
    }

    void remoteDescriptionSet() {
        remoteSet = true;
        drain();
    }

    /** Adds {@code c} now if both descriptions are set, else queues it. */
    void offer(RTCIceCandidate c) {
        if (localSet && remoteSet) {
            addLogged(c);
        } else {
            pending.add(c);
        }
    }

    private void drain() {
        if (localSet && remoteSet) {
            pending.forEach(this::addLogged);
            pending.clear();
        }
    }

    private void addLogged(RTCIceCandidate c) {
        try {
            add.accept(c);
        } catch (RuntimeException | Error e) {
            LOG.warn("{}: adding the remote candidate '{}' failed", owner, c.sdp, e);
        }
    }
}
