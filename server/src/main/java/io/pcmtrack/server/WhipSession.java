package io.pcmtrack.server;

import io.pcmtrack.webrtc.WebRtcSession;

/** A WHIP publication: a receiving {@link WebRtcSession} whose audio goes to the application. */
final class WhipSession extends Session {
    private final String answer;
    private final WhipPublication publication;

    private WhipSession(String name, String id, WebRtcSession webrtc, String offer) {
        super("whip", name, id, webrtc);
        this.answer = webrtc.answer(offer);
        this.publication = new WhipPublication(name, id, webrtc.receiver());
    }

    /**
     * Answers {@code offer} and attaches a receiver to the audio it sends.
     *
     * @throws IllegalArgumentException if the offer is not SDP, sends no audio or is refused by
     *                                  libwebrtc (the message says which); everything created is freed
     */
    static WhipSession open(String name, String id, String offer, WebRtcSession.Options options) {
        WebRtcSession webrtc = WebRtcSession.receiving(options);
        try {
            return new WhipSession(name, id, webrtc, offer);
        } catch (RuntimeException | Error e) {
            webrtc.close();
            throw e;
        }
    }

    String answer() {
        return answer;
    }

    WhipPublication publication() {
        return publication;
    }

    @Override
    void tearDown() {
        webrtc.close();
        publication.end();
    }
}
