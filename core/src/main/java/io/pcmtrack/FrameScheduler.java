package io.pcmtrack;

import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers the frames of many tracks to their {@link FrameSink}s from a few threads: the push
 * counterpart of {@link AudioStreamTrack#recv}, for servers with thousands of calls.
 *
 * <p>Each attached track is served by one scheduler thread. A thread keeps its tracks in a binary
 * heap ordered by next due time, sleeps on the {@link MediaClock} until the earliest is due, then
 * takes every due frame exactly as {@code recv} would (same pts, silence, padding, stats) and
 * hands it to the sink. Per frame: one heap sift, one copy into the attachment's reusable frame,
 * no allocation, and no lock held while the sink runs.
 *
 * <p>{@link #attach} and {@link Attachment#close()} may be called at any time from any thread. A
 * track has one consumer at a time: while attached, its {@code recv} throws. A stopped track is
 * detached when its next frame comes due. Sink exceptions are logged (SLF4J) and counted; the
 * track keeps its schedule.
 *
 * <p>{@link #manual(MediaClock)} makes a scheduler without threads whose {@link #runDue()} the
 * caller drives, for deterministic tests with a {@link VirtualClock} or for an existing event loop.
 */
public final class FrameScheduler implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FrameScheduler.class);
    private static final long ERROR_LOG_INTERVAL_NANOS = 10_000_000_000L;

    private final MediaClock clock;
    private final Worker[] workers;
    private final boolean manual;
    private final AtomicInteger attached = new AtomicInteger();
    private volatile boolean closed;

    /** One scheduler thread. */
    public FrameScheduler(MediaClock clock) {
        this(clock, 1);
    }

    /**
     * @param clock   the clock every attached track should also be built with
     * @param threads scheduler threads, 1..256; tracks are spread over them
     */
    public FrameScheduler(MediaClock clock, int threads) {
        this(clock, threads, false);
    }

    private FrameScheduler(MediaClock clock, int threads, boolean manual) {
        this.clock = Objects.requireNonNull(clock, "clock");
        if (threads < 1 || threads > 256) {
            throw new IllegalArgumentException("threads must be 1..256, got " + threads);
        }
        this.manual = manual;
        this.workers = new Worker[threads];
        for (int i = 0; i < threads; i++) {
            workers[i] = new Worker();
        }
        if (!manual) {
            for (int i = 0; i < threads; i++) {
                Thread t = new Thread(workers[i]::run, "pcmtrack-scheduler-" + i);
                t.setDaemon(true);
                t.setPriority(Thread.MAX_PRIORITY);
                workers[i].thread = t;
                t.start();
            }
        }
    }

    /** A scheduler without threads: frames are delivered only when the caller calls {@link #runDue()}. */
    public static FrameScheduler manual(MediaClock clock) {
        return new FrameScheduler(clock, 1, true);
    }

    /**
     * Starts delivering {@code track}'s frames to {@code sink}. The first frame is due at once if
     * the track has not been received from before; otherwise the track keeps its schedule.
     *
     * @return the handle whose {@link Attachment#close()} detaches the track
     * @throws IllegalStateException if the track is already attached, or the scheduler is closed
     * @throws TrackEndedException   if the track was stopped
     */
    public Attachment attach(AudioStreamTrack track, FrameSink sink) {
        Objects.requireNonNull(track, "track");
        Objects.requireNonNull(sink, "sink");
        if (closed) {
            throw new IllegalStateException("scheduler is closed");
        }
        if (!track.isLive()) {
            throw new TrackEndedException("track " + track.id() + " has been stopped");
        }
        if (!track.claimConsumer()) {
            throw new IllegalStateException("track " + track.id() + " is already attached to a scheduler");
        }
        Worker worker = workers[0];
        for (Worker w : workers) {
            if (w.load.get() < worker.load.get()) {
                worker = w;
            }
        }
        Attachment a = new Attachment(this, worker, track, sink);
        // Anchored here, not when the thread picks it up: the first frame is due at attach time.
        a.due = track.dueNanos(clock.nanoTime());
        worker.load.incrementAndGet();
        attached.incrementAndGet();
        worker.inbox.add(a);
        worker.wake();
        return a;
    }

    /**
     * Delivers every frame due now, on the calling thread; for a {@link #manual} scheduler.
     *
     * @return frames delivered
     */
    public int runDue() {
        if (!manual) {
            throw new IllegalStateException("runDue() is for a manual scheduler; this one has its own threads");
        }
        return workers[0].runDue();
    }

    /** Due time of the earliest frame (clock nanos), or {@code Long.MAX_VALUE} if nothing is attached; manual schedulers. */
    public long nextDueNanos() {
        Worker w = workers[0];
        w.acceptAttachments();
        return w.size == 0 ? Long.MAX_VALUE : w.dues[0];
    }

    public SchedulerStats stats() {
        long delivered = 0;
        long errors = 0;
        LatencyHistogram merged = new LatencyHistogram();
        for (Worker w : workers) {
            delivered += w.delivered;
            errors += w.errors;
            merged.add(w.histogram);
        }
        return new SchedulerStats(attached.get(), delivered, errors, merged.percentile(50), merged.percentile(99),
                merged.max(), merged);
    }

    public MediaClock clock() {
        return clock;
    }

    /** Stops the scheduler threads and detaches every track (the tracks stay live). */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Worker w : workers) {
            w.running = false;
            w.wake();
        }
        for (Worker w : workers) {
            if (w.thread != null && w.thread != Thread.currentThread()) {
                try {
                    w.thread.join(5_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        for (Worker w : workers) {
            w.acceptAttachments();
            for (int i = 0; i < w.size; i++) {
                w.heap[i].close();
            }
        }
    }

    /** A track's place in the scheduler; {@link #close()} detaches it. */
    public static final class Attachment implements AutoCloseable {
        private final FrameScheduler scheduler;
        private final Worker worker;
        private final AudioStreamTrack track;
        private final FrameSink sink;
        /** The worker's shared frame when the format matches, else the attachment's own; set by the worker. */
        private AudioFrame frame;
        private final AtomicBoolean closed = new AtomicBoolean();
        /** Due time of the first frame, set at attach; the worker's heap keeps it from then on. */
        private long due;
        private long errors;
        private long lastErrorLog;

        private Attachment(FrameScheduler scheduler, Worker worker, AudioStreamTrack track, FrameSink sink) {
            this.scheduler = scheduler;
            this.worker = worker;
            this.track = track;
            this.sink = sink;
        }

        public AudioStreamTrack track() {
            return track;
        }

        /** False once closed, or once the scheduler noticed the track stopped. */
        public boolean isAttached() {
            return !closed.get();
        }

        /** Sink calls that threw. */
        public long sinkErrors() {
            return errors;
        }

        /**
         * Detaches the track: once this returns the sink is not called again (unless called from
         * the sink itself, whose current call of course completes). The track stays live and may
         * be received from or attached again. Idempotent.
         */
        @Override
        public void close() {
            if (!closed.compareAndSet(false, true)) {
                return;
            }
            track.releaseConsumer();
            worker.load.decrementAndGet();
            scheduler.attached.decrementAndGet();
            // Wait out a delivery to this sink that is under way on the scheduler thread.
            for (int spins = 0; worker.delivering == this && Thread.currentThread() != worker.thread; spins++) {
                if (spins < 1_000) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.parkNanos(100_000);
                }
            }
        }
    }

    /** One scheduler thread: a heap of attachments by due time. */
    private final class Worker {
        final ConcurrentLinkedQueue<Attachment> inbox = new ConcurrentLinkedQueue<>();
        final AtomicInteger load = new AtomicInteger();
        /** Written by this worker only; {@link FrameScheduler#stats()} reads it racily (monitoring). */
        final LatencyHistogram histogram = new LatencyHistogram();
        // The heap keeps due times in their own array: sifting compares contiguous longs instead of
        // chasing a pointer per comparison, which at 10,000 tracks is the difference between cache hits and misses.
        Attachment[] heap = new Attachment[64];
        long[] dues = new long[64];
        int size;
        /**
         * One frame serves every attachment of the same format: a frame is valid only during its
         * sink call, and a hot frame beats 10,000 cold ones.
         */
        AudioFrame sharedFrame;
        volatile boolean running = true;
        volatile Attachment delivering;
        volatile long delivered;
        volatile long errors;
        Thread thread;

        void run() {
            while (running) {
                runDue();
                if (!running) {
                    break;
                }
                if (size == 0) {
                    if (inbox.isEmpty()) {
                        LockSupport.park(this);
                    }
                } else {
                    try {
                        clock.sleepUntil(dues[0]);
                    } catch (InterruptedException e) {
                        if (!running) {
                            break;
                        }
                    }
                }
            }
        }

        void wake() {
            Thread t = thread;
            if (t != null) {
                LockSupport.unpark(t);
            }
        }

        int runDue() {
            acceptAttachments();
            int count = 0;
            long now = clock.nanoTime();
            while (size > 0 && dues[0] <= now) {
                Attachment a = heap[0];
                if (a.closed.get() || !a.track.isLive()) {
                    removeTop();
                    a.close();
                    continue;
                }
                long lateness = now - dues[0];
                try {
                    a.track.emit(a.frame, lateness);
                } catch (TrackEndedException e) {
                    removeTop();
                    a.close();
                    continue;
                }
                deliver(a);
                histogram.record(lateness);
                delivered++;
                count++;
                dues[0] = a.track.dueNanos(now);
                siftDown(0);
                now = clock.nanoTime();
            }
            return count;
        }

        private void deliver(Attachment a) {
            delivering = a;
            try {
                if (!a.closed.get()) {
                    a.sink.onFrame(a.frame);
                }
            } catch (RuntimeException | Error e) {
                if (e instanceof VirtualMachineError) {
                    throw e;
                }
                a.errors++;
                errors++;
                long now = System.nanoTime();
                if (a.errors == 1 || now - a.lastErrorLog > ERROR_LOG_INTERVAL_NANOS) {
                    a.lastErrorLog = now;
                    LOG.warn("sink of track {} threw ({} errors so far); the track keeps its schedule",
                            a.track.id(), a.errors, e);
                }
            } finally {
                delivering = null;
            }
        }

        void acceptAttachments() {
            Attachment a;
            while ((a = inbox.poll()) != null) {
                if (a.closed.get()) {
                    continue;
                }
                AudioStreamTrack t = a.track;
                if (sharedFrame == null) {
                    sharedFrame = AudioFrame.allocate(t.format(), t.samplesPerFrame());
                }
                a.frame = sharedFrame.fits(t.format(), t.samplesPerFrame()) ? sharedFrame
                        : AudioFrame.allocate(t.format(), t.samplesPerFrame());
                if (size == heap.length) {
                    heap = java.util.Arrays.copyOf(heap, size * 2);
                    dues = java.util.Arrays.copyOf(dues, size * 2);
                }
                heap[size] = a;
                dues[size] = a.due;
                siftUp(size++);
            }
        }

        private void removeTop() {
            size--;
            heap[0] = heap[size];
            dues[0] = dues[size];
            heap[size] = null;
            if (size > 0) {
                siftDown(0);
            }
        }

        private void siftUp(int i) {
            Attachment a = heap[i];
            long due = dues[i];
            while (i > 0) {
                int parent = (i - 1) >>> 1;
                if (dues[parent] <= due) {
                    break;
                }
                heap[i] = heap[parent];
                dues[i] = dues[parent];
                i = parent;
            }
            heap[i] = a;
            dues[i] = due;
        }

        private void siftDown(int i) {
            Attachment a = heap[i];
            long due = dues[i];
            int half = size >>> 1;
            while (i < half) {
                int child = 2 * i + 1;
                int right = child + 1;
                if (right < size && dues[right] < dues[child]) {
                    child = right;
                }
                if (due <= dues[child]) {
                    break;
                }
                heap[i] = heap[child];
                dues[i] = dues[child];
                i = child;
            }
            heap[i] = a;
            dues[i] = due;
        }
    }
}
