package io.pcmtrack;

/** Thrown by {@code write} and {@code recv} of a track that has been stopped. */
public final class TrackEndedException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    public TrackEndedException(String message) {
        super(message);
    }
}
