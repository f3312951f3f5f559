package io.pcmtrack.server;

/**
 * One WHEP listener or WHIP publication: a peer connection and everything hung on it, addressed
 * by its resource URL. {@link #close()} frees all of it, native objects included, in the order
 * libwebrtc needs; it is idempotent and may be called from any Java thread (never from a
 * libwebrtc callback).
 */
abstract class Session implements AutoCloseable {
    final String protocol;
    final String name;
    final String id;
    final long createdNanos = System.nanoTime();
    private boolean closed;

    Session(String protocol, String name, String id) {
        this.protocol = protocol;
        this.name = name;
        this.id = id;
    }

    /** The resource's path, sent as {@code Location}: {@code /whep/NAME/ID}. */
    final String location() {
        return "/" + protocol + "/" + name + "/" + id;
    }

    /** The peer connection, or null while it is being set up. */
    abstract AnsweringPeer peer();

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
        return protocol + " session " + id + " (" + name + ")";
    }
}
