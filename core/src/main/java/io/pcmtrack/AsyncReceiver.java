package io.pcmtrack;

import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * {@link AudioStreamTrack#recvAsync()}: one daemon thread, shared by all tracks, takes the frames
 * of pending requests in call order. With the system clock it never sleeps on a due time: a
 * request not yet due is rescheduled for that time, so one slow track cannot hold up another.
 * With any other clock (a {@link VirtualClock} in tests) it sleeps on that clock, which such
 * clocks make instant.
 *
 * <p>A request takes the track's consumer claim only while it takes its frame, as {@code recv}
 * does, so requests and a {@link FrameScheduler} exclude each other frame by frame.
 */
final class AsyncReceiver {
    private final AudioStreamTrack track;
    private final boolean systemClock;
    /** Requests not yet completed, oldest first; the head is the one being served. Guarded by this. */
    private final ArrayDeque<CompletableFuture<AudioFrame>> requests = new ArrayDeque<>();
    private TrackEndedException ended;

    AsyncReceiver(AudioStreamTrack track) {
        this.track = track;
        this.systemClock = track.clock() instanceof SystemClock;
    }

    CompletableFuture<AudioFrame> request() {
        CompletableFuture<AudioFrame> future = new CompletableFuture<>();
        boolean first;
        synchronized (this) {
            if (ended != null) {
                future.completeExceptionally(ended);
                return future;
            }
            requests.add(future);
            first = requests.size() == 1;
        }
        if (first) {
            Holder.THREAD.execute(this::serve);
        }
        return future;
    }

    /** The track stopped: every pending request fails with {@code error}. */
    void stop(TrackEndedException error) {
        ArrayDeque<CompletableFuture<AudioFrame>> failed;
        synchronized (this) {
            ended = error;
            failed = new ArrayDeque<>(requests);
            requests.clear();
        }
        for (CompletableFuture<AudioFrame> f : failed) {
            f.completeExceptionally(error);
        }
    }

    /** Serves the oldest request, on the shared thread. */
    private void serve() {
        CompletableFuture<AudioFrame> head;
        synchronized (this) {
            head = requests.peek();
        }
        if (head == null) {
            return;
        }
        AudioFrame frame;
        Pacer pacer = track.pacer();
        try {
            if (!track.isLive()) {
                return; // stop() fails the requests
            }
            if (!pacer.claim(Pacer.RECV)) {
                throw track.busy();
            }
            try {
                long now = track.clock().nanoTime();
                long due = pacer.due(now);
                if (now < due) {
                    if (systemClock) {
                        Holder.THREAD.schedule(this::serve, due - now, TimeUnit.NANOSECONDS);
                        return;
                    }
                    pacer.sleepUntil(due);
                    now = due;
                }
                frame = track.frameFor(null);
                track.emit(frame, now - due);
            } finally {
                pacer.release(Pacer.RECV);
            }
        } catch (InterruptedException e) {
            Thread.interrupted(); // the shared thread goes on serving
            finish(head, null, e);
            return;
        } catch (RuntimeException e) {
            finish(head, null, e);
            return;
        }
        finish(head, frame, null);
    }

    private void finish(CompletableFuture<AudioFrame> head, AudioFrame frame, Exception error) {
        boolean more;
        synchronized (this) {
            if (requests.peek() != head) {
                return; // stop() failed it already
            }
            requests.poll();
            more = !requests.isEmpty();
        }
        if (error != null) {
            head.completeExceptionally(error);
        } else {
            head.complete(frame);
        }
        if (more) {
            Holder.THREAD.execute(this::serve);
        }
    }

    private static final class Holder {
        static final ScheduledExecutorService THREAD = create();

        private static ScheduledExecutorService create() {
            ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, r -> {
                Thread t = new Thread(r, "pcmtrack-recv-async");
                t.setDaemon(true);
                return t;
            });
            executor.setRemoveOnCancelPolicy(true);
            return executor;
        }
    }
}
