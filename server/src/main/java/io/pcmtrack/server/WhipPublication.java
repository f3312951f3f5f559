package io.pcmtrack.server;

import java.util.concurrent.CompletableFuture;

import io.pcmtrack.webrtc.WebRtcAudioReceiver;

/**
 * Audio a client publishes over WHIP to {@code /whip/NAME}, handed to the application's
 * {@link WhipHandler}. Read it from {@link #receiver()}; the server closes the receiver when the
 * session ends (DELETE, idle timeout, server shutdown), and then completes {@link #ended()}.
 */
public final class WhipPublication {
    private final String name;
    private final String id;
    private final WebRtcAudioReceiver receiver;
    private final CompletableFuture<Void> ended = new CompletableFuture<>();

    WhipPublication(String name, String id, WebRtcAudioReceiver receiver) {
        this.name = name;
        this.id = id;
        this.receiver = receiver;
    }

    /** The NAME of {@code /whip/NAME} the client published to. */
    public String name() {
        return name;
    }

    /** The session's id, the last segment of its resource URL. */
    public String id() {
        return id;
    }

    /** The published audio, in the format the server was configured with. */
    public WebRtcAudioReceiver receiver() {
        return receiver;
    }

    /** Completes once the session has ended and the receiver is closed. */
    public CompletableFuture<Void> ended() {
        return ended;
    }

    void end() {
        ended.complete(null);
    }

    @Override
    public String toString() {
        return "WHIP publication " + id + " to " + name;
    }
}
