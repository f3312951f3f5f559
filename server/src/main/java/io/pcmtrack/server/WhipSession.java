package io.pcmtrack.server;

import dev.onvoid.webrtc.RTCRtpTransceiver;
import dev.onvoid.webrtc.media.MediaStreamTrack;
import dev.onvoid.webrtc.media.audio.AudioTrack;
import io.pcmtrack.webrtc.WebRtcAudioReceiver;
import io.pcmtrack.webrtc.WebRtcFactories;

/**
 * A WHIP publication: a receive-only peer connection whose remote audio track feeds a
 * {@link WebRtcAudioReceiver}.
 */
final class WhipSession extends Session {
    private WebRtcFactories.Lease lease;
    private AnsweringPeer peer;
    private WebRtcAudioReceiver receiver;
    private WhipPublication publication;
    private String answer;

    private WhipSession(String name, String id) {
        super("whip", name, id);
    }

    /**
     * Answers {@code offer} and attaches a receiver to the audio it announces.
     *
     * @throws HttpError 400 if the offer sends no audio; everything created is freed
     */
    static WhipSession open(String name, String id, String offer, CandidatePolicy policy,
            WebRtcAudioReceiver.Options receiverOptions, long deadlineNanos) {
        Sdp.Direction direction = Sdp.audioDirection(offer);
        if (direction != Sdp.Direction.SENDONLY && direction != Sdp.Direction.SENDRECV) {
            throw HttpError.badRequest("a WHIP offer must send audio (a=sendonly or a=sendrecv), got a="
                    + direction.name().toLowerCase(java.util.Locale.ROOT));
        }
        WhipSession s = new WhipSession(name, id);
        try {
            s.setUp(offer, policy, receiverOptions, deadlineNanos);
            return s;
        } catch (RuntimeException | Error e) {
            s.close();
            throw e;
        }
    }

    private void setUp(String offer, CandidatePolicy policy, WebRtcAudioReceiver.Options options, long deadlineNanos) {
        lease = WebRtcFactories.receiver();
        peer = new AnsweringPeer(lease.factory(), policy, toString());
        peer.setOffer(offer, deadlineNanos);
        RTCRtpTransceiver transceiver = peer.remoteTransceiver(deadlineNanos);
        MediaStreamTrack track = transceiver.getReceiver().getTrack();
        if (!(track instanceof AudioTrack audio)) {
            throw HttpError.badRequest("the offer's first track is " + track.getKind() + ", expected audio");
        }
        receiver = WebRtcAudioReceiver.attach(audio, options);
        answer = peer.answer(deadlineNanos);
        publication = new WhipPublication(name, id, receiver);
    }

    String answer() {
        return answer;
    }

    WhipPublication publication() {
        return publication;
    }

    @Override
    AnsweringPeer peer() {
        return peer;
    }

    @Override
    void tearDown() {
        // The sink goes before the connection that calls it.
        new Teardown(this)
                .step("close the receiver", receiver, () -> receiver.close())
                .step("close the peer connection", peer, () -> peer.pc.close())
                .step("release the factory", lease, () -> lease.close())
                .step("tell the application", publication, () -> publication.end());
    }
}
