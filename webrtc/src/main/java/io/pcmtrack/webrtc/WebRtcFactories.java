package io.pcmtrack.webrtc;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import dev.onvoid.webrtc.PeerConnectionFactory;
import dev.onvoid.webrtc.media.audio.AudioDeviceModule;
import dev.onvoid.webrtc.media.audio.AudioDeviceModuleBase;
import dev.onvoid.webrtc.media.audio.AudioLayer;
import dev.onvoid.webrtc.media.audio.HeadlessAudioDeviceModule;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The process's two shared {@link PeerConnectionFactory}s, reference-counted: one for peer
 * connections that <em>send</em> audio from a {@code CustomAudioSource}, one for peer connections
 * that <em>receive</em> remote audio through an {@code AudioTrackSink}.
 *
 * <p>Why shared: a factory starts native threads (signaling, worker, network, the audio device's)
 * and its creation and disposal leave about 210 KB of native memory behind, while peer
 * connections of a shared factory leave nothing once {@link WebRtcSession#close()} freed them
 * (webrtc-java 0.14.0's own {@code close()} does not; see {@link #liveConnections()}). Why two:
 * a sending factory needs {@code AudioDeviceModule(kDummyAudio)} (a headless module on it aborts
 * the JVM within seconds), and a receiving factory needs {@code HeadlessAudioDeviceModule} (a
 * dummy module never calls the sinks).
 *
 * <p>Each {@link #sender()} / {@link #receiver()} call takes a {@link Lease}; the factory and its
 * audio device module are created on the first lease and disposed {@link #linger(Duration)}
 * (default {@value #DEFAULT_LINGER_MILLIS} ms) after the last lease closes, unless a new lease
 * comes first: calls made one after another reuse the factories. Native threads that called
 * into Java stay attached to the JVM as non-daemon threads until their factory is disposed:
 * <b>a lease that is never closed keeps the JVM from exiting</b>, and a JVM whose last lease
 * closed exits once the linger has passed. Close every peer connection created from a factory
 * before closing its lease.
 *
 * <p>Thread-safe.
 */
public final class WebRtcFactories {
    /** Default {@link #linger(Duration)}. */
    public static final long DEFAULT_LINGER_MILLIS = 2_000;
    private static final Logger LOG = LoggerFactory.getLogger(WebRtcFactories.class);
    private static final Shared SENDER = new Shared("sender");
    private static final Shared RECEIVER = new Shared("receiver");
    private static final AtomicInteger LIVE_CONNECTIONS = new AtomicInteger();
    private static Duration linger = Duration.ofMillis(DEFAULT_LINGER_MILLIS);
    private static ScheduledExecutorService timer;

    private WebRtcFactories() {
    }

    /**
     * A lease on the shared factory for sending peer connections (dummy audio device).
     *
     * @throws WebRtcUnavailableException if the native library cannot be loaded
     */
    public static Lease sender() {
        return SENDER.acquire();
    }

    /**
     * A lease on the shared factory for receiving peer connections (headless audio device).
     *
     * @throws WebRtcUnavailableException if the native library cannot be loaded
     */
    public static Lease receiver() {
        return RECEIVER.acquire();
    }

    /** Leases outstanding on the sender and the receiver factory (for tests and diagnostics). */
    public static int[] leaseCounts() {
        synchronized (WebRtcFactories.class) {
            return new int[] {SENDER.refs, RECEIVER.refs};
        }
    }

    /**
     * libwebrtc peer connections that sessions created and have not freed yet, closed ones
     * included (for tests and diagnostics): 0 once every {@link WebRtcSession} is closed, unless
     * webrtc-java's internals are out of reach (it is on the module path) and closed connections
     * stay allocated.
     */
    public static int liveConnections() {
        return LIVE_CONNECTIONS.get();
    }

    static void connectionCreated() {
        LIVE_CONNECTIONS.incrementAndGet();
    }

    static void connectionFreed() {
        LIVE_CONNECTIONS.decrementAndGet();
    }

    /** True while the sender or the receiver factory exists (leased or lingering). */
    public static boolean anyCreated() {
        synchronized (WebRtcFactories.class) {
            return SENDER.factory != null || RECEIVER.factory != null;
        }
    }

    /**
     * How long an unleased factory is kept for the next lease before it is disposed; zero
     * disposes it when its last lease closes. Applies to leases closed from now on.
     *
     * @throws IllegalArgumentException if {@code d} is null or negative
     */
    public static void linger(Duration d) {
        if (d == null || d.isNegative()) {
            throw new IllegalArgumentException("linger must be >= 0, got " + d);
        }
        synchronized (WebRtcFactories.class) {
            linger = d;
        }
    }

    /** The current {@link #linger(Duration)}. */
    public static Duration linger() {
        synchronized (WebRtcFactories.class) {
            return linger;
        }
    }

    /** Must hold the class lock. */
    private static ScheduledExecutorService timer() {
        if (timer == null) {
            timer = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "pcmtrack-webrtc-factory-linger");
                t.setDaemon(true);
                return t;
            });
        }
        return timer;
    }

    /** One reference to a shared factory; {@link #close()} gives it back. */
    public static final class Lease implements AutoCloseable {
        private final Shared shared;
        private final PeerConnectionFactory factory;
        private boolean closed;

        private Lease(Shared shared, PeerConnectionFactory factory) {
            this.shared = shared;
            this.factory = factory;
        }

        /**
         * The factory; valid until this lease is closed.
         *
         * @throws IllegalStateException if the lease was closed
         */
        public PeerConnectionFactory factory() {
            synchronized (WebRtcFactories.class) {
                if (closed) {
                    throw new IllegalStateException("lease on the " + shared.name + " factory is closed");
                }
                return factory;
            }
        }

        /** Gives the reference back; the last one disposes the factory. Idempotent. */
        @Override
        public void close() {
            synchronized (WebRtcFactories.class) {
                if (closed) {
                    return;
                }
                closed = true;
                shared.release();
            }
        }
    }

    private static final class Shared {
        final String name;
        PeerConnectionFactory factory;
        AudioDeviceModuleBase adm;
        int refs;
        /** Bumped by every lease and release, so that a scheduled disposal knows it is stale. */
        long generation;

        Shared(String name) {
            this.name = name;
        }

        Lease acquire() {
            WebRtcNative.ensureAvailable();
            synchronized (WebRtcFactories.class) {
                generation++;
                if (factory == null) {
                    AudioDeviceModuleBase module = name.equals("sender")
                            ? new AudioDeviceModule(AudioLayer.kDummyAudio)
                            : new HeadlessAudioDeviceModule();
                    try {
                        factory = new PeerConnectionFactory(module);
                    } catch (RuntimeException | Error e) {
                        module.dispose();
                        throw e;
                    }
                    adm = module;
                    LOG.debug("created the shared {} PeerConnectionFactory", name);
                }
                refs++;
                return new Lease(this, factory);
            }
        }

        void release() {
            generation++;
            if (--refs > 0) {
                return;
            }
            if (linger.isZero()) {
                dispose();
                return;
            }
            long scheduled = generation;
            timer().schedule(() -> {
                synchronized (WebRtcFactories.class) {
                    if (generation == scheduled && refs == 0 && factory != null) {
                        dispose();
                    }
                }
            }, linger.toNanos(), TimeUnit.NANOSECONDS);
        }

        /** Must hold the class lock. */
        private void dispose() {
            try {
                factory.dispose();
            } catch (RuntimeException | Error e) {
                LOG.warn("disposing the {} PeerConnectionFactory failed", name, e);
            }
            try {
                adm.dispose();
            } catch (RuntimeException | Error e) {
                LOG.warn("disposing the {} audio device module failed", name, e);
            }
            factory = null;
            adm = null;
            LOG.debug("disposed the shared {} PeerConnectionFactory", name);
        }
    }
}
