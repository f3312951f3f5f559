package io.pcmtrack.telephony;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

import io.pcmtrack.PcmConverter;
import io.pcmtrack.PcmData;
import io.pcmtrack.PcmFormat;
import io.pcmtrack.PcmQueue;
import io.pcmtrack.TrackEndedException;
import io.pcmtrack.dsp.Resampler;
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
 * {@link TrackEndedException}, and the listener stops. The queue is core's {@link PcmQueue}, as
 * in the WebRTC receiver. All methods are thread-safe.
 */
public final class CallAudioReceiver {
    private static final Logger LOG = LoggerFactory.getLogger(CallAudioReceiver.class);

    private final PcmQueue queue;
    /** Guards the converter and the received counters; held by the socket's thread per message. */
    private final Object convertLock = new Object();
    private PcmConverter converter;
    private final Resampler.Quality resampling;
    private long chunksReceived;
    private long samplesReceived;

    CallAudioReceiver(PcmFormat output, Duration bufferLimit) {
        this(output, bufferLimit, Resampler.Quality.TELEPHONY);
    }

    CallAudioReceiver(PcmFormat output, Duration bufferLimit, Resampler.Quality resampling) {
        this.queue = new PcmQueue(output, bufferLimit, "call audio");
        this.resampling = resampling;
    }

    /** The format of every chunk this receiver delivers. */
    public PcmFormat format() {
        return queue.format();
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
        return queue.read(timeout);
    }

    /** See {@link PcmQueue#readAsync()}: completes on a pool thread, fails once the call ends. */
    public CompletableFuture<PcmData> readAsync() {
        return queue.readAsync();
    }

    /** See {@link PcmQueue#onAudio(Consumer)}: every chunk, in order, on a thread of this receiver. */
    public void onAudio(Consumer<? super PcmData> listener) {
        queue.onAudio(listener);
    }

    /** Audio queued, in the output format. */
    public Duration buffered() {
        return queue.buffered();
    }

    /** Drops the queued audio and the converter's state (not counted as overflow). */
    public void clear() {
        queue.clear();
        synchronized (convertLock) {
            if (converter != null) {
                converter.reset();
            }
        }
    }

    /**
     * Counters: chunks and samples per channel received (at the wire's rate), delivered (in the
     * output format), dropped because the queue was full, listener exceptions, clears.
     */
    public Stats stats() {
        long chunks;
        long samples;
        synchronized (convertLock) {
            chunks = chunksReceived;
            samples = samplesReceived;
        }
        PcmQueue.Stats q = queue.stats();
        return new Stats(chunks, samples, q.chunksDelivered(), q.samplesDelivered(), q.droppedChunks(),
                q.droppedSamples(), q.listenerErrors(), q.cleared());
    }

    /** A snapshot of a receiver's counters. */
    public record Stats(long chunksReceived, long samplesReceived, long chunksDelivered, long samplesDelivered,
                        long droppedChunks, long droppedSamples, long listenerErrors, long cleared) {
    }

    /** Decoded caller audio at {@code rate}; called on the socket's thread. Never throws. */
    void accept(short[] pcm, int count, int rate) {
        if (count <= 0 || !queue.isOpen()) {
            return;
        }
        try {
            PcmData chunk;
            synchronized (convertLock) {
                chunksReceived++;
                samplesReceived += count;
                PcmFormat in = PcmFormat.s16(rate, 1);
                if (converter == null || !converter.input().equals(in)) {
                    converter = new PcmConverter(in, queue.format(), resampling);
                }
                chunk = converter.convert(PcmData.ofShorts(rate, 1, java.util.Arrays.copyOf(pcm, count)));
            }
            if (chunk.samplesPerChannel() > 0) {
                queue.offer(chunk);
            }
        } catch (RuntimeException e) {
            LOG.warn("decoding the caller's audio failed; the chunk is dropped", e);
        }
    }

    /** The call ended: pending futures fail, readers drain the queue, the listener stops. */
    void close() {
        queue.close();
    }
}
