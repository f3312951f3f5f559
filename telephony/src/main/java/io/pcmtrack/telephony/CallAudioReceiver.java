package io.pcmtrack.telephony;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

import io.pcmtrack.PcmConverter;
import io.pcmtrack.PcmData;
import io.pcmtrack.PcmFormat;
import io.pcmtrack.TrackEndedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The caller's audio, decoded from the provider's media messages and delivered as {@link PcmData}
 * in the format the application asked for ({@link CallOptions#receiveFormat}), in the same style
 * as the WebRTC module's receiver.
 *
 * <pre>{@code
 * CallAudioReceiver in = call.audio();
 * while (true) {
 *     PcmData chunk = in.read(Duration.ofSeconds(1));     // null on timeout
 *     if (chunk != null) recognizer.feed(chunk.toShorts());
 * }                                                      // TrackEndedException once the call ended and all is read
 * }</pre>
 *
 * <p>The socket's thread decodes each message, converts it (resampler state carried across
 * messages) and appends it to a queue bounded by {@link CallOptions#receiveBufferLimit}; when a
 * chunk does not fit, the oldest chunks are dropped and counted. It never blocks on the
 * application. Three ways to take the audio, all from the same queue, in order:
 * {@link #read(Duration)} blocks with a timeout; {@link #readAsync()} returns a future completed
 * on a pool thread (never on the socket's); {@link #onAudio(Consumer)} starts a thread that hands
 * every chunk to a listener. After the call ends, reads return what is still queued, then throw
 * {@link TrackEndedException}. All methods are thread-safe.
 */
public final class CallAudioReceiver {
    private static final Logger LOG = LoggerFactory.getLogger(CallAudioReceiver.class);
    private static final AtomicInteger THREADS = new AtomicInteger();

    private final PcmFormat output;
    private final long limitSamples;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition available = lock.newCondition();

    // Guarded by lock.
    private final ArrayDeque<PcmData> queue = new ArrayDeque<>();
    private final ArrayDeque<CompletableFuture<PcmData>> waiting = new ArrayDeque<>();
    private long queuedSamples;
    private boolean closed;
    private PcmConverter converter;
    private long chunksReceived;
    private long samplesReceived;
    private long chunksDelivered;
    private long samplesDelivered;
    private long droppedChunks;
    private long droppedSamples;
    private long listenerErrors;
    private long cleared;
    private Thread listenerThread;

    CallAudioReceiver(PcmFormat output, Duration bufferLimit) {
        this.output = output;
        this.limitSamples = Math.max(1, bufferLimit.toNanos() * output.sampleRate() / 1_000_000_000L);
    }

    /** The format of every chunk this receiver delivers. */
    public PcmFormat format() {
        return output;
    }

    /**
     * The next chunk, waiting up to {@code timeout} for one.
     *
     * @return the chunk, or null if none came within the timeout
     * @throws TrackEndedException   if the call ended and nothing is queued any more
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
     * A future of the next chunk not promised to an earlier future or reader; it completes on a
     * pool thread, exceptionally with {@link TrackEndedException} if the call ends first.
     *
     * @throws IllegalStateException if a listener ({@link #onAudio}) takes the audio
     */
    public CompletableFuture<PcmData> readAsync() {
        CompletableFuture<PcmData> f = new CompletableFuture<>();
        lock.lock();
        try {
            checkNoListener();
            if (!queue.isEmpty() && waiting.isEmpty()) {
                PcmData chunk = takeLocked();
                Async.EXECUTOR.execute(() -> f.complete(chunk));
            } else if (closed) {
                f.completeExceptionally(ended());
            } else {
                waiting.add(f);
            }
        } finally {
            lock.unlock();
        }
        return f;
    }

    /**
     * Hands every chunk, in order, to {@code listener} on a daemon thread of this receiver, one
     * call at a time, until the call ends. A listener exception is logged and counted; delivery
     * goes on. A slow listener fills the queue, whose oldest chunks are then dropped.
     *
     * @throws IllegalStateException if a listener is already set or the call has ended
     */
    public void onAudio(Consumer<? super PcmData> listener) {
        Objects.requireNonNull(listener, "listener");
        lock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("the call has ended");
            }
            if (listenerThread != null) {
                throw new IllegalStateException("a listener is already set; one listener per receiver");
            }
            Thread t = new Thread(() -> deliver(listener), "pcmtrack-call-audio-" + THREADS.incrementAndGet());
            t.setDaemon(true);
            listenerThread = t;
            t.start();
        } finally {
            lock.unlock();
        }
    }

    /** Audio queued, in the output format. */
    public Duration buffered() {
        lock.lock();
        try {
            return Duration.ofNanos(queuedSamples * 1_000_000_000L / output.sampleRate());
        } finally {
            lock.unlock();
        }
    }

    /** Drops the queued audio and the converter's state (not counted as overflow). */
    public void clear() {
        lock.lock();
        try {
            queue.clear();
            queuedSamples = 0;
            if (converter != null) {
                converter.reset();
            }
            cleared++;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Counters: chunks and samples per channel received (at the wire's rate), delivered (in the
     * output format), dropped because the queue was full, listener exceptions, clears.
     */
    public Stats stats() {
        lock.lock();
        try {
            return new Stats(chunksReceived, samplesReceived, chunksDelivered, samplesDelivered, droppedChunks,
                    droppedSamples, listenerErrors, cleared);
        } finally {
            lock.unlock();
        }
    }

    /** A snapshot of a receiver's counters. */
    public record Stats(long chunksReceived, long samplesReceived, long chunksDelivered, long samplesDelivered,
                        long droppedChunks, long droppedSamples, long listenerErrors, long cleared) {
    }

    /** Decoded caller audio at {@code rate}; called on the socket's thread. Never throws. */
    void accept(short[] pcm, int count, int rate) {
        lock.lock();
        try {
            if (closed || count <= 0) {
                return;
            }
            chunksReceived++;
            samplesReceived += count;
            PcmFormat in = PcmFormat.s16(rate, 1);
            if (converter == null || !converter.input().equals(in)) {
                converter = new PcmConverter(in, output);
            }
            PcmData chunk = converter.convert(PcmData.ofShorts(rate, 1, java.util.Arrays.copyOf(pcm, count)));
            if (chunk.samplesPerChannel() > 0) {
                offerLocked(chunk);
            }
        } catch (RuntimeException e) {
            LOG.warn("decoding the caller's audio failed; the chunk is dropped", e);
        } finally {
            lock.unlock();
        }
    }

    /** The call ended: pending futures fail, readers drain the queue, the listener stops. */
    void close() {
        Thread listener;
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            for (CompletableFuture<PcmData> f : waiting) {
                TrackEndedException e = ended();
                Async.EXECUTOR.execute(() -> f.completeExceptionally(e));
            }
            waiting.clear();
            available.signalAll();
            listener = listenerThread;
        } finally {
            lock.unlock();
        }
        if (listener != null && listener != Thread.currentThread()) {
            listener.interrupt();
        }
    }

    private void offerLocked(PcmData chunk) {
        while (!waiting.isEmpty()) {
            CompletableFuture<PcmData> f = waiting.poll();
            if (!f.isDone()) {
                count(chunk);
                Async.EXECUTOR.execute(() -> {
                    if (!f.complete(chunk)) {
                        requeueCancelled(chunk);
                    }
                });
                return;
            }
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
    }

    /** A future was cancelled between being chosen and being completed: its chunk goes to the front. */
    private void requeueCancelled(PcmData chunk) {
        lock.lock();
        try {
            chunksDelivered--;
            samplesDelivered -= chunk.samplesPerChannel();
            queue.addFirst(chunk);
            queuedSamples += chunk.samplesPerChannel();
            available.signal();
        } finally {
            lock.unlock();
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
                if (queue.isEmpty()) {
                    return; // ended and drained
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
                lock.lock();
                try {
                    listenerErrors++;
                } finally {
                    lock.unlock();
                }
                LOG.warn("call audio listener threw; delivery goes on", e);
            }
        }
    }

    private void checkNoListener() {
        if (listenerThread != null) {
            throw new IllegalStateException("a listener set with onAudio takes this receiver's audio");
        }
    }

    private static TrackEndedException ended() {
        return new TrackEndedException("the call has ended and its audio has been read");
    }

    /** Completes readAsync futures off the socket's thread. */
    private static final class Async {
        static final ExecutorService EXECUTOR = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "pcmtrack-call-audio-async");
            t.setDaemon(true);
            return t;
        });
    }
}
