package io.pcmtrack.webrtc;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

import dev.onvoid.webrtc.media.audio.AudioTrack;
import dev.onvoid.webrtc.media.audio.AudioTrackSink;
import io.pcmtrack.PcmConverter;
import io.pcmtrack.PcmData;
import io.pcmtrack.PcmFormat;
import io.pcmtrack.PcmQueue;
import io.pcmtrack.TrackEndedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Remote audio of a libwebrtc {@link AudioTrack}, delivered to the application as {@link PcmData}
 * in the format it asks for (for example 16 kHz mono S16 for speech recognition).
 *
 * <pre>{@code
 * WebRtcAudioReceiver rx = WebRtcAudioReceiver.attach(remoteTrack,
 *         WebRtcAudioReceiver.options().format(PcmFormat.s16(16_000, 1)));
 * while (running) {
 *     PcmData chunk = rx.read(Duration.ofSeconds(1));    // null on timeout
 *     if (chunk != null) recognizer.feed(chunk.toShorts());
 * }
 * rx.close();                                             // before closing the peer connection
 * }</pre>
 *
 * <p>libwebrtc calls the sink on one of its native threads with 10 ms of 16-bit audio (48 kHz
 * mono with webrtc-java 0.14.0's headless audio device) in a new array per call. The callback
 * converts it with a {@link PcmConverter} (resampler state carried across callbacks) under a
 * lock of the converter's own, so readers never wait for a resampling, appends the chunk to a
 * bounded queue and returns; it never blocks on the application and never throws
 * (an exception escaping into native code aborts the JVM: failures are counted in
 * {@link ReceiverStats#errors()} and logged). The audio device's clock runs about 1 % slow and
 * libwebrtc's jitter buffer stretches or shortens audio to keep up, so received durations are not
 * sample-exact.
 *
 * <p>The queue holds at most {@link Options#bufferLimit(Duration)} of audio; when a new chunk
 * does not fit, the oldest chunks are dropped and counted ({@link ReceiverStats#droppedChunks()}),
 * as the outgoing {@code AudioStreamTrack} does with {@code DROP_OLDEST}.
 *
 * <p>Three ways to take the audio, all from the same queue, in order: {@link #read(Duration)}
 * blocks with a timeout; {@link #readAsync()} returns a future completed on a pool thread (never
 * on libwebrtc's thread); {@link #onAudio(Consumer)} starts a thread that hands every chunk to a
 * listener; the queue is core's {@link PcmQueue}. After {@link #close()}, reads return what is still queued, then throw
 * {@link TrackEndedException}. All methods are thread-safe.
 */
public final class WebRtcAudioReceiver implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WebRtcAudioReceiver.class);
    private static final long ERROR_LOG_INTERVAL_NANOS = 10_000_000_000L;

    private final PcmQueue queue;
    private final Callback sink = new Callback();
    private final boolean pacePlayout;
    /** Guards the callback's counters and the clear epoch; never held while converting. */
    private final ReentrantLock lock = new ReentrantLock();
    /** Guards the converter: held by the callback while it converts, by {@link #clear()} to reset it. */
    private final Object convertLock = new Object();
    private PcmConverter converter;
    private byte[] lastArray;

    // Guarded by lock.
    /** Moved by {@link #clear()}: a chunk converted under an older epoch is discarded. */
    private long clearEpoch;
    private long callbacks;
    private long samplesReceived;
    private long gaps;
    private long lastCallbackNanos;
    private long maxIntervalNanos;
    private long errors;
    private long lastErrorLogNanos;

    private volatile AudioTrack attachedTo;

    private WebRtcAudioReceiver(Options options) {
        this.queue = new PcmQueue(options.format, options.bufferLimit, "webrtc receiver", Async.EXECUTOR);
        this.pacePlayout = options.pacePlayout;
    }

    /** Default options: 48 kHz mono S16, 10 s buffer. */
    public static Options options() {
        return new Options();
    }

    /**
     * A receiver that is not attached to a track: pass {@link #sink()} to
     * {@code AudioTrack.addSink} yourself (and remove it before the track goes away).
     */
    public static WebRtcAudioReceiver create(Options options) {
        return new WebRtcAudioReceiver(Objects.requireNonNull(options, "options").copy());
    }

    /**
     * A receiver of {@code remoteTrack}'s audio; {@link #close()} removes it from the track.
     *
     * @throws WebRtcUnavailableException if the native library cannot be loaded
     */
    public static WebRtcAudioReceiver attach(AudioTrack remoteTrack, Options options) {
        Objects.requireNonNull(remoteTrack, "remoteTrack");
        WebRtcNative.ensureAvailable();
        WebRtcAudioReceiver r = create(options);
        remoteTrack.addSink(r.sink);
        r.attachedTo = remoteTrack;
        return r;
    }

    /** The sink libwebrtc calls; add it to one remote {@code AudioTrack}. */
    public AudioTrackSink sink() {
        return sink;
    }

    /** The format of every chunk this receiver delivers. */
    public PcmFormat format() {
        return queue.format();
    }

    /**
     * The next chunk, waiting up to {@code timeout} for one.
     *
     * @return the chunk, or null if none came within the timeout
     * @throws TrackEndedException  if the receiver is closed and nothing is queued any more
     * @throws IllegalStateException if a listener ({@link #onAudio}) takes the audio
     * @throws InterruptedException if interrupted while waiting
     */
    public PcmData read(Duration timeout) throws InterruptedException {
        return queue.read(timeout);
    }

    /**
     * A future of the next chunk not promised to an earlier future or reader. It completes on a
     * pool thread, never on libwebrtc's, so dependent stages may block; exceptionally with
     * {@link TrackEndedException} if the receiver closes first. Cancelling it while it waits
     * withdraws it: no chunk is promised to it and none is lost; once a chunk is promised to it,
     * {@code cancel} returns false and the future completes with that chunk.
     *
     * @throws IllegalStateException if a listener ({@link #onAudio}) takes the audio
     */
    public CompletableFuture<PcmData> readAsync() {
        return queue.readAsync();
    }

    /**
     * Hands every chunk, in order, to {@code listener} on a daemon thread of this receiver (one
     * call at a time), until {@link #close()}, which waits (up to 5 s) for a call under way. A
     * listener exception is logged and counted in {@link ReceiverStats#errors()}; delivery goes
     * on. A slow listener fills the queue, whose oldest chunks are then dropped.
     *
     * @throws IllegalStateException if a listener is already set or the receiver is closed
     */
    public void onAudio(Consumer<? super PcmData> listener) {
        queue.onAudio(listener);
    }

    /** Audio queued, in the output format. */
    public Duration buffered() {
        return queue.buffered();
    }

    /**
     * Barge-in on the receiving side: drops the queued audio and the converter's state (the
     * dropped audio is not counted as overflow).
     */
    public void clear() {
        lock.lock();
        try {
            clearEpoch++;
            queue.clear();
        } finally {
            lock.unlock();
        }
        synchronized (convertLock) {
            if (converter != null) {
                converter.reset();
            }
        }
    }

    public ReceiverStats stats() {
        PcmQueue.Stats q = queue.stats();
        lock.lock();
        try {
            return new ReceiverStats(callbacks, samplesReceived, q.chunksDelivered(), q.samplesDelivered(),
                    q.droppedChunks(), q.droppedSamples(), gaps, Duration.ofNanos(maxIntervalNanos),
                    errors + q.listenerErrors(), q.cleared());
        } finally {
            lock.unlock();
        }
    }

    /** False once closed. */
    public boolean isOpen() {
        return queue.isOpen();
    }

    /**
     * Removes the sink from the track it was attached to (libwebrtc makes no callback after
     * that), fails pending {@link #readAsync()} futures, wakes blocked readers and ends the
     * listener thread. Queued audio can still be read. Idempotent.
     */
    @Override
    public void close() {
        AudioTrack track = attachedTo;
        attachedTo = null;
        if (track != null) {
            try {
                track.removeSink(sink);
            } catch (RuntimeException | Error e) {
                LOG.warn("removing the receiver's sink from remote track failed", e);
            }
        }
        queue.close();
    }

    /**
     * libwebrtc's callback (package-private so that tests can drive it without the native
     * library). Never throws.
     */
    void onData(byte[] data, int bitsPerSample, int sampleRate, int channels, int frames) {
        long now = System.nanoTime();
        long epoch;
        lock.lock();
        try {
            if (!queue.isOpen()) {
                return;
            }
            callbacks++;
            if (lastCallbackNanos != 0) {
                long interval = now - lastCallbackNanos;
                maxIntervalNanos = Math.max(maxIntervalNanos, interval);
                if (frames > 0 && interval > 2 * (frames * 1_000_000_000L / sampleRate)) {
                    gaps++;
                }
            }
            lastCallbackNanos = now;
            if (bitsPerSample != 16 || data == null || channels < 1 || channels > PcmFormat.MAX_CHANNELS
                    || sampleRate < PcmFormat.MIN_SAMPLE_RATE || sampleRate > PcmFormat.MAX_SAMPLE_RATE
                    || frames < 0 || (long) frames * channels * 2 > data.length) {
                error("libwebrtc delivered audio this receiver cannot read: " + bitsPerSample + " bits, " + sampleRate
                        + " Hz, " + channels + " channels, " + frames + " frames in " + (data == null ? "no" : data.length)
                        + " bytes; expected 16-bit PCM", null);
                return;
            }
            samplesReceived += frames;
            epoch = clearEpoch;
        } catch (Throwable t) {
            error("receiving remote audio failed; the chunk is discarded", t);
            return;
        } finally {
            lock.unlock();
        }
        PcmData chunk;
        try {
            chunk = convert(data, sampleRate, channels, frames);
        } catch (Throwable t) {
            lock.lock();
            try {
                error("converting remote audio failed; the chunk is discarded", t);
            } finally {
                lock.unlock();
            }
            return;
        }
        if (chunk.samplesPerChannel() == 0) {
            return;
        }
        lock.lock();
        try {
            if (epoch == clearEpoch) {
                queue.offer(chunk); // never blocks
            }
        } catch (Throwable t) {
            error("receiving remote audio failed; the chunk is discarded", t);
        } finally {
            lock.unlock();
        }
    }

    /** Converts one callback's audio; outside the receiver's lock, so nothing waits for it. */
    private PcmData convert(byte[] data, int sampleRate, int channels, int frames) {
        synchronized (convertLock) {
            PcmFormat in = PcmFormat.s16(sampleRate, channels);
            if (converter == null || !converter.input().equals(in)) {
                converter = new PcmConverter(in, queue.format());
            }
            // The array is fresh per callback in webrtc-java 0.14.0 and is wrapped without a copy;
            // copy if a later version starts reusing it (or passes a longer one).
            int bytes = frames * channels * 2;
            byte[] pcm = data == lastArray || data.length != bytes ? java.util.Arrays.copyOf(data, bytes) : data;
            lastArray = data;
            return converter.convert(PcmData.ofBytes(in, pcm));
        }
    }

    /** Counts an error and logs it, at most once per 10 s; must hold lock. Never throws. */
    private void error(String message, Throwable t) {
        errors++;
        try {
            long now = System.nanoTime();
            if (errors == 1 || now - lastErrorLogNanos > ERROR_LOG_INTERVAL_NANOS) {
                lastErrorLogNanos = now;
                LOG.warn("{} ({} errors so far)", message, errors, t);
            }
        } catch (Throwable ignored) {
            // logging must not throw into native code either
        }
    }

    @Override
    public String toString() {
        return "WebRtcAudioReceiver[" + queue.format() + (isOpen() ? "" : ", closed") + "]";
    }

    /** What a receiver delivers and how much it may queue. */
    public static final class Options {
        private PcmFormat format = PcmFormat.s16(48_000, 1);
        private Duration bufferLimit = Duration.ofSeconds(10);
        private boolean pacePlayout = PlayoutPacer.DEFAULT;

        private Options() {
        }

        /** Format of the delivered chunks; any {@link PcmFormat}. Default 48000 Hz mono S16. */
        public Options format(PcmFormat f) {
            this.format = Objects.requireNonNull(f, "format");
            return this;
        }

        /** Most audio queued before the oldest is dropped, &gt; 0; default 10 s. */
        public Options bufferLimit(Duration d) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("bufferLimit must be > 0, got " + d);
            }
            this.bufferLimit = d;
            return this;
        }

        /**
         * Whether the callback keeps webrtc-java's headless playout device, which {@link WebRtcFactories#receiver()}
         * uses and which pulls the remote audio, at real time: it holds the first delivery of each 10 ms pull until
         * just past the next whole millisecond (at most 1 ms), which keeps the device's sleeps from adding up (see
         * the webrtc README, "Received audio"). Without it that device ran at 0.963-0.978 of real time on a VM, and
         * the jitter buffer shortened the received audio by the difference. Default on Linux, off elsewhere (the
         * system property {@code pcmtrack.webrtc.pacePlayout} sets the default); turn it off for a receiver whose
         * track comes from a factory with a sound card's device, whose own clock keeps the pace.
         */
        public Options pacePlayout(boolean pace) {
            this.pacePlayout = pace;
            return this;
        }

        public PcmFormat format() {
            return format;
        }

        public boolean pacePlayout() {
            return pacePlayout;
        }

        public Duration bufferLimit() {
            return bufferLimit;
        }

        Options copy() {
            return new Options().format(format).bufferLimit(bufferLimit).pacePlayout(pacePlayout);
        }
    }

    /** The callback registered with libwebrtc as the track's sink: forwards to {@link #onData}, which never throws. */
    private final class Callback implements AudioTrackSink {
        @Override
        public void onData(byte[] data, int bitsPerSample, int sampleRate, int channels, int frames) {
            try {
                WebRtcAudioReceiver.this.onData(data, bitsPerSample, sampleRate, channels, frames);
                if (pacePlayout) {
                    PlayoutPacer.afterDelivery();
                }
            } catch (Throwable t) {
                // Unreachable by design; the guard is here because anything escaping aborts the JVM.
            }
        }
    }

    /** Completes readAsync futures off libwebrtc's thread; idle threads end after a minute. */
    private static final class Async {
        static final ExecutorService EXECUTOR = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "pcmtrack-webrtc-async");
            t.setDaemon(true);
            return t;
        });
    }
}
