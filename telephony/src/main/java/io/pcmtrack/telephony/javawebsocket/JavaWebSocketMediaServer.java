package io.pcmtrack.telephony.javawebsocket;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.pcmtrack.telephony.MediaStreamEndpoint;
import io.pcmtrack.telephony.MessageHandler;
import io.pcmtrack.telephony.MessageSocket;
import org.java_websocket.WebSocket;
import org.java_websocket.drafts.Draft_6455;
import org.java_websocket.handshake.ClientHandshake;
import org.java_websocket.server.WebSocketServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A WebSocket server (Java-WebSocket) that serves {@link MediaStreamEndpoint}s by path:
 *
 * <pre>{@code
 * try (JavaWebSocketMediaServer server = new JavaWebSocketMediaServer(new InetSocketAddress("127.0.0.1", 8080))) {
 *     server.route("/twilio", new TwilioEndpoint(options, handler));
 *     server.start();
 *     ...
 * }
 * }</pre>
 *
 * <p>All it does is the adapter's job, which is the whole recipe for another server (Jetty,
 * Javalin): on open, wrap the connection in a {@link MessageSocket} and ask the path's endpoint
 * for a {@link MessageHandler}; pass every text and binary message and the close to it. A path
 * with no endpoint is refused with close code 1008. Frames larger than {@code maxFrameBytes} are
 * refused by the library itself (close code 1009).
 */
public final class JavaWebSocketMediaServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(JavaWebSocketMediaServer.class);

    private final Map<String, MediaStreamEndpoint> routes = new ConcurrentHashMap<>();
    private final Server server;
    private final CountDownLatch started = new CountDownLatch(1);
    private volatile Exception startFailure;

    /** A server on {@code address} (port 0: any free port) refusing frames over 1 MiB. */
    public JavaWebSocketMediaServer(InetSocketAddress address) {
        this(address, 1024 * 1024);
    }

    public JavaWebSocketMediaServer(InetSocketAddress address, int maxFrameBytes) {
        Objects.requireNonNull(address, "address");
        if (maxFrameBytes < 1024) {
            throw new IllegalArgumentException("maxFrameBytes must be >= 1024, got " + maxFrameBytes);
        }
        this.server = new Server(address, maxFrameBytes);
    }

    /** Serves {@code endpoint} at {@code path} (for example {@code /twilio}); before or after start. */
    public JavaWebSocketMediaServer route(String path, MediaStreamEndpoint endpoint) {
        if (path == null || !path.startsWith("/")) {
            throw new IllegalArgumentException("path must start with /, got " + path);
        }
        routes.put(path, Objects.requireNonNull(endpoint, "endpoint"));
        return this;
    }

    /**
     * Binds and starts serving; returns once the port is bound.
     *
     * @throws IllegalStateException if binding failed or took more than 10 s
     */
    public JavaWebSocketMediaServer start() {
        server.start();
        try {
            if (!started.await(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("WebSocket server did not start within 10 s on " + server.getAddress());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting", e);
        }
        if (startFailure != null) {
            throw new IllegalStateException("WebSocket server could not start on " + server.getAddress(), startFailure);
        }
        return this;
    }

    /** The bound port (after {@link #start()}). */
    public int port() {
        return server.getPort();
    }

    /** Closes every connection (their calls end) and stops the server. */
    @Override
    public void close() {
        try {
            server.stop(2_000, "server shutting down");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private final class Server extends WebSocketServer {
        Server(InetSocketAddress address, int maxFrameBytes) {
            super(address, List.of(new Draft_6455(List.of(), maxFrameBytes)));
            setReuseAddr(true);
            setDaemon(true);
            setConnectionLostTimeout(30);
        }

        @Override
        public void onStart() {
            started.countDown();
        }

        @Override
        public void onOpen(WebSocket conn, ClientHandshake handshake) {
            String path = URI.create(handshake.getResourceDescriptor()).getPath();
            MediaStreamEndpoint endpoint = routes.get(path);
            if (endpoint == null) {
                conn.close(1008, "no media stream endpoint at " + path);
                return;
            }
            conn.setAttachment(endpoint.open(new Socket(conn)));
        }

        @Override
        public void onMessage(WebSocket conn, String message) {
            MessageHandler h = conn.getAttachment();
            if (h != null) {
                h.onText(message);
            }
        }

        @Override
        public void onMessage(WebSocket conn, ByteBuffer message) {
            MessageHandler h = conn.getAttachment();
            if (h != null) {
                h.onBinary(message);
            }
        }

        @Override
        public void onClose(WebSocket conn, int code, String reason, boolean remote) {
            MessageHandler h = conn.getAttachment();
            if (h != null) {
                conn.setAttachment(null);
                h.onClose(code, reason);
            }
        }

        @Override
        public void onError(WebSocket conn, Exception ex) {
            if (conn == null) {
                startFailure = ex;
                started.countDown();
                LOG.warn("WebSocket server failed", ex);
            } else {
                LOG.debug("WebSocket connection from {} failed", conn.getRemoteSocketAddress(), ex);
            }
        }
    }

    /** A Java-WebSocket connection as a {@link MessageSocket}: its sends queue and are thread-safe. */
    private static final class Socket implements MessageSocket {
        private final WebSocket conn;
        private final String peer;

        Socket(WebSocket conn) {
            this.conn = conn;
            this.peer = String.valueOf(conn.getRemoteSocketAddress());
        }

        @Override
        public void sendText(String text) {
            if (conn.isOpen()) {
                try {
                    conn.send(text);
                } catch (RuntimeException e) {
                    LOG.debug("send to {} failed", peer, e); // closed meanwhile: the close is reported separately
                }
            }
        }

        @Override
        public void sendBinary(byte[] data) {
            if (conn.isOpen()) {
                try {
                    conn.send(data);
                } catch (RuntimeException e) {
                    LOG.debug("send to {} failed", peer, e);
                }
            }
        }

        @Override
        public void close(int code, String reason) {
            conn.close(code, reason);
        }

        @Override
        public String peer() {
            return peer;
        }
    }
}
