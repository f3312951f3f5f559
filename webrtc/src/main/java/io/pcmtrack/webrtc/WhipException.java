package io.pcmtrack.webrtc;

/**
 * A WHIP session could not be set up or was refused: the message names the endpoint and either
 * the HTTP status with the start of the response body, or the network or ICE failure.
 */
public final class WhipException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int status;
    private final String body;

    WhipException(String message, int status, String body, Throwable cause) {
        super(message, cause);
        this.status = status;
        this.body = body;
    }

    WhipException(String message, Throwable cause) {
        this(message, -1, null, cause);
    }

    /** The HTTP status that refused the session, or -1 if the failure was not an HTTP response. */
    public int status() {
        return status;
    }

    /** The response body that came with {@link #status()}, or null. */
    public String body() {
        return body;
    }
}
