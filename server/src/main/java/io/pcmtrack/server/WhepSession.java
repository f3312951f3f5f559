package io.pcmtrack.server;

import io.pcmtrack.webrtc.AudioPush;
import io.pcmtrack.webrtc.WebRtcSession;

/**
 * A WHEP listener: a sending {@link WebRtcSession} whose audio comes from its track's
 * {@link FanOut}. Set up on the HTTP thread; {@link #answer()} is the SDP for the 201.
 */
final class WhepSession extends Session {
    private final LiveTrack live;
    private final AudioPush push;
    private final String answer;

    private WhepSession(LiveTrack live, String id, WebRtcSession webrtc, String offer) {
        super("whep", live.name, id, webrtc);
        this.live = live;
        this.answer = webrtc.answer(offer);
        this.push = webrtc.audioPush();
        live.fanOut.add(push);
    }

    /**
     * Answers {@code offer} and starts sending {@code live} to the new listener.
     *
     * @throws IllegalArgumentException if the offer is not SDP, does not receive audio or is
     *                                  refused by libwebrtc (the message says which); everything
     *                                  created is freed
     */
    static WhepSession open(LiveTrack live, String id, String offer, WebRtcSession.Options options) {
        WebRtcSession webrtc = WebRtcSession.sending(options.copy().trackId("pcmtrack-" + live.name).streamId(live.name));
        try {
            return new WhepSession(live, id, webrtc, offer);
        } catch (RuntimeException | Error e) {
            webrtc.close();
            throw e;
        }
    }

    String answer() {
        return answer;
    }

    @Override
    void tearDown() {
        // Off the fan-out first, so the scheduler thread stops pushing before the source goes.
        live.fanOut.remove(push);
        webrtc.close();
    }
}
