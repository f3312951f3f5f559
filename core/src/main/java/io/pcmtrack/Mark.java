package io.pcmtrack;

import java.util.concurrent.CompletableFuture;

/**
 * A point in a track's stream, placed by {@link AudioStreamTrack#mark(String)} at
 * {@link AudioStreamTrack#writePosition()}: it resolves once every sample before it has ended,
 * with the fate of the sample just before it (see {@link MarkOutcome}). Marks resolve in
 * position order, exactly once, on a pcmtrack thread, never inside the caller's
 * {@code write}, {@code flush} or {@code recv}.
 */
public final class Mark {
    private final String label;
    private final long position;
    private final CompletableFuture<MarkResult> result = new CompletableFuture<>();

    Mark(String label, long position) {
        this.label = label;
        this.position = position;
    }

    public String label() {
        return label;
    }

    /** Stream position in samples per channel: the mark sits just before sample {@code position}. */
    public long position() {
        return position;
    }

    /** Completes once, with the outcome; never exceptionally. */
    public CompletableFuture<MarkResult> result() {
        return result;
    }

    @Override
    public String toString() {
        return "Mark[" + label + " @ " + position + (result.isDone() ? ", " + result.join().outcome() : "") + "]";
    }
}
