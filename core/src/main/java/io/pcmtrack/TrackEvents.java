package io.pcmtrack;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one daemon thread, shared by all tracks and started on first use, that completes mark
 * and playout futures and calls flush listeners' dependants: never the thread inside
 * {@code write}, {@code flush} or {@code recv}, so a callback can neither stall pacing nor
 * re-enter a track's lock. Completions keep their submission order.
 */
final class TrackEvents {
    private static final Logger LOG = LoggerFactory.getLogger(TrackEvents.class);

    private TrackEvents() {
    }

    /** Runs {@code task} on the event thread, after everything posted before it. */
    static void post(Runnable task) {
        Holder.EXECUTOR.execute(task);
    }

    /** Runs a completion, logging what it throws (a dependent stage of the user's). */
    static void runSafely(Runnable completion) {
        try {
            completion.run();
        } catch (RuntimeException e) {
            LOG.warn("a track event callback threw", e);
        }
    }

    private static final class Holder {
        static final ExecutorService EXECUTOR = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "pcmtrack-events");
            t.setDaemon(true);
            return t;
        });
    }
}
