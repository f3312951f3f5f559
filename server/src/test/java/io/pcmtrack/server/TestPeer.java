package io.pcmtrack.server;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.onvoid.webrtc.CreateSessionDescriptionObserver;
import dev.onvoid.webrtc.PeerConnectionObserver;
import dev.onvoid.webrtc.PortAllocatorConfig;
import dev.onvoid.webrtc.RTCConfiguration;
import dev.onvoid.webrtc.RTCIceCandidate;
import dev.onvoid.webrtc.RTCIceGatheringState;
import dev.onvoid.webrtc.RTCOfferOptions;
import dev.onvoid.webrtc.RTCPeerConnection;
import dev.onvoid.webrtc.RTCPeerConnectionState;
import dev.onvoid.webrtc.RTCRtpSender;
import dev.onvoid.webrtc.RTCRtpTransceiver;
import dev.onvoid.webrtc.RTCRtpTransceiverDirection;
import dev.onvoid.webrtc.RTCRtpTransceiverInit;
import dev.onvoid.webrtc.RTCSdpType;
import dev.onvoid.webrtc.RTCSessionDescription;
import dev.onvoid.webrtc.SetSessionDescriptionObserver;
import dev.onvoid.webrtc.media.audio.AudioTrack;
import dev.onvoid.webrtc.media.audio.CustomAudioSource;
import io.pcmtrack.AudioStreamTrack;
import io.pcmtrack.webrtc.WebRtcAudioReceiver;
import io.pcmtrack.webrtc.WebRtcFactories;
import io.pcmtrack.webrtc.WebRtcPublisher;

/**
 * A WHEP listener or WHIP publisher in this JVM, talking to the server over HTTP and UDP on
 * 127.0.0.1 (its offer carries one loopback candidate), the way a foreign client would.
 */
final class TestPeer implements PeerConnectionObserver, AutoCloseable {
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private final WebRtcFactories.Lease lease;
    private final RTCPeerConnection pc;
    private final CustomAudioSource source = new CustomAudioSource();
    private final AudioTrack localTrack;
    private final CompletableFuture<Void> gathered = new CompletableFuture<>();
    private final CompletableFuture<Void> connected = new CompletableFuture<>();
    private final CompletableFuture<RTCRtpTransceiver> remote = new CompletableFuture<>();
    private RTCRtpSender sender;
    private WebRtcPublisher publisher;
    private WebRtcAudioReceiver receiver;
    private String resource;

    private TestPeer(boolean listener) {
        lease = listener ? WebRtcFactories.receiver() : WebRtcFactories.sender();
        RTCConfiguration c = new RTCConfiguration();
        PortAllocatorConfig ports = new PortAllocatorConfig();
        ports.setDisableTcp(true).setDisableStun(true).setDisableRelay(true);
        ports.setDisableAdapterEnumeration(true).setEnableAnyAddressPorts(true);
        c.portAllocatorConfig = ports;
        pc = lease.factory().createPeerConnection(c, this);
        localTrack = lease.factory().createAudioTrack("test-audio", source);
    }

    /** A WHEP client: offers to receive audio only. */
    static TestPeer listener() {
        TestPeer p = new TestPeer(true);
        RTCRtpTransceiverInit init = new RTCRtpTransceiverInit();
        init.direction = RTCRtpTransceiverDirection.RECV_ONLY;
        p.sender = p.pc.addTransceiver(p.localTrack, init).getSender();
        return p;
    }

    /** A WHIP client: offers to send {@code track}, pushed in real time once connected. */
    static TestPeer publisher(AudioStreamTrack track) {
        TestPeer p = new TestPeer(false);
        RTCRtpTransceiverInit init = new RTCRtpTransceiverInit();
        init.direction = RTCRtpTransceiverDirection.SEND_ONLY;
        init.streamIds = List.of("test");
        p.sender = p.pc.addTransceiver(p.localTrack, init).getSender();
        p.publisher = WebRtcPublisher.start(track, p.source);
        return p;
    }

    /** The complete offer, its candidates on 127.0.0.1. */
    String offer() throws Exception {
        CompletableFuture<RTCSessionDescription> offer = new CompletableFuture<>();
        pc.createOffer(new RTCOfferOptions(), new CreateSessionDescriptionObserver() {
            @Override
            public void onSuccess(RTCSessionDescription d) {
                offer.complete(d);
            }

            @Override
            public void onFailure(String error) {
                offer.completeExceptionally(new IllegalStateException(error));
            }
        });
        set(offer.get(5, TimeUnit.SECONDS), true);
        gathered.get(5, TimeUnit.SECONDS);
        return Sdp.toLoopback(pc.getLocalDescription().sdp);
    }

    void accept(String answer) throws Exception {
        set(new RTCSessionDescription(RTCSdpType.ANSWER, answer), false);
    }

    /** POSTs the offer to {@code url}, takes the answer and waits until connected; returns the 201. */
    HttpResponse<String> connect(String url, String token) throws Exception {
        HttpResponse<String> r = post(url, offer(), token);
        if (r.statusCode() != 201) {
            throw new AssertionError("POST " + url + " got " + r.statusCode() + ": " + r.body());
        }
        resource = URI.create(url).resolve(r.headers().firstValue("Location").orElseThrow()).toString();
        accept(r.body());
        connected.get(10, TimeUnit.SECONDS);
        if (remote.isDone()) {
            AudioTrack track = (AudioTrack) remote.get().getReceiver().getTrack();
            receiver = WebRtcAudioReceiver.attach(track, WebRtcAudioReceiver.options());
        }
        return r;
    }

    String resource() {
        return resource;
    }

    WebRtcAudioReceiver receiver() {
        return receiver;
    }

    static HttpResponse<String> post(String url, String sdp, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(15))
                .header("Content-Type", "application/sdp").POST(HttpRequest.BodyPublishers.ofString(sdp));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> delete(String url, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(15)).DELETE();
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private void set(RTCSessionDescription d, boolean local) throws Exception {
        CompletableFuture<Void> done = new CompletableFuture<>();
        SetSessionDescriptionObserver o = new SetSessionDescriptionObserver() {
            @Override
            public void onSuccess() {
                done.complete(null);
            }

            @Override
            public void onFailure(String error) {
                done.completeExceptionally(new IllegalStateException(error));
            }
        };
        if (local) {
            pc.setLocalDescription(d, o);
        } else {
            pc.setRemoteDescription(d, o);
        }
        done.get(5, TimeUnit.SECONDS);
    }

    @Override
    public void onIceCandidate(RTCIceCandidate candidate) {
    }

    @Override
    public void onIceGatheringChange(RTCIceGatheringState state) {
        if (state == RTCIceGatheringState.COMPLETE) {
            gathered.complete(null);
        }
    }

    @Override
    public void onConnectionChange(RTCPeerConnectionState state) {
        if (state == RTCPeerConnectionState.CONNECTED) {
            connected.complete(null);
        } else if (state == RTCPeerConnectionState.FAILED) {
            connected.completeExceptionally(new IllegalStateException("ICE failed"));
        }
    }

    @Override
    public void onTrack(RTCRtpTransceiver transceiver) {
        remote.complete(transceiver);
    }

    @Override
    public void close() {
        if (publisher != null) {
            publisher.close();
        }
        if (receiver != null) {
            receiver.close();
        }
        // The local track is removed and disposed before the connection closes (after, it throws).
        pc.removeTrack(sender);
        localTrack.dispose();
        pc.close();
        source.dispose();
        lease.close();
    }
}
