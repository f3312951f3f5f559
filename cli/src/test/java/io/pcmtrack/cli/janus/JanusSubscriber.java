package io.pcmtrack.cli.janus;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import io.pcmtrack.webrtc.CandidatePolicy;
import io.pcmtrack.webrtc.RtcAudioStats;
import io.pcmtrack.webrtc.Signals;
import io.pcmtrack.webrtc.WebRtcFactories;
import io.pcmtrack.webrtc.WebRtcSession;

/**
 * An independent subscriber for the SFU test, run as a child JVM inside the test's network
 * namespace: joins a Janus VideoRoom through Janus's own HTTP API (create, attach the VideoRoom
 * plugin, wait for a publisher with {@code listparticipants}, join as a subscriber, answer
 * Janus's offer with a receiving {@link WebRtcSession}, {@code start}), records what arrives and
 * prints one {@code RESULT ...} line with what it measured. Exit 0 if it measured, 1 if not.
 *
 * <p>Arguments: Janus API URL (e.g. {@code http://127.0.0.1:8088/janus}), room, seconds to record.
 */
public final class JanusSubscriber {
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final String api;
    private long transactions;

    private JanusSubscriber(String api) {
        this.api = api;
    }

    public static void main(String[] args) throws Exception {
        WebRtcFactories.linger(Duration.ZERO);
        int exit;
        try {
            exit = new JanusSubscriber(args[0]).run(Long.parseLong(args[1]), Double.parseDouble(args[2]));
        } catch (Exception e) {
            System.out.println("FAILED " + e);
            e.printStackTrace(System.out);
            exit = 1;
        }
        System.out.flush();
        System.exit(exit);
    }

    /** A subscription: the receiving session, the Janus session URL, and join-to-connected time. */
    record Subscription(WebRtcSession session, String janusSession, double setupMs) implements AutoCloseable {
        @Override
        public void close() {
            session.close();
        }
    }

    /**
     * Joins {@code room} as a subscriber to its first publisher (waiting up to 20 s for one) and
     * returns the connected receiving session.
     */
    static Subscription subscribe(String api, long room) throws Exception {
        return new JanusSubscriber(api).join(room);
    }

    private Subscription join(long room) throws Exception {
        long session = id(post(api, "{\"janus\":\"create\"}"));
        String sessionUrl = api + "/" + session;
        long handle = id(post(sessionUrl, "{\"janus\":\"attach\",\"plugin\":\"janus.plugin.videoroom\"}"));
        String handleUrl = sessionUrl + "/" + handle;

        long feed = 0;
        long until = System.nanoTime() + 20_000_000_000L;
        while (feed == 0 && System.nanoTime() < until) {
            Object r = post(handleUrl, "{\"janus\":\"message\",\"body\":{\"request\":\"listparticipants\",\"room\":" + room + "}}");
            Object participants = Json.at(r, "plugindata", "data", "participants");
            if (participants instanceof List<?> l) {
                for (Object p : l) {
                    if (Boolean.TRUE.equals(Json.at(p, "publisher"))) {
                        feed = ((Number) Json.at(p, "id")).longValue();
                    }
                }
            }
            if (feed == 0) {
                Thread.sleep(100);
            }
        }
        if (feed == 0) {
            throw new IllegalStateException("no publisher appeared in room " + room + " within 20 s");
        }
        long joinStart = System.nanoTime();
        post(handleUrl, "{\"janus\":\"message\",\"body\":{\"request\":\"join\",\"ptype\":\"subscriber\",\"room\":" + room
                + ",\"streams\":[{\"feed\":" + feed + "}]}}");
        String offer = null;
        while (offer == null && System.nanoTime() < until + 10_000_000_000L) {
            Object ev = get(sessionUrl + "?maxev=1");
            Object jsep = Json.at(ev, "jsep", "sdp");
            if (jsep instanceof String sdp && "offer".equals(Json.at(ev, "jsep", "type"))) {
                offer = sdp;
            }
        }
        if (offer == null) {
            throw new IllegalStateException("Janus sent no subscriber offer");
        }
        WebRtcSession rx = WebRtcSession.receiving(WebRtcSession.options().candidates(CandidatePolicy.LOOPBACK));
        try {
            String answer = rx.answer(offer);
            post(handleUrl, "{\"janus\":\"message\",\"body\":{\"request\":\"start\",\"room\":" + room + "},"
                    + "\"jsep\":{\"type\":\"answer\",\"sdp\":" + Json.quote(answer) + "}}");
            rx.awaitConnected(Duration.ofSeconds(10));
        } catch (Exception | Error e) {
            rx.close();
            throw e;
        }
        return new Subscription(rx, sessionUrl, (System.nanoTime() - joinStart) / 1e6);
    }

    /** Keeps the Janus session alive (long polls count as keep-alives) for {@code seconds}. */
    void keepAlive(String sessionUrl, double seconds) throws Exception {
        long end = System.nanoTime() + (long) (seconds * 1e9);
        while (System.nanoTime() < end) {
            get(sessionUrl + "?maxev=1&_=" + System.nanoTime(), Duration.ofMillis(500));
        }
    }

    static void keepAlive(String api, String sessionUrl, double seconds) throws Exception {
        new JanusSubscriber(api).keepAlive(sessionUrl, seconds);
    }

    private int run(long room, double seconds) throws Exception {
        try (Subscription sub = join(room)) {
            WebRtcSession rx = sub.session();
            String sessionUrl = sub.janusSession();
            double setupMs = sub.setupMs();
            ByteArrayOutputStream pcm = new ByteArrayOutputStream();
            AtomicLong chunks = new AtomicLong();
            rx.receiver().onAudio(chunk -> {
                synchronized (pcm) {
                    pcm.writeBytes(chunk.toBytes());
                }
                chunks.incrementAndGet();
            });
            keepAlive(sessionUrl, seconds);
            RtcAudioStats stats = rx.receiveStats(Duration.ofSeconds(2));
            byte[] bytes;
            synchronized (pcm) {
                bytes = pcm.toByteArray();
            }
            short[] x = new short[bytes.length / 2];
            ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asShortBuffer().get(x);
            int first = Signals.firstLoud(x, 0, x.length, 4000);
            int last = Signals.lastLoud(x, 0, x.length, 4000);
            if (first < 0 || last - first < 48_000) {
                System.out.println("FAILED less than a second of tone in " + x.length / 48_000.0 + " s recorded");
                return 1;
            }
            int a = first + 4800;
            int b = last - 480;
            System.out.println(String.format(Locale.ROOT,
                    "RESULT hz=%.3f dbfs=%.3f wholeDbfs=%.3f gap=%d seconds=%.3f lost=%d concealed=%d packets=%d setupMs=%.0f "
                            + "jitterBufferMs=%.1f",
                    Signals.dominantFrequency(x, a, b, 48_000), Signals.medianWindowDbfs(x, a, b, 480),
                    Signals.sinePeakDbfs(x, a, b),
                    Signals.longestQuietRun(x, a, b, 300), (b - a) / 48_000.0, stats.packetsLost(),
                    stats.concealedSamples(), stats.packetsReceived(), setupMs,
                    stats.jitterBufferDelay().toNanos() / 1e6));
        }
        return 0;
    }

    private static long id(Object response) {
        Object id = Json.at(response, "data", "id");
        if (!(id instanceof Number n)) {
            throw new IllegalStateException("Janus answered without data.id: " + response);
        }
        return n.longValue();
    }

    private Object post(String url, String json) throws Exception {
        String body = json.substring(0, json.length() - 1) + ",\"transaction\":\"t" + (++transactions) + "\"}";
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        Object v = Json.parse(r.body());
        if ("error".equals(Json.at(v, "janus")) || Json.at(v, "plugindata", "data", "error") != null) {
            throw new IllegalStateException("Janus refused " + json + ": " + r.body());
        }
        return v;
    }

    private Object get(String url) throws Exception {
        return get(url, Duration.ofSeconds(35));
    }

    private Object get(String url, Duration timeout) throws Exception {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(timeout).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            Object v = Json.parse(r.body());
            return v instanceof List<?> l && !l.isEmpty() ? l.get(0) : v instanceof Map<?, ?> ? v : null;
        } catch (java.net.http.HttpTimeoutException e) {
            return null;
        }
    }
}
