package io.pcmtrack.server;

import java.util.List;

import dev.onvoid.webrtc.RTCRtpSender;
import dev.onvoid.webrtc.media.audio.AudioTrack;
import dev.onvoid.webrtc.media.audio.CustomAudioSource;
import io.pcmtrack.webrtc.AudioPush;
import io.pcmtrack.webrtc.WebRtcFactories;

/**
 * A WHEP listener: a send-only peer connection whose audio source is fed by its track's
 * {@link FanOut}. Set up on the HTTP thread; {@link #answer()} is the SDP for the 201.
 */
final class WhepSession extends Session {
    private final LiveTrack live;
    private WebRtcFactories.Lease lease;
    private AnsweringPeer peer;
    private CustomAudioSource source;
    private AudioPush push;
    private AudioTrack audioTrack;
    private RTCRtpSender sender;
    private String answer;

    private WhepSession(LiveTrack live, String id) {
        super("whep", live.name, id);
        this.live = live;
    }

    /**
     * Answers {@code offer} and starts sending {@code live} to the new listener.
     *
     * @throws HttpError 400 if the offer cannot take audio from the server; everything created is freed
     */
    static WhepSession open(LiveTrack live, String id, String offer, CandidatePolicy policy, long deadlineNanos) {
        Sdp.Direction direction = Sdp.audioDirection(offer);
        if (direction != Sdp.Direction.RECVONLY && direction != Sdp.Direction.SENDRECV) {
            throw HttpError.badRequest("a WHEP offer must receive audio (a=recvonly or a=sendrecv), got a="
                    + direction.name().toLowerCase(java.util.Locale.ROOT));
        }
        WhepSession s = new WhepSession(live, id);
        try {
            s.setUp(offer, policy, deadlineNanos);
            return s;
        } catch (RuntimeException | Error e) {
            s.close();
            throw e;
        }
    }

    private void setUp(String offer, CandidatePolicy policy, long deadlineNanos) {
        lease = WebRtcFactories.sender();
        peer = new AnsweringPeer(lease.factory(), policy, toString());
        // Answering: the offer first, so that addTrack takes the transceiver the offer created.
        peer.setOffer(offer, deadlineNanos);
        source = new CustomAudioSource();
        audioTrack = lease.factory().createAudioTrack("pcmtrack-" + name, source);
        sender = peer.pc.addTrack(audioTrack, List.of(name));
        answer = peer.answer(deadlineNanos);
        push = AudioPush.of(source);
        live.fanOut.add(push);
    }

    String answer() {
        return answer;
    }

    @Override
    AnsweringPeer peer() {
        return peer;
    }

    @Override
    void tearDown() {
        // Lambdas, not method references: a reference on a null field would throw here.
        // Nothing may push into the source once it is disposed; the local track goes before the connection.
        new Teardown(this)
                .step("stop the fan-out to this listener", push, () -> live.fanOut.remove(push))
                .step("remove the local track", sender, () -> peer.pc.removeTrack(sender))
                .step("dispose the local track", audioTrack, () -> audioTrack.dispose())
                .step("close the peer connection", peer, () -> peer.pc.close())
                .step("dispose the source", source, () -> source.dispose())
                .step("release the factory", lease, () -> lease.close());
    }
}
