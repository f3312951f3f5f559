package io.pcmtrack.server;

import dev.onvoid.webrtc.RTCPeerConnectionState;
import io.pcmtrack.webrtc.WebRtcSession;

/**
 * One WHEP listener or WHIP publication: a {@link WebRtcSession} and what the server hangs on it,
 * addressed by its resource URL. {@link #close()} frees all of it, native objects included; it is
 * idempotent and may be called from any Java thread.
 */
abstract class Session implements AutoCloseable {
    final String protocol;
    final String name;
    final String id;
    final WebRtcSession webrtc;
    /** When the connection was last CONNECTED, or the session created; System.nanoTime(). */
    private volatile long lastConnectedNanos = System.nanoTime();
    private boolean closed;

    Session(String protocol, String name, String id, WebRtcSession webrtc) {
        this.protocol = protocol;
        this.name = name;
        this.id = id;
        this.webrtc = webrtc;
        // Leaving CONNECTED counts as the last moment connected, too.
        webrtc.onStateChange(s -> lastConnectedNanos = System.nanoTime());
    }

    /** The resource's path, sent as {@code Location}: {@code /whep/NAME/ID}. */
    final String location() {
        return "/" + protocol + "/" + name + "/" + id;
    }

    /** Nanoseconds since the connection was last CONNECTED (or the session created, if it never was). */
    final long idleNanos(long nowNanos) {
        return webrtc.isConnected() ? 0 : nowNanos - lastConnectedNanos;
    }

    /** True once ICE or DTLS failed: the session cannot recover. */
    final boolean failed() {
        RTCPeerConnectionState s = webrtc.connectionState();
        return s == RTCPeerConnectionState.FAILED || s == RTCPeerConnectionState.CLOSED;
    }

    @Override
    public final void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        tearDown();
    }

    /** Frees everything; called once. */
    abstract void tearDown();

    @Override
    public String toString() {
        return protocol.toUpperCase(java.util.Locale.ROOT) + " session " + id + " (" + name + ")";
    }
}
