package io.pcmtrack;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Received audio waiting for the application: a bounded queue of {@link PcmData} chunks that a
 * transport's receiving thread {@link #offer}s (a libwebrtc callback, a phone call's socket) and
 * the application takes in one of three ways, all from the same queue, in order:
 * {@link #read(Duration)} blocks with a timeout; {@link #readAsync()} returns a future completed
 * on a pool thread, never on the offering thread; {@link #onAudio(Consumer)} starts a thread that
 * hands every chunk to a listener.
 *
 * <p>The queue holds at most its limit of audio; when a new chunk does not fit, the oldest chunks
 * are dropped and counted, as an outgoing track does with {@link OverflowPolicy#DROP_OLDEST}.
 * {@link #offer} never blocks. After {@link #close()}, reads return what is still queued, then
 * throw {@link TrackEndedException}; pending futures fail; the listener stops. All methods are
 * thread-safe.
 */
public final class PcmQueue {
    private static final Logger LOG = LoggerFactory.getLogger(PcmQueue.class);
    private static final AtomicInteger THREADS = new AtomicInteger();

    private final PcmFormat format;
    private final long limitSamples;
    private final String name;
    private final Executor completions;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition available = lock.newCondition();

    // Guarded by lock.
    private final ArrayDeque<PcmData> queue = new ArrayDeque<>();
    private final ArrayDeque<ReadFuture> waiting = new ArrayDeque<>();
    private long queuedSamples;
    private boolean closed;
    private long chunksDelivered;
    private long samplesDelivered;
    private long droppedChunks;
    private long droppedSamples;
    private long listenerErrors;
    private long cleared;
    private Thread listenerThread;

    /** A queue whose futures complete on a shared pool of daemon threads. */
    public PcmQueue(PcmFormat format, Duration limit, String name) {
        this(format, limit, name, Async.EXECUTOR);
    }

    /**
     * @param format      the format of every chunk offered
     * @param limit       most audio queued before the oldest is dropped, &gt; 0
     * @param name        what the queue receives, for thread names and messages (e.g. "call audio")
     * @param completions where {@link #readAsync()} futures complete: never the offering thread
     */
    public PcmQueue(PcmFormat format, Duration limit, String name, Executor completions) {
        this.format = Objects.requireNonNull(format, "format");
        if (limit == null || limit.isNegative() || limit.isZero()) {
            throw new IllegalArgumentException("limit must be > 0, got " + limit);
        }
        this.limitSamples = Math.max(1, limit.toNanos() * format.sampleRate() / 1_000_000_000L);
        this.name = Objects.requireNonNull(name, "name");
        this.completions = Objects.requireNonNull(completions, "completions");
    }

    public PcmFormat format() {
        return format;
    }

    /**
     * The next chunk, waiting up to {@code timeout} for one.
     *
     * @return the chunk, or null if none came within the timeout
     * @throws TrackEndedException   if the queue is closed and empty
     * @throws IllegalStateException if a listener ({@link #onAudio}) takes the audio
     * @throws InterruptedException  if interrupted while waiting
     */
    public PcmData read(Duration timeout) throws InterruptedException {
        Objects.requireNonNull(timeout, "timeout");
        long left = timeout.toNanos();
        lock.lockInterruptibly();
        try {
            checkNoListener();
            while (queue.isEmpty()) {
                if (closed) {
                    throw ended();
                }
                if (left <= 0) {
                    return null;
                }
                left = available.awaitNanos(left);
            }
            return takeLocked();
        } finally {
            lock.unlock();
        }
    }

    /**
     * A future of the next chunk not promised to an earlier future or reader. It completes on a
     * pool thread, never on the offering thread, so dependent stages may block; exceptionally with
     * {@link TrackEndedException} if the queue closes first. Cancelling it while it waits
     * withdraws it: no chunk is promised to it and none is lost; once a chunk is promised to it,
     * {@code cancel} returns false and the future completes with that chunk.
     *
     * @throws IllegalStateException if a listener ({@link #onAudio}) takes the audio
     */
    public CompletableFuture<PcmData> readAsync() {
        ReadFuture f = new ReadFuture();
        lock.lock();
        try {
            checkNoListener();
            if (!queue.isEmpty() && waiting.isEmpty()) {
                PcmData chunk = takeLocked();
                f.promised = true;
                completions.execute(() -> f.deliver(chunk));
            } else if (closed) {
                f.fail(ended());
            } else {
                waiting.add(f);
            }
        } finally {
            lock.unlock();
        }
        return f;
    }

    /**
     * Hands every chunk, in order, to {@code listener} on a daemon thread of this queue (one call
     * at a time), until {@link #close()}, which waits (up to 5 s) for a call under way. A listener
     * exception is logged and counted; delivery goes on. A slow listener fills the queue, whose
     * oldest chunks are then dropped.
     *
     * @throws IllegalStateException if a listener is already set or the queue is closed
     */
    public void onAudio(Consumer<? super PcmData> listener) {
        Objects.requireNonNull(listener, "listener");
        lock.lock();
        try {
            if (closed) {
                throw new IllegalStateException(name + " has ended");
            }
            if (listenerThread != null) {
                throw new IllegalStateException("a listener is already set; one listener per receiver");
            }
            Thread t = new Thread(() -> deliver(listener),
                    "pcmtrack-" + name.replace(' ', '-') + "-" + THREADS.incrementAndGet());
            t.setDaemon(true);
            listenerThread = t;
            t.start();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Adds a chunk in {@link #format()}, hands it to the oldest waiting future if there is one, and
     * drops the oldest queued audio beyond the limit. Never blocks.
     *
     * @return false if the queue is closed (the chunk is discarded)
     */
    public boolean offer(PcmData chunk) {
        Objects.requireNonNull(chunk, "chunk");
        lock.lock();
        try {
            if (closed) {
                return false;
            }
            ReadFuture f = waiting.poll();
            if (f != null) {
                // Promised under the lock: cancel() now returns false, so the chunk cannot come back.
                f.promised = true;
                count(chunk);
                completions.execute(() -> f.deliver(chunk));
                return true;
            }
            queue.add(chunk);
            queuedSamples += chunk.samplesPerChannel();
            while (queuedSamples > limitSamples && queue.size() > 1) {
                PcmData old = queue.poll();
                queuedSamples -= old.samplesPerChannel();
                droppedChunks++;
                droppedSamples += old.samplesPerChannel();
            }
            available.signal();
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Audio queued. */
    public Duration buffered() {
        lock.lock();
        try {
            return Duration.ofNanos(queuedSamples * 1_000_000_000L / format.sampleRate());
        } finally {
            lock.unlock();
        }
    }

    /** Drops the queued audio (not counted as overflow; counted in {@link Stats#cleared()}). */
    public void clear() {
        lock.lock();
        try {
            queue.clear();
            queuedSamples = 0;
            cleared++;
        } finally {
            lock.unlock();
        }
    }

    /** False once closed. */
    public boolean isOpen() {
        lock.lock();
        try {
            return !closed;
        } finally {
            lock.unlock();
        }
    }

    public Stats stats() {
        lock.lock();
        try {
            return new Stats(chunksDelivered, samplesDelivered, droppedChunks, droppedSamples, listenerErrors, cleared);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Counters, samples per channel in {@link #format()}.
     *
     * @param chunksDelivered  chunks taken by reads, futures or the listener
     * @param samplesDelivered their samples
     * @param droppedChunks    chunks dropped because the queue was full
     * @param droppedSamples   their samples
     * @param listenerErrors   listener calls that threw
     * @param cleared          calls to {@link #clear()}
     */
    public record Stats(long chunksDelivered, long samplesDelivered, long droppedChunks, long droppedSamples,
                        long listenerErrors, long cleared) {
    }

    /**
     * Fails pending futures, wakes blocked readers and ends the listener thread (waiting up to
     * 5 s for a call under way). Queued audio can still be read. Idempotent.
     */
    public void close() {
        Thread listener;
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            for (ReadFuture f : waiting) {
                TrackEndedException e = ended();
                f.promised = true;
                completions.execute(() -> f.fail(e));
            }
            waiting.clear();
            available.signalAll();
            listener = listenerThread;
        } finally {
            lock.unlock();
        }
        if (listener != null && listener != Thread.currentThread()) {
            listener.interrupt();
            try {
                listener.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private PcmData takeLocked() {
        PcmData chunk = queue.poll();
        queuedSamples -= chunk.samplesPerChannel();
        count(chunk);
        return chunk;
    }

    private void count(PcmData chunk) {
        chunksDelivered++;
        samplesDelivered += chunk.samplesPerChannel();
    }

    private void deliver(Consumer<? super PcmData> listener) {
        while (true) {
            PcmData chunk;
            lock.lock();
            try {
                while (queue.isEmpty() && !closed) {
                    available.awaitUninterruptibly();
                }
                if (closed) {
                    return; // a closed queue delivers no more, as its transport offers no more
                }
                chunk = takeLocked();
            } finally {
                lock.unlock();
            }
            try {
                listener.accept(chunk);
            } catch (RuntimeException | Error e) {
                if (e instanceof VirtualMachineError) {
                    throw e;
                }
                long errors;
                lock.lock();
                try {
                    errors = ++listenerErrors;
                } finally {
                    lock.unlock();
                }
                if (errors == 1 || errors % 1000 == 0) {
                    LOG.warn("{} listener threw ({} times so far); delivery goes on", name, errors, e);
                }
            }
        }
    }

    private void checkNoListener() {
        if (listenerThread != null) {
            throw new IllegalStateException("a listener set with onAudio takes this receiver's audio");
        }
    }

    private TrackEndedException ended() {
        return new TrackEndedException(name + " has ended and its queue is empty");
    }

    /**
     * A {@link #readAsync()} future. While it waits it can be cancelled and leaves the queue of
     * waiters; once a chunk is promised to it (under the lock) it can no longer be cancelled, so a
     * promised chunk is never handed back out of order.
     */
    private final class ReadFuture extends CompletableFuture<PcmData> {
        /** Guarded by the queue's lock. */
        boolean promised;

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            lock.lock();
            try {
                if (promised) {
                    return false;
                }
                waiting.remove(this);
                return super.cancel(mayInterruptIfRunning);
            } finally {
                lock.unlock();
            }
        }

        void deliver(PcmData chunk) {
            super.complete(chunk);
        }

        void fail(Throwable error) {
            super.completeExceptionally(error);
        }
    }

    /** Completes readAsync futures off the offering thread; idle threads end after a minute. */
    private static final class Async {
        static final ExecutorService EXECUTOR = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "pcmtrack-received-audio");
            t.setDaemon(true);
            return t;
        });
    }
}
