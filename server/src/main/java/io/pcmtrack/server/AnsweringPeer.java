package io.pcmtrack.server;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.onvoid.webrtc.CreateSessionDescriptionObserver;
import dev.onvoid.webrtc.PeerConnectionFactory;
import dev.onvoid.webrtc.PeerConnectionObserver;
import dev.onvoid.webrtc.PortAllocatorConfig;
import dev.onvoid.webrtc.RTCAnswerOptions;
import dev.onvoid.webrtc.RTCConfiguration;
import dev.onvoid.webrtc.RTCIceCandidate;
import dev.onvoid.webrtc.RTCIceGatheringState;
import dev.onvoid.webrtc.RTCPeerConnection;
import dev.onvoid.webrtc.RTCPeerConnectionState;
import dev.onvoid.webrtc.RTCRtpTransceiver;
import dev.onvoid.webrtc.RTCSdpType;
import dev.onvoid.webrtc.RTCSessionDescription;
import dev.onvoid.webrtc.SetSessionDescriptionObserver;
import io.pcmtrack.webrtc.WebRtcCallException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One peer connection in the answering role of WHIP and WHEP: it takes the client's offer, answers
 * with complete SDP once gathering has finished (no trickle), and remembers when it was last
 * connected so that an idle session can be ended.
 *
 * <p>libwebrtc calls the observer methods on its native threads: each catches everything (an
 * exception escaping into native code aborts the JVM) and only completes futures or writes
 * volatile fields. The signalling calls come from the HTTP thread that handles the request.
 */
final class AnsweringPeer implements PeerConnectionObserver {
    private static final Logger LOG = LoggerFactory.getLogger(AnsweringPeer.class);

    private final String label;
    private final CandidatePolicy policy;
    private final CompletableFuture<Void> gathered = new CompletableFuture<>();
    private final CompletableFuture<RTCRtpTransceiver> remoteTrack = new CompletableFuture<>();
    private final CompletableFuture<Void> connected = new CompletableFuture<>();
    final RTCPeerConnection pc;
    private volatile RTCPeerConnectionState state = RTCPeerConnectionState.NEW;
    /** When the connection last was CONNECTED, or was created; System.nanoTime(). */
    private volatile long lastConnectedNanos = System.nanoTime();

    AnsweringPeer(PeerConnectionFactory factory, CandidatePolicy policy, String label) {
        this.label = label;
        this.policy = policy;
        this.pc = factory.createPeerConnection(configuration(policy), this);
    }

    private static RTCConfiguration configuration(CandidatePolicy policy) {
        RTCConfiguration c = new RTCConfiguration();
        if (policy == CandidatePolicy.LOOPBACK) {
            PortAllocatorConfig ports = new PortAllocatorConfig();
            ports.setDisableTcp(true).setDisableStun(true).setDisableRelay(true);
            // Sockets on the any-address, so that the candidate rewritten to 127.0.0.1 is reachable.
            ports.setDisableAdapterEnumeration(true).setEnableAnyAddressPorts(true);
            c.portAllocatorConfig = ports;
        }
        return c;
    }

    /**
     * Sets the client's offer as the remote description.
     *
     * @throws HttpError 400 with libwebrtc's reason if it rejects the offer
     */
    void setOffer(String sdp, long deadlineNanos) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        pc.setRemoteDescription(new RTCSessionDescription(RTCSdpType.OFFER, sdp), new SetObserver(done));
        try {
            await(done, deadlineNanos, "set the offer");
        } catch (WebRtcCallException e) {
            throw HttpError.badRequest("the offer was refused: " + e.getMessage());
        }
    }

    /** The remote track announced by the offer (WHIP); completes while the offer is set. */
    RTCRtpTransceiver remoteTransceiver(long deadlineNanos) {
        return await(remoteTrack, deadlineNanos, "announce the remote audio track");
    }

    /** Creates the answer, sets it, waits for gathering to finish and returns the complete SDP. */
    String answer(long deadlineNanos) {
        CompletableFuture<RTCSessionDescription> created = new CompletableFuture<>();
        pc.createAnswer(new RTCAnswerOptions(), new CreateSessionDescriptionObserver() {
            @Override
            public void onSuccess(RTCSessionDescription description) {
                created.complete(description);
            }

            @Override
            public void onFailure(String error) {
                created.completeExceptionally(new WebRtcCallException(error, null));
            }
        });
        RTCSessionDescription answer;
        try {
            answer = await(created, deadlineNanos, "create the answer");
        } catch (WebRtcCallException e) {
            // An offer libwebrtc accepted but cannot answer (no codec in common, for example).
            throw HttpError.badRequest("cannot answer the offer: " + e.getMessage());
        }
        CompletableFuture<Void> set = new CompletableFuture<>();
        pc.setLocalDescription(answer, new SetObserver(set));
        await(set, deadlineNanos, "set the answer");
        await(gathered, deadlineNanos, "gather ICE candidates");
        String sdp = pc.getLocalDescription().sdp;
        return policy == CandidatePolicy.LOOPBACK ? Sdp.toLoopback(sdp) : sdp;
    }

    /** Completes when the connection is CONNECTED; fails if it FAILED first. */
    CompletableFuture<Void> connected() {
        return connected;
    }

    RTCPeerConnectionState state() {
        return state;
    }

    boolean isConnected() {
        return state == RTCPeerConnectionState.CONNECTED;
    }

    /** Nanoseconds since the connection was last CONNECTED (or created, if it never was). */
    long idleNanos(long nowNanos) {
        return isConnected() ? 0 : nowNanos - lastConnectedNanos;
    }

    private <T> T await(CompletableFuture<T> f, long deadlineNanos, String step) {
        try {
            return f.get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new HttpError(504, label + ": libwebrtc did not " + step + " in time (state " + state + ")");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            throw cause instanceof WebRtcCallException w ? w : new WebRtcCallException(cause.getMessage(), cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HttpError(503, label + ": interrupted while waiting to " + step);
        }
    }

    @Override
    public void onIceCandidate(RTCIceCandidate candidate) {
        // Not trickled: the answer carries every candidate once gathering is complete.
    }

    @Override
    public void onIceGatheringChange(RTCIceGatheringState s) {
        try {
            if (s == RTCIceGatheringState.COMPLETE) {
                gathered.complete(null);
            }
        } catch (Throwable t) {
            guard("onIceGatheringChange", t);
        }
    }

    @Override
    public void onConnectionChange(RTCPeerConnectionState s) {
        try {
            if (state == RTCPeerConnectionState.CONNECTED || s == RTCPeerConnectionState.CONNECTED) {
                lastConnectedNanos = System.nanoTime();
            }
            state = s;
            if (s == RTCPeerConnectionState.CONNECTED) {
                connected.complete(null);
            } else if (s == RTCPeerConnectionState.FAILED) {
                connected.completeExceptionally(new WebRtcCallException(label + ": ICE failed", null));
            }
        } catch (Throwable t) {
            guard("onConnectionChange", t);
        }
    }

    @Override
    public void onTrack(RTCRtpTransceiver transceiver) {
        try {
            remoteTrack.complete(transceiver);
        } catch (Throwable t) {
            guard("onTrack", t);
        }
    }

    private void guard(String callback, Throwable t) {
        try {
            LOG.warn("{}: the {} callback failed", label, callback, t);
        } catch (Throwable ignored) {
            // nothing may reach native code
        }
    }

    private static final class SetObserver implements SetSessionDescriptionObserver {
        private final CompletableFuture<Void> done;

        SetObserver(CompletableFuture<Void> done) {
            this.done = done;
        }

        @Override
        public void onSuccess() {
            done.complete(null);
        }

        @Override
        public void onFailure(String error) {
            done.completeExceptionally(new WebRtcCallException(error, null));
        }
    }
}
