package io.pcmtrack;

import java.util.ArrayDeque;
import java.util.Collection;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongPredicate;

/**
 * The marks and playout waiters of one track, in position order, waiting for the samples before
 * them to end. Guarded by the {@link FrameBuffer}'s lock, like the positions it reads; it never
 * completes a future itself: it hands back the completions, which the buffer runs on the
 * {@link TrackEvents} thread in that order. Holds nothing until first used, and costs
 * a frame nothing while empty.
 *
 * <p>Each mark learns its outcome when its sample {@code P - 1} ends (emitted, dropped or
 * flushed; those can end out of order after a fading flush) and resolves when every sample
 * before {@code P} has ended, so marks resolve in position order.
 */
final class MarkQueue {
    /** Pending marks as a ring (no iterator, so a frame that scans them allocates nothing). */
    private PendingMark[] marks;
    private int first;
    private int count;
    private ArrayDeque<Playout> playouts;

    boolean isEmpty() {
        return count == 0 && (playouts == null || playouts.isEmpty());
    }

    /** Adds a mark; {@code outcome} is known already when its sample {@code P - 1} has ended. */
    void add(Mark mark, MarkOutcome outcome) {
        if (marks == null) {
            marks = new PendingMark[8];
        } else if (count == marks.length) {
            PendingMark[] grown = new PendingMark[count * 2];
            for (int i = 0; i < count; i++) {
                grown[i] = marks[(first + i) % marks.length];
            }
            marks = grown;
            first = 0;
        }
        marks[(first + count) % marks.length] = new PendingMark(mark, outcome);
        count++;
    }

    private PendingMark peek() {
        return count == 0 ? null : marks[first];
    }

    private PendingMark poll() {
        PendingMark m = marks[first];
        marks[first] = null;
        first = (first + 1) % marks.length;
        count--;
        return m;
    }

    /** Adds a playout waiter at {@code position}; positions of successive waiters never decrease. */
    void addPlayout(long position, CompletableFuture<Void> future) {
        if (playouts == null) {
            playouts = new ArrayDeque<>();
        }
        playouts.add(new Playout(position, future));
    }

    /** Gives {@code fate} to every mark still waiting for it whose sample {@code P - 1} is no longer pending. */
    void settle(MarkOutcome fate, LongPredicate pending) {
        for (int i = 0; i < count; i++) {
            PendingMark m = marks[(first + i) % marks.length];
            if (m.outcome == null && !pending.test(m.mark.position() - 1)) {
                m.outcome = fate;
            }
        }
    }

    /**
     * Completions for the marks and waiters at or before {@code minPending}, the smallest position
     * not yet ended, appended to {@code into} in position order.
     *
     * @param lastPts pts of the frame that carried the last emitted sample, -1 if none
     * @return true if any was appended
     */
    boolean resolve(long minPending, long lastPts, Collection<Runnable> into) {
        int before = into.size();
        while (count > 0 && peek().mark.position() <= minPending) {
            PendingMark m = poll();
            MarkOutcome outcome = m.outcome != null ? m.outcome : MarkOutcome.PLAYED;
            into.add(complete(m.mark, outcome, outcome == MarkOutcome.PLAYED ? lastPts : -1));
        }
        while (playouts != null && !playouts.isEmpty() && playouts.peek().position <= minPending) {
            CompletableFuture<Void> f = playouts.poll().future;
            into.add(() -> f.complete(null));
        }
        return into.size() > before;
    }

    /** The track stopped: completions for everything, marks whose sample had not ended as {@link MarkOutcome#ENDED}. */
    boolean endAll(TrackEndedException error, Collection<Runnable> into) {
        int before = into.size();
        while (count > 0) {
            PendingMark m = poll();
            // A sample that ended flushed or dropped keeps that fate. A mark still waiting to play
            // (its own sample pending, or placed after a fade that has not played out) ends ENDED.
            boolean fated = m.outcome == MarkOutcome.FLUSHED || m.outcome == MarkOutcome.DROPPED;
            into.add(complete(m.mark, fated ? m.outcome : MarkOutcome.ENDED, -1));
        }
        while (playouts != null && !playouts.isEmpty()) {
            CompletableFuture<Void> f = playouts.poll().future;
            into.add(() -> f.completeExceptionally(error));
        }
        return into.size() > before;
    }

    private static Runnable complete(Mark mark, MarkOutcome outcome, long pts) {
        MarkResult result = new MarkResult(mark.label(), mark.position(), outcome, pts);
        return () -> mark.result().complete(result);
    }

    private static final class PendingMark {
        final Mark mark;
        MarkOutcome outcome;

        PendingMark(Mark mark, MarkOutcome outcome) {
            this.mark = mark;
            this.outcome = outcome;
        }
    }

    private record Playout(long position, CompletableFuture<Void> future) {
    }
}
