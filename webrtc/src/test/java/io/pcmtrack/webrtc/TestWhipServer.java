package io.pcmtrack.webrtc;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A WHIP endpoint for tests (JDK HTTP server on 127.0.0.1, ephemeral port): answers each POSTed
 * offer with a receiving {@link WebRtcSession} on loopback, and can be told to misbehave in every
 * way a real endpoint does. Paths: {@code /whip/endpoint} (POST), {@code /whip/resource/N}
 * (DELETE), {@code /old/endpoint} (307 to {@code /whip/endpoint}).
 */
public final class TestWhipServer implements AutoCloseable {
    /** One request as the server saw it. */
    public record Request(String method, String path, String contentType, String authorization) {
    }

    /** What to do with a POST instead of answering normally; null answers normally. */
    public record Reply(int status, Map<String, List<String>> headers, String body, long delayMillis) {
        public static Reply of(int status, String body) {
            return new Reply(status, Map.of("Content-Type", List.of("text/plain")), body, 0);
        }
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "test-whip-server");
        t.setDaemon(true);
        return t;
    });
    final List<Request> requests = new CopyOnWriteArrayList<>();
    final Map<Integer, WebRtcSession> sessions = new ConcurrentHashMap<>();
    final List<WebRtcSession> allSessions = new CopyOnWriteArrayList<>();
    private final AtomicInteger ids = new AtomicInteger();
    volatile String token;
    /** Override for POSTs: given the offer, a reply; returning null answers normally. */
    volatile Function<String, Reply> override = offer -> null;
    /** Rewrites the normal answer (e.g. to break its candidates). */
    volatile Function<String, String> answerRewrite = Function.identity();
    volatile String linkHeader1 = "<stun:stun.example.net:3478>; rel=\"ice-server\"";
    volatile String linkHeader2 = "<turn:turn.example.net?transport=udp>; rel=\"ice-server\"; username=\"user\"; "
            + "credential=\"pass,word\"; credential-type=\"password\"";

    private final Map<Integer, java.io.ByteArrayOutputStream> heard = new ConcurrentHashMap<>();

    public TestWhipServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    /** What the server-side session {@code id} received so far: 48 kHz mono 16-bit samples. */
    public short[] heard(int id) {
        java.io.ByteArrayOutputStream b = heard.get(id);
        if (b == null) {
            return new short[0];
        }
        byte[] bytes;
        synchronized (b) {
            bytes = b.toByteArray();
        }
        short[] x = new short[bytes.length / 2];
        java.nio.ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN).asShortBuffer().get(x);
        return x;
    }

    /** Answers POSTs with {@code reply(offer)} instead, unless that returns null. */
    public void onPost(Function<String, Reply> reply) {
        this.override = reply;
    }

    /** The requests seen so far. */
    public List<Request> requests() {
        return List.copyOf(requests);
    }

    /** Requires {@code Authorization: Bearer token} (403 otherwise, as simple-whip-server does); null for none. */
    public void token(String token) {
        this.token = token;
    }

    public String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    /** Drops session {@code id} on the server side without a DELETE, as a crashing SFU would. */
    public void kill(int id) {
        WebRtcSession s = sessions.remove(id);
        if (s != null) {
            s.close();
        }
    }

    private void handle(HttpExchange x) throws IOException {
        try (x) {
            String path = x.getRequestURI().getPath();
            String method = x.getRequestMethod();
            requests.add(new Request(method, path, x.getRequestHeaders().getFirst("Content-Type"),
                    x.getRequestHeaders().getFirst("Authorization")));
            String body;
            try (InputStream in = x.getRequestBody()) {
                body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            if (path.equals("/old/endpoint") && method.equals("POST")) {
                x.getResponseHeaders().add("Location", "/whip/endpoint");
                send(x, 307, "");
                return;
            }
            if (token != null && !("Bearer " + token).equals(x.getRequestHeaders().getFirst("Authorization"))) {
                send(x, 403, "Unauthorized");
                return;
            }
            if (path.equals("/whip/endpoint") && method.equals("POST")) {
                post(x, body);
            } else if (path.startsWith("/whip/resource/") && method.equals("DELETE")) {
                WebRtcSession s = sessions.remove(Integer.parseInt(path.substring("/whip/resource/".length())));
                if (s == null) {
                    send(x, 404, "no such resource");
                } else {
                    s.close();
                    send(x, 200, "");
                }
            } else {
                send(x, 405, "method not allowed here");
            }
        } catch (RuntimeException e) {
            e.printStackTrace();
        }
    }

    private void post(HttpExchange x, String offer) throws IOException {
        Reply r = override.apply(offer);
        if (r != null) {
            if (r.delayMillis > 0) {
                try {
                    Thread.sleep(r.delayMillis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            r.headers.forEach((k, v) -> v.forEach(value -> x.getResponseHeaders().add(k, value)));
            send(x, r.status, r.body);
            return;
        }
        if (!"application/sdp".equals(x.getRequestHeaders().getFirst("Content-Type"))) {
            send(x, 406, "Content-Type must be application/sdp");
            return;
        }
        WebRtcSession s = WebRtcSession.receiving(WebRtcSession.options().candidates(CandidatePolicy.LOOPBACK));
        String answer;
        try {
            answer = s.answer(offer);
        } catch (RuntimeException e) {
            s.close();
            send(x, 400, e.getMessage());
            return;
        }
        int id = ids.incrementAndGet();
        java.io.ByteArrayOutputStream pcm = new java.io.ByteArrayOutputStream();
        heard.put(id, pcm);
        s.receiver().onAudio(chunk -> {
            synchronized (pcm) {
                pcm.writeBytes(chunk.toBytes());
            }
        });
        sessions.put(id, s);
        allSessions.add(s);
        x.getResponseHeaders().add("Content-Type", "application/sdp");
        x.getResponseHeaders().add("Location", "resource/" + id); // relative, as simple-whip-server does
        x.getResponseHeaders().add("ETag", "\"etag-" + id + "\"");
        x.getResponseHeaders().add("Link", linkHeader1);
        x.getResponseHeaders().add("Link", linkHeader2);
        send(x, 201, answerRewrite.apply(answer));
    }

    private static void send(HttpExchange x, int status, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        x.sendResponseHeaders(status, b.length == 0 ? -1 : b.length);
        if (b.length > 0) {
            try (OutputStream out = x.getResponseBody()) {
                out.write(b);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        for (WebRtcSession s : allSessions) {
            s.close();
        }
        executor.shutdownNow();
    }
}
