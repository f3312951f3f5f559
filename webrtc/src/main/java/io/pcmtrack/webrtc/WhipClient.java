package io.pcmtrack.webrtc;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import dev.onvoid.webrtc.RTCPeerConnectionState;
import io.pcmtrack.AudioStreamTrack;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes audio into a WHIP endpoint (RFC 9725): an SFU or media server such as Janus (with
 * simple-whip-server), LiveKit, mediamtx or Cloudflare.
 *
 * <pre>{@code
 * try (AudioStreamTrack track = AudioStreamTrack.create();
 *      WhipClient whip = WhipClient.publish(URI.create("https://sfu.example.org/whip/room1"), track,
 *              WhipClient.options().token(token))) {
 *     track.write(speech, true);
 *     track.playout().get();
 * }                                                   // DELETE on the session's resource
 * }</pre>
 *
 * <p>Protocol: the offer (complete SDP, CRLF line endings) is POSTed with
 * {@code Content-Type: application/sdp} exactly and {@code Authorization: Bearer} when a token is
 * set, over HTTP/1.1; 301, 302, 307 and 308 redirects are followed (the POST is repeated at the
 * new URL, at most {@link Options#maxRedirects}); the answer must come with {@code 201 Created}
 * and a {@code Location}, which is resolved against the URL that answered; the {@code ETag} is
 * kept; ICE servers in {@code Link} headers are kept and used from the next session on (the first
 * offer is already complete when they arrive). Anything else fails with a {@link WhipException}
 * naming the HTTP status and the start of the body. {@link #close()} sends {@code DELETE} to the
 * resource.
 *
 * <p>Reconnecting: if the connection FAILED, or stayed DISCONNECTED longer than
 * {@link Options#disconnectGrace}, or was closed by the far end, the session is deleted and a new
 * one set up (new POST) after a backoff ({@link Options#backoff}: doubling from the first value
 * to the second), again and again until it works or the client is closed. The audio keeps
 * pacing all the while: the track's consumer ({@link #publish}'s publisher, or whoever pushes into
 * {@link #audioPush()}) is not the session, and pushes between sessions are dropped.
 *
 * <p>Thread-safe. A background thread of its own watches the connection and reconnects.
 */
public final class WhipClient implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WhipClient.class);
    private static final AtomicInteger CLIENTS = new AtomicInteger();
    private static final int BODY_IN_MESSAGES = 200;

    private final URI endpoint;
    private final Options options;
    private final HttpClient http;
    private final SwitchingPush push = new SwitchingPush();
    private final Thread watcher;
    private final Object lock = new Object();
    private WebRtcPublisher publisher;

    // Guarded by lock.
    private Active active;
    private boolean closed;
    private boolean broken;
    private int sessions;
    private RuntimeException lastFailure;
    private List<IceServer> linkIceServers = List.of();

    /** One WHIP session: the peer connection and its HTTP resource. */
    private record Active(WebRtcSession session, URI resource, String etag) {
    }

    private WhipClient(URI endpoint, Options options) {
        this.endpoint = endpoint;
        this.options = options;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(options.requestTimeout).build();
        this.watcher = new Thread(this::watch, "pcmtrack-whip-" + CLIENTS.incrementAndGet());
        this.watcher.setDaemon(true);
    }

    /** Default options: see {@link Options}. */
    public static Options options() {
        return new Options();
    }

    /**
     * Sets up a WHIP session (POST, answer, ICE and DTLS connected) and publishes {@code track}
     * into it with a {@link WebRtcPublisher} that keeps running across reconnects until
     * {@link #close()}. The track is not stopped by closing.
     *
     * @throws WhipException              if the endpoint refused the session (its HTTP status and
     *                                    body in the message), did not answer in time, or ICE failed
     * @throws IllegalArgumentException   if the track's format cannot be pushed, or the URL is not
     *                                    http(s)
     * @throws WebRtcUnavailableException if the native library cannot be loaded
     */
    public static WhipClient publish(URI endpoint, AudioStreamTrack track, Options options) {
        Objects.requireNonNull(track, "track");
        WhipClient c = connect(endpoint, options);
        try {
            c.publisher = WebRtcPublisher.start(track, c.push,
                    track.maxCatchUp() != null ? track.maxCatchUp() : WebRtcPublisher.DEFAULT_MAX_CATCH_UP);
        } catch (RuntimeException e) {
            c.close();
            throw e;
        }
        return c;
    }

    /**
     * Sets up a WHIP session; push audio into {@link #audioPush()} yourself (e.g. through a
     * {@link WebRtcAudioSink} fed by your own pacing).
     *
     * @throws WhipException if the endpoint refused the session, did not answer in time, or ICE failed
     */
    public static WhipClient connect(URI endpoint, Options options) {
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(options, "options");
        String scheme = endpoint.getScheme() == null ? "" : endpoint.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || endpoint.getHost() == null) {
            throw new IllegalArgumentException("a WHIP endpoint must be an http:// or https:// URL, got '" + endpoint + "'");
        }
        WebRtcNative.ensureAvailable();
        WhipClient c = new WhipClient(endpoint, options.copy());
        Active first = c.establish();
        synchronized (c.lock) {
            c.active = first;
            c.push.target = first.session.audioPush();
        }
        c.watcher.start();
        return c;
    }

    /** Where the audio goes: the current session's source; pushes between sessions are dropped. */
    public AudioPush audioPush() {
        return push;
    }

    /** The endpoint this client POSTs to. */
    public URI endpoint() {
        return endpoint;
    }

    /** The current session's resource URL (absolute), or null between sessions. */
    public URI resource() {
        synchronized (lock) {
            return active == null ? null : active.resource;
        }
    }

    /** The current session's {@code ETag}, or null if the endpoint sent none or between sessions. */
    public String etag() {
        synchronized (lock) {
            return active == null ? null : active.etag;
        }
    }

    /** The ICE servers the endpoint announced in {@code Link} headers (latest response). */
    public List<IceServer> linkIceServers() {
        synchronized (lock) {
            return linkIceServers;
        }
    }

    /** The current session, or null between sessions. */
    public WebRtcSession session() {
        synchronized (lock) {
            return active == null ? null : active.session;
        }
    }

    /** Sessions set up so far: 1 plus the reconnects that succeeded. */
    public int sessions() {
        synchronized (lock) {
            return sessions;
        }
    }

    /** True while a session is up and CONNECTED. */
    public boolean isConnected() {
        WebRtcSession s = session();
        return s != null && s.isConnected();
    }

    /** The latest failure while reconnecting, or null. */
    public RuntimeException lastFailure() {
        synchronized (lock) {
            return lastFailure;
        }
    }

    /** The publisher started by {@link #publish}, or null. */
    public WebRtcPublisher publisher() {
        return publisher;
    }

    /**
     * Stops publishing, closes the session and DELETEs its resource (failures to delete are
     * logged). Idempotent.
     */
    @Override
    public void close() {
        Active a;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            a = active;
            active = null;
            lock.notifyAll();
        }
        watcher.interrupt();
        if (publisher != null) {
            publisher.close();
        }
        push.target = null;
        if (a != null) {
            end(a);
        }
        try {
            watcher.join(options.requestTimeout.toMillis() + 1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** POST, answer, connect: one session, or a WhipException with everything created undone. */
    private Active establish() {
        WebRtcSession.Options so = options.session.copy();
        List<IceServer> servers = new ArrayList<>(so.iceServers());
        synchronized (lock) {
            servers.addAll(linkIceServers);
        }
        so.iceServers(servers);
        WebRtcSession session = WebRtcSession.sending(so);
        URI resource = null;
        long start = System.nanoTime();
        try {
            String offer = session.offer();
            long offered = System.nanoTime();
            Answer answer = post(offer);
            long answered = System.nanoTime();
            resource = answer.resource;
            synchronized (lock) {
                if (!answer.iceServers.isEmpty()) {
                    linkIceServers = answer.iceServers;
                }
            }
            try {
                session.accept(answer.sdp);
            } catch (IllegalArgumentException e) {
                throw new WhipException("WHIP endpoint " + endpoint + " answered with SDP this client cannot use: "
                        + e.getMessage(), 201, answer.sdp, e);
            }
            try {
                session.awaitConnected(options.connectTimeout);
            } catch (WebRtcCallException e) {
                throw new WhipException("WHIP session at " + resource + " did not connect: ICE/DTLS "
                        + (e.getMessage().contains("FAILED") ? "failed" : "did not complete within "
                        + options.connectTimeout.toMillis() + " ms") + " (" + e.getMessage() + ")", e);
            }
            WebRtcSession watched = session;
            session.onStateChange(s -> onState(watched, s));
            synchronized (lock) {
                sessions++;
            }
            long now = System.nanoTime();
            LOG.info("WHIP session {} connected in {} ms (offer with candidates {} ms, POST {} ms, ICE and DTLS {} ms)",
                    resource, (now - start) / 1_000_000, (offered - start) / 1_000_000, (answered - offered) / 1_000_000,
                    (now - answered) / 1_000_000);
            return new Active(session, resource, answer.etag);
        } catch (RuntimeException e) {
            session.close();
            if (resource != null) {
                delete(resource);
            }
            if (e instanceof WhipException) {
                throw e;
            }
            if (e instanceof WebRtcCallException) {
                throw new WhipException("WHIP session with " + endpoint + " failed: " + e.getMessage(), e);
            }
            throw e;
        }
    }

    /** The 201's content. */
    private record Answer(String sdp, URI resource, String etag, List<IceServer> iceServers) {
    }

    private Answer post(String offer) {
        URI uri = endpoint;
        for (int hop = 0; ; hop++) {
            HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(options.requestTimeout)
                    .header("Content-Type", "application/sdp")
                    .POST(HttpRequest.BodyPublishers.ofString(offer));
            authorize(b);
            HttpResponse<String> r = send(b.build(), "POST the offer to");
            int status = r.statusCode();
            if (status == 201) {
                return answer(uri, r);
            }
            Optional<String> location = r.headers().firstValue("Location");
            if ((status == 301 || status == 302 || status == 307 || status == 308) && location.isPresent()) {
                if (hop >= options.maxRedirects) {
                    throw new WhipException("WHIP endpoint " + endpoint + " redirected more than " + options.maxRedirects
                            + " times (last: HTTP " + status + " to " + location.get() + ")", status, r.body(), null);
                }
                URI next = resolve(uri, location.get(), status, r);
                LOG.debug("WHIP endpoint {} redirects with HTTP {} to {}", uri, status, next);
                uri = next;
                continue;
            }
            throw new WhipException("WHIP endpoint " + uri + " refused the offer: HTTP " + status + reason(status)
                    + bodyForMessage(r.body()), status, r.body(), null);
        }
    }

    private Answer answer(URI uri, HttpResponse<String> r) {
        String location = r.headers().firstValue("Location").orElse(null);
        if (location == null || location.isBlank()) {
            throw new WhipException("WHIP endpoint " + uri + " answered 201 Created without a Location header", 201,
                    r.body(), null);
        }
        URI resource = resolve(uri, location, 201, r);
        String type = r.headers().firstValue("Content-Type").orElse("");
        if (!type.toLowerCase(Locale.ROOT).startsWith("application/sdp")) {
            delete(resource);
            throw new WhipException("WHIP endpoint " + uri + " answered 201 with Content-Type '" + type
                    + "', expected application/sdp" + bodyForMessage(r.body()), 201, r.body(), null);
        }
        if (r.body() == null || r.body().isBlank()) {
            delete(resource);
            throw new WhipException("WHIP endpoint " + uri + " answered 201 with an empty body, expected an SDP answer",
                    201, r.body(), null);
        }
        String etag = r.headers().firstValue("ETag").orElse(null);
        return new Answer(r.body(), resource, etag, LinkHeaders.iceServers(r.headers().allValues("Link")));
    }

    private URI resolve(URI base, String location, int status, HttpResponse<String> r) {
        try {
            return base.resolve(location.trim());
        } catch (IllegalArgumentException e) {
            throw new WhipException("WHIP endpoint " + base + " answered HTTP " + status + " with a malformed Location '"
                    + location + "'", status, r.body(), e);
        }
    }

    /** DELETE on a resource; failures are logged, never thrown (the session is over either way). */
    private void delete(URI resource) {
        HttpRequest.Builder b = HttpRequest.newBuilder(resource).timeout(options.requestTimeout).DELETE();
        authorize(b);
        try {
            HttpResponse<String> r = send(b.build(), "DELETE");
            int s = r.statusCode();
            if (s / 100 == 2) {
                LOG.debug("WHIP resource {} deleted (HTTP {})", resource, s);
            } else {
                LOG.warn("WHIP resource {}: DELETE answered HTTP {}{}", resource, s, bodyForMessage(r.body()));
            }
        } catch (WhipException e) {
            LOG.warn("WHIP resource {}: {}", resource, e.getMessage());
        }
    }

    private void authorize(HttpRequest.Builder b) {
        if (options.token != null) {
            b.header("Authorization", "Bearer " + options.token);
        }
    }

    private HttpResponse<String> send(HttpRequest request, String what) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (HttpTimeoutException e) {
            throw new WhipException("WHIP endpoint did not answer the " + request.method() + " to " + request.uri()
                    + " within " + options.requestTimeout.toMillis() + " ms", e);
        } catch (IOException e) {
            throw new WhipException("could not " + what + " " + request.uri() + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new WhipException("interrupted while trying to " + what + " " + request.uri(), e);
        }
    }

    private static String reason(int status) {
        return switch (status) {
            case 400 -> " Bad Request";
            case 401 -> " Unauthorized";
            case 403 -> " Forbidden";
            case 404 -> " Not Found";
            case 405 -> " Method Not Allowed";
            case 406 -> " Not Acceptable";
            case 409 -> " Conflict";
            case 415 -> " Unsupported Media Type";
            case 422 -> " Unprocessable Content";
            case 429 -> " Too Many Requests";
            case 500 -> " Internal Server Error";
            case 502 -> " Bad Gateway";
            case 503 -> " Service Unavailable";
            default -> "";
        };
    }

    private static String bodyForMessage(String body) {
        if (body == null || body.isBlank()) {
            return "";
        }
        String one = body.strip().replaceAll("\\s+", " ");
        return ": " + (one.length() <= BODY_IN_MESSAGES ? one : one.substring(0, BODY_IN_MESSAGES) + "...");
    }

    /** On a session's Java thread: a failed or lost connection wakes the watcher. */
    private void onState(WebRtcSession session, RTCPeerConnectionState s) {
        synchronized (lock) {
            if (closed || active == null || active.session != session) {
                return;
            }
            if (s == RTCPeerConnectionState.FAILED || s == RTCPeerConnectionState.CLOSED) {
                LOG.warn("WHIP session {}: connection {}; reconnecting", active.resource, s);
                broken = true;
                lock.notifyAll();
            } else if (s == RTCPeerConnectionState.DISCONNECTED || s == RTCPeerConnectionState.CONNECTED) {
                lock.notifyAll(); // the watcher times DISCONNECTED
            }
        }
    }

    /** The watcher thread: waits for a broken session, then replaces it, with backoff. */
    private void watch() {
        try {
            while (true) {
                Active old;
                synchronized (lock) {
                    long disconnectedSince = 0;
                    while (!closed && !broken) {
                        WebRtcSession s = active == null ? null : active.session;
                        if (s != null && s.connectionState() == RTCPeerConnectionState.DISCONNECTED) {
                            long now = System.nanoTime();
                            if (disconnectedSince == 0) {
                                disconnectedSince = now;
                            }
                            long left = disconnectedSince + options.disconnectGrace.toNanos() - now;
                            if (left <= 0) {
                                LOG.warn("WHIP session {}: DISCONNECTED for {} ms; reconnecting", active.resource,
                                        options.disconnectGrace.toMillis());
                                broken = true;
                                break;
                            }
                            lock.wait(Math.max(1, left / 1_000_000));
                        } else {
                            disconnectedSince = 0;
                            lock.wait(1000);
                        }
                    }
                    if (closed) {
                        return;
                    }
                    broken = false;
                    old = active;
                    active = null;
                    push.target = null;
                }
                if (old != null) {
                    end(old);
                }
                reconnect();
            }
        } catch (InterruptedException e) {
            // closed
        }
    }

    private void reconnect() throws InterruptedException {
        long backoff = options.backoffFirst.toNanos();
        while (true) {
            synchronized (lock) {
                long until = System.nanoTime() + backoff;
                long left;
                while (!closed && (left = until - System.nanoTime()) > 0) {
                    lock.wait(Math.max(1, left / 1_000_000));
                }
                if (closed) {
                    return;
                }
            }
            try {
                Active a = establish();
                synchronized (lock) {
                    if (closed) {
                        end(a);
                        return;
                    }
                    active = a;
                    push.target = a.session.audioPush();
                    LOG.info("WHIP reconnected: session {} ({} so far)", a.resource, sessions);
                }
                return;
            } catch (WhipException | WebRtcCallException e) {
                synchronized (lock) {
                    lastFailure = e;
                }
                LOG.warn("WHIP reconnect to {} failed, next try in {} ms: {}", endpoint, backoff * 2 / 1_000_000,
                        e.getMessage());
                backoff = Math.min(backoff * 2, options.backoffMax.toNanos());
            }
        }
    }

    /**
     * DELETE first, then close: an endpoint that sees the connection go away first may tear the
     * session down itself and answer the DELETE with 404 (simple-whip-server does).
     */
    private void end(Active a) {
        delete(a.resource);
        a.session.close();
    }

    /** Forwards to the current session's guarded push; drops while there is none. */
    private static final class SwitchingPush implements AudioPush {
        volatile AudioPush target;

        @Override
        public void push(byte[] data, int bitsPerSample, int sampleRate, int channels, int frames) {
            AudioPush t = target;
            if (t != null) {
                t.push(data, bitsPerSample, sampleRate, channels, frames);
            }
        }
    }

    /** How a {@link WhipClient} connects; every setter validates at once. */
    public static final class Options {
        private String token;
        private Duration requestTimeout = Duration.ofSeconds(10);
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration disconnectGrace = Duration.ofSeconds(5);
        private Duration backoffFirst = Duration.ofMillis(500);
        private Duration backoffMax = Duration.ofSeconds(10);
        private int maxRedirects = 5;
        private WebRtcSession.Options session = WebRtcSession.options();

        private Options() {
        }

        /** Bearer token sent as {@code Authorization: Bearer TOKEN} with every request; default none. */
        public Options token(String token) {
            if (token != null && (token.isBlank() || token.chars().anyMatch(c -> c < 0x21 || c > 0x7e))) {
                throw new IllegalArgumentException("a bearer token must be visible ASCII without spaces, got a "
                        + token.length() + "-character value that is not");
            }
            this.token = token;
            return this;
        }

        /** Longest wait for each HTTP request (and for the TCP connection); &gt; 0, default 10 s. */
        public Options requestTimeout(Duration d) {
            this.requestTimeout = positive(d, "requestTimeout");
            return this;
        }

        /** Longest wait from the answer to CONNECTED (ICE and DTLS); &gt; 0, default 10 s. */
        public Options connectTimeout(Duration d) {
            this.connectTimeout = positive(d, "connectTimeout");
            return this;
        }

        /** How long a DISCONNECTED connection may take to come back before a new session; &gt; 0, default 5 s. */
        public Options disconnectGrace(Duration d) {
            this.disconnectGrace = positive(d, "disconnectGrace");
            return this;
        }

        /** Wait before the first reconnect, doubled after each failure up to {@code max}; default 0.5 s and 10 s. */
        public Options backoff(Duration first, Duration max) {
            positive(first, "backoff first");
            positive(max, "backoff max");
            if (max.compareTo(first) < 0) {
                throw new IllegalArgumentException("backoff max must be >= first, got " + first + " and " + max);
            }
            this.backoffFirst = first;
            this.backoffMax = max;
            return this;
        }

        /** Most redirects followed for one POST; 0..20, default 5. */
        public Options maxRedirects(int n) {
            if (n < 0 || n > 20) {
                throw new IllegalArgumentException("maxRedirects must be 0..20, got " + n);
            }
            this.maxRedirects = n;
            return this;
        }

        /** The peer connection's options: candidate policy, ICE servers, track id, ...; trickle is not used. */
        public Options session(WebRtcSession.Options o) {
            Objects.requireNonNull(o, "session options");
            if (o.trickle()) {
                throw new IllegalArgumentException("this WHIP client sends complete offers: session options must not trickle");
            }
            this.session = o.copy();
            return this;
        }

        /** Shortcut for {@code session(session-options with candidates(policy))}. */
        public Options candidates(CandidatePolicy policy) {
            this.session = session.copy().candidates(policy);
            return this;
        }

        public Duration requestTimeout() {
            return requestTimeout;
        }

        public Duration connectTimeout() {
            return connectTimeout;
        }

        Options copy() {
            Options o = new Options();
            o.token = token;
            o.requestTimeout = requestTimeout;
            o.connectTimeout = connectTimeout;
            o.disconnectGrace = disconnectGrace;
            o.backoffFirst = backoffFirst;
            o.backoffMax = backoffMax;
            o.maxRedirects = maxRedirects;
            o.session = session.copy();
            return o;
        }

        private static Duration positive(Duration d, String name) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + " must be > 0, got " + d);
            }
            return d;
        }
    }
}
