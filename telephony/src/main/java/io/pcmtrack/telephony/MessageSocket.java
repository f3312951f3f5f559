package io.pcmtrack.telephony;

/**
 * One WebSocket connection as a provider protocol sees it: it sends whole text and binary
 * messages and can close. This is the seam between the protocols of this module and any
 * WebSocket library (Java-WebSocket, Jetty, Javalin); an adapter implements it in a few lines
 * and feeds what arrives to the {@link MessageHandler} its {@link MediaStreamEndpoint} returned.
 *
 * <p>Contract for implementations: thread-safe (a call sends from the frame scheduler's thread,
 * from the thread that flushes its track and from the socket's own thread); messages go out in
 * the order of the calls that sent them; the methods never block on the network (they queue)
 * and never throw: a socket that is closed or failing drops the message. {@link #sendBinary}
 * takes ownership of the array (the caller never touches it again), so an adapter may hand it
 * to its library without copying.
 */
public interface MessageSocket {

    /** Queues a text message. */
    void sendText(String text);

    /** Queues a binary message; the array now belongs to the socket. */
    void sendBinary(byte[] data);

    /**
     * Closes the connection with a WebSocket close code (1000 normal, 1008 policy violation,
     * 1011 server error) and a short reason; idempotent. The adapter still reports the close to
     * the handler through {@link MessageHandler#onClose}.
     */
    void close(int code, String reason);

    /** Who is on the other end, for logs (an address or a name); never null. */
    String peer();
}
