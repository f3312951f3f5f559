package io.pcmtrack.webrtc;

/**
 * A libwebrtc call could not be set up or queried in time: offer/answer failed, ICE did not
 * connect, or stats did not arrive. The message says which step and the connection states at
 * that moment.
 */
public final class WebRtcCallException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    public WebRtcCallException(String message, Throwable cause) {
        super(message, cause);
    }
}
