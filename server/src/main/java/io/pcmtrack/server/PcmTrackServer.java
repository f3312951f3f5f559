package io.pcmtrack.server;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.pcmtrack.AudioStreamTrack;
import io.pcmtrack.FrameScheduler;
import io.pcmtrack.MediaClock;
import io.pcmtrack.SchedulerStats;
import io.pcmtrack.agent.AgentOptions;
import io.pcmtrack.webrtc.CandidatePolicy;
import io.pcmtrack.webrtc.WebRtcAudioReceiver;
import io.pcmtrack.webrtc.WebRtcCallException;
import io.pcmtrack.webrtc.WebRtcSession;
import io.pcmtrack.webrtc.WebRtcUnavailableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An HTTP server that serves pcmtrack tracks to WebRTC clients over WHEP
 * (draft-ietf-wish-whep) and takes their audio over WHIP (RFC 9725).
 *
 * <pre>{@code
 * AudioStreamTrack tone = AudioStreamTrack.create();
 * try (PcmTrackServer server = PcmTrackServer.builder()
 *         .track("tone", tone)                            // POST /whep/tone
 *         .whip(p -> stt.consume(p.receiver()))           // POST /whip/NAME
 *         .token("s3cret")                                // Authorization: Bearer s3cret
 *         .build().start()) {
 *     tone.write(speech);                                 // every listener hears it
 * }                                                       // every session ended, all memory freed
 * }</pre>
 *
 * <p><b>WHEP.</b> {@code POST /whep/NAME} with an SDP offer ({@code application/sdp}) that
 * receives audio gets {@code 201 Created}, the complete answer (no trickle) and a
 * {@code Location}; {@code DELETE} on that location ends the session. Each track is attached once
 * to the server's {@link FrameScheduler} (a track has one consumer); its frames are encoded once
 * and pushed to every listener's audio source, so a track with a thousand listeners is paced once.
 * Listeners join the live stream: a track plays on whether anyone listens or not.
 *
 * <p><b>WHIP.</b> {@code POST /whip/NAME} with an offer that sends audio gets the same; the audio
 * goes into a {@link WebRtcAudioReceiver} handed to the {@link WhipHandler}.
 *
 * <p><b>Rules.</b> With a token, every request but a CORS preflight needs
 * {@code Authorization: Bearer TOKEN} (401 otherwise). Bodies larger than
 * {@link Builder#maxBodyBytes} get 413, a wrong content type 415, a bad offer 400 with the reason,
 * an unknown track or session 404, a full server 503. A session whose peer is not connected for
 * {@link Builder#idleTimeout} is ended as if deleted. Other origins may call the endpoints only if
 * {@link Builder#allowOrigin allowed}. {@code GET /} is a page that plays the tracks and publishes
 * a microphone; {@code GET /tracks} lists the tracks as JSON.
 *
 * <p><b>Voice agent.</b> With {@link Builder#agent}, {@code POST /agent} opens a conversation with a
 * {@link io.pcmtrack.agent.ParrotAgent} of its own: the page publishes its microphone to
 * {@code POST /agent/ID/whip} and plays the agent's voice from {@code POST /agent/ID/whep};
 * {@code GET /agent/ID} is its timeline as JSON, {@code DELETE /agent/ID} ends it. {@code GET /}
 * is then the agent's page (the tracks page moves to {@code /tracks.html}).
 *
 * <p>Thread-safe. {@link #close()} ends every session, stops the HTTP server, detaches the tracks
 * (it does not stop them: they are the application's) and stops the scheduler.
 */
public final class PcmTrackServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PcmTrackServer.class);
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    private static final Pattern ID = Pattern.compile("[0-9a-f]{32}");
    private static final String SDP = "application/sdp";
    private static final AtomicInteger HANDLER_THREADS = new AtomicInteger();

    private final Builder config;
    private final Map<String, LiveTrack> tracks = new LinkedHashMap<>();
    private final SessionTable sessions;
    private final FrameScheduler scheduler;
    private final ExecutorService handlers;
    private final SecureRandom random = new SecureRandom();
    private final byte[] expectedAuthorization;
    private final byte[] page;
    private final byte[] tracksPage;
    private final AgentSessions agents;
    private final PhoneAgents phones;
    private volatile Javalin http;
    private boolean started;
    private boolean closed;

    private PcmTrackServer(Builder b) {
        this.config = b;
        this.expectedAuthorization = b.token == null ? null : ("Bearer " + b.token).getBytes(StandardCharsets.UTF_8);
        this.tracksPage = loadPage("index.html");
        this.page = b.agent == null ? tracksPage : loadPage("agent.html");
        this.agents = b.agent == null ? null : new AgentSessions(b.maxAgentSessions, b.maxAgentSessionsPerClient, b.idleTimeout);
        for (Map.Entry<String, AudioStreamTrack> e : b.tracks.entrySet()) {
            tracks.put(e.getKey(), new LiveTrack(e.getKey(), e.getValue()));
        }
        this.sessions = new SessionTable(b.maxSessions, b.idleTimeout);
        this.scheduler = new FrameScheduler(MediaClock.system());
        this.phones = b.twilio ? new PhoneAgents(scheduler, b.agent, b.token) : null;
        this.handlers = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "pcmtrack-whip-handler-" + HANDLER_THREADS.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** Defaults: 127.0.0.1:8080, no token, no other origins, 64 KiB bodies, 100 sessions, 30 s idle. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Starts pacing the tracks and binds the HTTP server.
     *
     * @throws IllegalStateException if it was started or closed already
     * @throws ServerStartException  if the address cannot be bound (the message names it)
     */
    public synchronized PcmTrackServer start() {
        if (started || closed) {
            throw new IllegalStateException("server was already " + (closed ? "closed" : "started"));
        }
        started = true;
        for (LiveTrack t : tracks.values()) {
            t.attach(scheduler);
        }
        try {
            http = Javalin.create(c -> {
                c.startup.showJavalinBanner = false;
                c.startup.showOldJavalinVersionWarning = false;
                c.jetty.host = config.host;
                c.jetty.port = config.port;
                c.http.maxRequestSize = config.maxBodyBytes;
                c.routes.exception(HttpError.class, (e, ctx) -> error(ctx, e.status, e.getMessage()));
                c.routes.exception(WebRtcUnavailableException.class, (e, ctx) -> error(ctx, 503, e.getMessage()));
                c.routes.exception(WebRtcCallException.class, (e, ctx) -> error(ctx, 500, "WebRTC failed: " + e.getMessage()));
                c.routes.before(this::corsAndAuth);
                c.routes.get("/", ctx -> ctx.contentType("text/html; charset=utf-8").result(page));
                c.routes.get("/tracks.html", ctx -> ctx.contentType("text/html; charset=utf-8").result(tracksPage));
                c.routes.get("/tracks", ctx -> ctx.contentType("application/json").result(tracksJson()));
                if (phones != null) {
                    phones.mount(c);
                }
                if (agents != null) {
                    c.routes.post("/agent", this::postAgent);
                    c.routes.get("/agent/{id}", ctx -> json(ctx, 200, agentSession(ctx).state(since(ctx))));
                    c.routes.delete("/agent/{id}", this::deleteAgent);
                    c.routes.post("/agent/{id}/whep", ctx -> {
                        AgentSession a = agentSession(ctx);
                        String offer = readOffer(ctx);
                        agentCreated(ctx, a, "whep", a.openVoice(offer, sessionOptions(), scheduler));
                    });
                    c.routes.post("/agent/{id}/whip", ctx -> {
                        AgentSession a = agentSession(ctx);
                        String offer = readOffer(ctx);
                        agentCreated(ctx, a, "whip", a.openMicrophone(offer, sessionOptions().receiver(config.whipReceiver)));
                    });
                    for (String leg : List.of("whep", "whip")) {
                        // A WHEP or WHIP client ends its leg with DELETE on its Location: that ends the conversation.
                        c.routes.delete("/agent/{id}/" + leg, this::deleteAgent);
                        c.routes.patch("/agent/{id}/" + leg, ctx -> {
                            agentSession(ctx);
                            ctx.header("Allow", "DELETE");
                            throw new HttpError(405, "this server does not support trickle ICE or ICE restarts: the answer was complete");
                        });
                    }
                }
                c.routes.post("/whep/{name}", this::postWhep);
                c.routes.post("/whip/{name}", this::postWhip);
                for (String protocol : List.of("whep", "whip")) {
                    c.routes.delete("/" + protocol + "/{name}/{id}", ctx -> delete(ctx, protocol));
                    c.routes.patch("/" + protocol + "/{name}/{id}", ctx -> patch(ctx, protocol));
                }
            }).start();
        } catch (RuntimeException e) {
            close();
            throw new ServerStartException("cannot serve on " + config.host + ":" + config.port + ": " + rootMessage(e), e);
        }
        LOG.debug("serving on {} ({} tracks, WHIP {})", url(), tracks.size(), config.whipHandler == null ? "off" : "on");
        if (config.token == null && !Builder.isLoopback(config.host)) {
            LOG.warn("serving on {} without a token: anyone who can reach port {} can open sessions, listen and publish;"
                    + " set token(...), or authenticate in a proxy in front", config.host, port());
        }
        return this;
    }

    /**
     * The bound port (the real one when built with port 0).
     *
     * @throws IllegalStateException if the server was not started
     */
    public int port() {
        Javalin h = http;
        if (h == null) {
            throw new IllegalStateException("the server is not started");
        }
        return h.port();
    }

    /** {@code http://HOST:PORT}. */
    public String url() {
        String host = config.host.contains(":") ? "[" + config.host + "]" : config.host;
        return "http://" + host + ":" + port();
    }

    /** Sessions open now, WHEP and WHIP. */
    public int sessions() {
        return sessions.size();
    }

    /**
     * Listeners of the named track now.
     *
     * @throws IllegalArgumentException if there is no such track
     */
    public int listeners(String track) {
        LiveTrack t = tracks.get(track);
        if (t == null) {
            throw new IllegalArgumentException("no track named '" + track + "'; tracks: " + tracks.keySet());
        }
        return t.listeners();
    }

    /** Phone calls to the agent going on now at {@code /twilio} (0 without {@link Builder#twilio}). */
    public int phoneCalls() {
        return phones == null ? 0 : phones.calls();
    }

    /** Voice-agent conversations open now (0 without {@link Builder#agent}). */
    public int agentSessions() {
        return agents == null ? 0 : agents.size();
    }

    /** The pacing of all tracks: frames delivered, lateness percentiles. */
    public SchedulerStats schedulerStats() {
        return scheduler.stats();
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        sessions.close();
        if (agents != null) {
            agents.close();
        }
        if (phones != null) {
            phones.close();
        }
        if (http != null) {
            http.stop();
        }
        for (LiveTrack t : tracks.values()) {
            t.close();
        }
        scheduler.close();
        handlers.shutdown();
    }

    // ---- HTTP ----

    private void corsAndAuth(Context ctx) {
        String origin = ctx.header("Origin");
        boolean crossOrigin = origin != null && config.allowsOrigin(origin);
        if (crossOrigin) {
            ctx.header("Access-Control-Allow-Origin", config.origins.contains("*") ? "*" : origin);
            ctx.header("Access-Control-Expose-Headers", "Location, ETag, Link");
            ctx.header("Vary", "Origin");
        }
        if (ctx.method().name().equals("OPTIONS")) {
            // Preflights carry no credentials by design; they learn only which methods exist.
            ctx.header("Allow", "GET, POST, DELETE, PATCH, OPTIONS");
            if (crossOrigin) {
                ctx.header("Access-Control-Allow-Methods", "GET, POST, DELETE, PATCH, OPTIONS");
                ctx.header("Access-Control-Allow-Headers", "Authorization, Content-Type, If-Match");
                ctx.header("Access-Control-Max-Age", "600");
            }
            ctx.status(204);
            ctx.skipRemainingHandlers();
            return;
        }
        if (expectedAuthorization != null && !(phones != null && ctx.path().equals("/twilio"))) {
            // Twilio sends no Authorization header: /twilio checks the token in its stream's parameters.
            String given = ctx.header("Authorization");
            byte[] g = given == null ? new byte[0] : given.getBytes(StandardCharsets.UTF_8);
            if (!MessageDigest.isEqual(g, expectedAuthorization)) {
                ctx.header("WWW-Authenticate", "Bearer realm=\"pcmtrack\"");
                throw new HttpError(401, given == null ? "this server needs Authorization: Bearer TOKEN"
                        : "the bearer token is wrong");
            }
        }
    }

    private void postWhep(Context ctx) throws IOException {
        String name = ctx.pathParam("name");
        LiveTrack live = tracks.get(name);
        if (live == null) {
            throw HttpError.notFound("no track named '" + name + "'; tracks: " + String.join(", ", tracks.keySet()));
        }
        String offer = readOffer(ctx);
        sessions.reserve();
        WhepSession s;
        try {
            s = WhepSession.open(live, newId(), offer, sessionOptions());
        } catch (IllegalArgumentException e) {
            sessions.release();
            throw HttpError.badRequest(e.getMessage());
        } catch (RuntimeException | Error e) {
            sessions.release();
            throw e;
        }
        sessions.add(s);
        LOG.debug("{} opened; track {} has {} listeners", s, name, live.listeners());
        created(ctx, s, s.answer());
    }

    private void postWhip(Context ctx) throws IOException {
        WhipHandler handler = config.whipHandler;
        if (handler == null) {
            throw HttpError.notFound("this server takes no WHIP publications");
        }
        String name = ctx.pathParam("name");
        if (!NAME.matcher(name).matches()) {
            throw HttpError.badRequest("a publication name is 1..64 of A-Z a-z 0-9 . _ -, got '" + name + "'");
        }
        String offer = readOffer(ctx);
        sessions.reserve();
        WhipSession s;
        try {
            s = WhipSession.open(name, newId(), offer, sessionOptions().receiver(config.whipReceiver));
        } catch (IllegalArgumentException e) {
            sessions.release();
            throw HttpError.badRequest(e.getMessage());
        } catch (RuntimeException | Error e) {
            sessions.release();
            throw e;
        }
        sessions.add(s);
        created(ctx, s, s.answer());
        WhipPublication p = s.publication();
        handlers.execute(() -> {
            try {
                handler.onPublish(p);
            } catch (Exception | Error e) {
                LOG.warn("the WHIP handler failed for {}", p, e);
            }
        });
    }

    private void postAgent(Context ctx) {
        String client = ctx.ip();
        AgentSession a = agents.open(client, () -> new AgentSession(newId(), client, config.agent));
        LOG.debug("{} opened", a);
        ctx.header("Location", a.location());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", a.id);
        body.put("location", a.location());
        body.put("whep", a.location() + "/whep");
        body.put("whip", a.location() + "/whip");
        json(ctx, 201, body);
    }

    private void deleteAgent(Context ctx) {
        AgentSession a = agentSession(ctx);
        agents.end(a.id);
        LOG.debug("{} deleted", a);
        ctx.status(200);
    }

    private AgentSession agentSession(Context ctx) {
        String id = ctx.pathParam("id");
        AgentSession a = ID.matcher(id).matches() ? agents.get(id) : null;
        if (a == null) {
            throw HttpError.notFound("no agent session at " + ctx.path());
        }
        return a;
    }

    private static long since(Context ctx) {
        String s = ctx.queryParam("since");
        if (s == null) {
            return 0;
        }
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw HttpError.badRequest("since must be an event number (0, 1, ...), got '" + s + "'");
        }
    }

    private void agentCreated(Context ctx, AgentSession a, String leg, String answer) {
        ctx.status(201);
        ctx.header("Location", a.location() + "/" + leg);
        ctx.header("ETag", "\"" + a.id + "-" + leg + "\"");
        ctx.contentType(SDP);
        ctx.result(answer);
    }

    private static void json(Context ctx, int status, Object body) {
        ctx.status(status).contentType("application/json").result(Json.write(body));
    }

    private void created(Context ctx, Session s, String answer) {
        ctx.status(201);
        ctx.header("Location", s.location());
        ctx.header("ETag", "\"" + s.id + "\"");
        ctx.contentType(SDP);
        ctx.result(answer);
    }

    private void delete(Context ctx, String protocol) {
        Session s = session(ctx, protocol);
        sessions.end(s.id);
        LOG.debug("{} deleted", s);
        ctx.status(200);
    }

    private void patch(Context ctx, String protocol) {
        session(ctx, protocol);
        // RFC 9725 4.3.1: a server without trickle ICE or ICE restarts answers PATCH with 405.
        ctx.header("Allow", "DELETE");
        throw new HttpError(405, "this server does not support trickle ICE or ICE restarts: the answer was complete");
    }

    private Session session(Context ctx, String protocol) {
        String id = ctx.pathParam("id");
        Session s = ID.matcher(id).matches() ? sessions.get(id) : null;
        if (s == null || !s.protocol.equals(protocol) || !s.name.equals(ctx.pathParam("name"))) {
            throw HttpError.notFound("no " + protocol.toUpperCase(java.util.Locale.ROOT) + " session at " + ctx.path());
        }
        return s;
    }

    private String readOffer(Context ctx) throws IOException {
        String type = ctx.contentType();
        String mediaType = type == null ? "" : type.split(";")[0].trim();
        if (!mediaType.equalsIgnoreCase(SDP)) {
            throw new HttpError(415, "the body must be application/sdp, got " + (type == null ? "no Content-Type" : type));
        }
        long declared = ctx.req().getContentLengthLong();
        if (declared > config.maxBodyBytes) {
            throw new HttpError(413, "the offer is " + declared + " bytes; at most " + config.maxBodyBytes + " are taken");
        }
        byte[] body;
        try (InputStream in = ctx.bodyInputStream()) {
            body = in.readNBytes(config.maxBodyBytes + 1);
        }
        if (body.length > config.maxBodyBytes) {
            throw new HttpError(413, "the offer is larger than " + config.maxBodyBytes + " bytes");
        }
        return new String(body, StandardCharsets.UTF_8);
    }

    private WebRtcSession.Options sessionOptions() {
        Duration gather = config.setupTimeout.compareTo(Duration.ofSeconds(5)) < 0 ? config.setupTimeout : Duration.ofSeconds(5);
        return WebRtcSession.options().candidates(config.candidates)
                .negotiationTimeout(config.setupTimeout).gatherTimeout(gather);
    }

    private String newId() {
        byte[] b = new byte[16];
        random.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    private String tracksJson() {
        StringBuilder sb = new StringBuilder("{\"tracks\":[");
        int i = 0;
        for (LiveTrack t : tracks.values()) {
            sb.append(i++ == 0 ? "" : ",").append("{\"name\":\"").append(t.name).append("\",\"listeners\":")
                    .append(t.listeners()).append(",\"sampleRate\":").append(t.track.format().sampleRate())
                    .append(",\"channels\":").append(t.track.format().channels()).append('}');
        }
        return sb.append("],\"whip\":").append(config.whipHandler != null).append('}').toString();
    }

    private static void error(Context ctx, int status, String message) {
        ctx.status(status).contentType("text/plain; charset=utf-8").result(message + "\n");
    }

    private static byte[] loadPage(String name) {
        try (InputStream in = PcmTrackServer.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException(name + " is missing from the server's jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + name + " from the server's jar", e);
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.toString() : t.getMessage();
    }

    /** How to build a {@link PcmTrackServer}; every setter validates at once, naming the bad value. */
    public static final class Builder {
        private String host = "127.0.0.1";
        private int port = 8080;
        private String token;
        private final Set<String> origins = new LinkedHashSet<>();
        private int maxBodyBytes = 64 * 1024;
        private int maxSessions = 100;
        private Duration idleTimeout = Duration.ofSeconds(30);
        private Duration setupTimeout = Duration.ofSeconds(10);
        private CandidatePolicy candidates;
        private final Map<String, AudioStreamTrack> tracks = new LinkedHashMap<>();
        private WhipHandler whipHandler;
        private WebRtcAudioReceiver.Options whipReceiver = WebRtcAudioReceiver.options();
        private AgentOptions agent;
        private int maxAgentSessions = 20;
        private int maxAgentSessionsPerClient = 3;
        private boolean twilio;

        private Builder() {
        }

        /** Address to bind; default 127.0.0.1 (this machine only). */
        public Builder host(String h) {
            if (h == null || h.isBlank()) {
                throw new IllegalArgumentException("host must not be blank, got '" + h + "'");
            }
            this.host = h;
            return this;
        }

        /** Port to bind, 0..65535 (0: any free port, see {@link #port()}); default 8080. */
        public Builder port(int p) {
            if (p < 0 || p > 65535) {
                throw new IllegalArgumentException("port must be 0..65535, got " + p);
            }
            this.port = p;
            return this;
        }

        /** Bearer token every request must carry; null for none (the default). */
        public Builder token(String t) {
            if (t != null && (t.isEmpty() || !t.chars().allMatch(c -> c > 32 && c < 127))) {
                throw new IllegalArgumentException("token must be visible ASCII without spaces, got "
                        + t.length() + " characters that are not");
            }
            this.token = t;
            return this;
        }

        /** A page origin such as {@code https://app.example} allowed to call the endpoints (CORS), or {@code *}. */
        public Builder allowOrigin(String origin) {
            if (origin == null || !(origin.equals("*") || origin.matches("https?://[^/\\s]+"))) {
                throw new IllegalArgumentException("origin must be * or scheme://host[:port], got '" + origin + "'");
            }
            origins.add(origin);
            return this;
        }

        /** Largest request body (an SDP offer), 1 KiB..1 MiB; default 64 KiB. Larger ones get 413. */
        public Builder maxBodyBytes(int n) {
            if (n < 1024 || n > 1024 * 1024) {
                throw new IllegalArgumentException("maxBodyBytes must be 1024..1048576, got " + n);
            }
            this.maxBodyBytes = n;
            return this;
        }

        /** Most sessions (WHEP and WHIP) open at once, &gt; 0; default 100. More get 503. */
        public Builder maxSessions(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("maxSessions must be > 0, got " + n);
            }
            this.maxSessions = n;
            return this;
        }

        /** A session not connected for this long is ended, &gt;= 100 ms; default 30 s. */
        public Builder idleTimeout(Duration d) {
            if (d == null || d.toMillis() < 100) {
                throw new IllegalArgumentException("idleTimeout must be >= 100 ms, got " + d);
            }
            this.idleTimeout = d;
            return this;
        }

        /** Longest time to answer an offer (gathering included), &gt; 0; default 10 s. */
        public Builder setupTimeout(Duration d) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("setupTimeout must be > 0, got " + d);
            }
            this.setupTimeout = d;
            return this;
        }

        /**
         * Which ICE candidates to offer: default {@link CandidatePolicy#LOOPBACK} when the host is a
         * loopback address (media then never leaves the machine), else {@link CandidatePolicy#HOST}.
         */
        public Builder candidates(CandidatePolicy p) {
            this.candidates = Objects.requireNonNull(p, "candidates");
            return this;
        }

        /**
         * Serves {@code track} at {@code /whep/NAME}. The server attaches it to its scheduler when
         * started (the track must have no other consumer) and detaches it when closed.
         *
         * @throws IllegalArgumentException if the name is not 1..64 of {@code A-Z a-z 0-9 . _ -},
         *         is taken, or the track's format cannot be sent over WebRTC
         */
        public Builder track(String name, AudioStreamTrack track) {
            Objects.requireNonNull(track, "track");
            if (name == null || !NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("a track name is 1..64 of A-Z a-z 0-9 . _ -, got '" + name + "'");
            }
            if (tracks.containsKey(name)) {
                throw new IllegalArgumentException("a track named '" + name + "' is already served");
            }
            if (tracks.containsValue(track)) {
                throw new IllegalArgumentException("track " + track.id() + " is already served under another name");
            }
            new LiveTrack(name, track); // validates the format now
            tracks.put(name, track);
            return this;
        }

        /** Takes WHIP publications at {@code /whip/NAME} and hands each to {@code handler}; off by default. */
        public Builder whip(WhipHandler handler) {
            this.whipHandler = Objects.requireNonNull(handler, "handler");
            return this;
        }

        /** Format and buffer of the receivers handed to the WHIP handler; default 48 kHz mono S16, 10 s. */
        public Builder whipReceiver(WebRtcAudioReceiver.Options options) {
            this.whipReceiver = copyOf(Objects.requireNonNull(options, "options"));
            return this;
        }

        /**
         * Runs a voice agent ({@link io.pcmtrack.agent.ParrotAgent} with these options) per
         * conversation at {@code /agent}, and serves its page at {@code /}; off by default.
         */
        public Builder agent(AgentOptions options) {
            this.agent = Objects.requireNonNull(options, "options");
            return this;
        }

        /**
         * Answers phone calls with the agent too: Twilio Media Streams
         * ({@code <Connect><Stream url="wss://HOST/twilio"/>}) at {@code /twilio}, each call a
         * {@link io.pcmtrack.agent.ParrotAgent} speaking into the call's track. With a token, the
         * stream must carry it as a custom parameter named {@code token} (Twilio sends no headers).
         * Needs {@link #agent}.
         */
        public Builder twilio() {
            this.twilio = true;
            return this;
        }

        /** Most agent conversations at once, &gt; 0; default 20. More get 503. Each has two peer connections. */
        public Builder maxAgentSessions(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("maxAgentSessions must be > 0, got " + n);
            }
            this.maxAgentSessions = n;
            return this;
        }

        /** Most agent conversations one client address has at once, &gt; 0; default 3. More get 429. */
        public Builder maxAgentSessionsPerClient(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("maxAgentSessionsPerClient must be > 0, got " + n);
            }
            this.maxAgentSessionsPerClient = n;
            return this;
        }

        /**
         * The server, not yet started.
         *
         * @throws IllegalArgumentException if the host is not a known address
         */
        public PcmTrackServer build() {
            if (twilio && agent == null) {
                throw new IllegalStateException("twilio() answers calls with the agent: set agent(options) too");
            }
            if (candidates == null) {
                candidates = isLoopback(host) ? CandidatePolicy.LOOPBACK : CandidatePolicy.HOST;
            }
            return new PcmTrackServer(copy());
        }

        /** The server keeps its own copy: changing this builder later changes nothing. */
        private Builder copy() {
            Builder b = new Builder();
            b.host = host;
            b.port = port;
            b.token = token;
            b.origins.addAll(origins);
            b.maxBodyBytes = maxBodyBytes;
            b.maxSessions = maxSessions;
            b.idleTimeout = idleTimeout;
            b.setupTimeout = setupTimeout;
            b.candidates = candidates;
            b.tracks.putAll(tracks);
            b.whipHandler = whipHandler;
            b.whipReceiver = copyOf(whipReceiver);
            b.agent = agent;
            b.maxAgentSessions = maxAgentSessions;
            b.maxAgentSessionsPerClient = maxAgentSessionsPerClient;
            b.twilio = twilio;
            return b;
        }

        private static WebRtcAudioReceiver.Options copyOf(WebRtcAudioReceiver.Options o) {
            return WebRtcAudioReceiver.options().format(o.format()).bufferLimit(o.bufferLimit()).pacePlayout(o.pacePlayout());
        }

        boolean allowsOrigin(String origin) {
            return origins.contains("*") || origins.contains(origin);
        }

        /** Whether {@code host} is a loopback address (127.0.0.0/8, ::1): reachable from this machine only. */
        static boolean isLoopback(String host) {
            try {
                return InetAddress.getByName(host).isLoopbackAddress();
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException("host '" + host + "' is not a known address", e);
            }
        }
    }
}
