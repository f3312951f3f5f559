package io.pcmtrack.telephony;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;

import io.pcmtrack.MarkOutcome;
import io.pcmtrack.MarkResult;

/**
 * A mark in a call's outgoing audio that resolves from what the provider reports, not from what
 * the track emitted: {@link MarkOutcome#PLAYED} when the provider echoes it after playing the
 * audio before it, {@link MarkOutcome#FLUSHED} when the audio before it was cut by a flush (at
 * once if it had not been sent yet, or when the provider echoes it because of the {@code clear}),
 * {@link MarkOutcome#ENDED} if the call ends first. See {@link PhoneCall#mark}.
 *
 * <p>Unlike the track's own marks, call marks are not promised to resolve in position order:
 * around a flush, the marks not yet sent resolve at once while those in flight wait for the
 * provider's echo. Each one's outcome is exact; compare {@link #position()}s for order.
 */
public final class CallMark {
    private static final Executor COMPLETIONS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "pcmtrack-call-marks");
        t.setDaemon(true);
        return t;
    });

    private final String label;
    private final long position;
    private final CompletableFuture<MarkResult> result = new CompletableFuture<>();
    /** Set when the mark's message was sent; guarded by the call's outbound lock. */
    long pts = -1;
    long sentAtNanos;
    boolean cleared;
    boolean overdue;

    CallMark(String label, long position) {
        this.label = label;
        this.position = position;
    }

    public String label() {
        return label;
    }

    /** The stream position of the mark in the call's track (samples at the track's rate). */
    public long position() {
        return position;
    }

    /**
     * Completes exactly once, on a pcmtrack thread (never the socket's or the scheduler's), with
     * the outcome; for {@code PLAYED} the pts is that of the last frame carrying audio before the
     * mark when it was sent (-1 if none), for the other outcomes -1.
     */
    public CompletableFuture<MarkResult> result() {
        return result;
    }

    void resolve(MarkOutcome outcome) {
        MarkResult r = new MarkResult(label, position, outcome, outcome == MarkOutcome.PLAYED ? pts : -1);
        COMPLETIONS.execute(() -> result.complete(r));
    }

    @Override
    public String toString() {
        return "CallMark[" + label + " @" + position + (result.isDone() ? ", " + result.join().outcome() : "") + "]";
    }
}
