package io.pcmtrack.server;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.onvoid.webrtc.RTCPeerConnectionState;
import io.pcmtrack.FrameScheduler;
import io.pcmtrack.agent.AgentOptions;
import io.pcmtrack.agent.ParrotAgent;
import io.pcmtrack.webrtc.ReceiverStats;
import io.pcmtrack.webrtc.RtcAudioStats;
import io.pcmtrack.webrtc.WebRtcSession;

/**
 * One conversation with the voice agent: a {@link ParrotAgent}, the caller's microphone coming in
 * over WHIP (its receiver feeds {@link ParrotAgent#accept}) and the agent's voice going out over
 * WHEP (its track attached to the server's scheduler). The two peer connections are set up one
 * after the other by the page; either may come first.
 *
 * <p>Thread-safe. {@link #close()} frees everything in the order that keeps every thread off a
 * freed object: the microphone first (no more caller audio), then the voice (off the scheduler),
 * then the agent.
 */
final class AgentSession implements AutoCloseable {
    private static final int EVENTS_KEPT = 200;
    private static final Duration STATS_TIMEOUT = Duration.ofMillis(200);

    final String id;
    final String client;
    final ParrotAgent agent;
    private final long createdNanos = System.nanoTime();
    private final Object eventLock = new Object();
    // Guarded by eventLock.
    private final ArrayDeque<Map<String, Object>> events = new ArrayDeque<>();
    private long eventCount;
    // Guarded by this.
    private WebRtcSession voice;
    private WebRtcSession microphone;
    private boolean closed;
    /** When both legs were last connected, or the session created; System.nanoTime(). */
    private volatile long lastConnectedNanos = createdNanos;

    AgentSession(String id, String client, AgentOptions options) {
        this.id = id;
        this.client = client;
        this.agent = ParrotAgent.create(options);
        agent.addListener(e -> {
            Map<String, Object> m = e.toMap();
            synchronized (eventLock) {
                m.put("seq", ++eventCount);
                events.addLast(m);
                if (events.size() > EVENTS_KEPT) {
                    events.removeFirst();
                }
            }
        });
    }

    String location() {
        return "/agent/" + id;
    }

    /**
     * Answers the page's WHEP offer and sends the agent's voice to it.
     *
     * @throws HttpError 409 if the session already sends, 404 if it ended meanwhile
     * @throws IllegalArgumentException if libwebrtc refuses the offer (everything created is freed)
     */
    String openVoice(String offer, WebRtcSession.Options options, FrameScheduler scheduler) {
        reserveLeg("voice", true);
        WebRtcSession w = WebRtcSession.sending(options.copy().trackId("pcmtrack-agent").streamId("agent"));
        try {
            String answer = w.answer(offer);
            w.attach(scheduler, agent.track());
            adopt(w, true);
            return answer;
        } catch (RuntimeException | Error e) {
            w.close();
            releaseLeg(true);
            throw e;
        }
    }

    /**
     * Answers the page's WHIP offer and feeds the microphone to the agent.
     *
     * @throws HttpError 409 if the session already receives, 404 if it ended meanwhile
     * @throws IllegalArgumentException if libwebrtc refuses the offer (everything created is freed)
     */
    String openMicrophone(String offer, WebRtcSession.Options options) {
        reserveLeg("microphone", false);
        WebRtcSession w = WebRtcSession.receiving(options);
        try {
            String answer = w.answer(offer);
            w.receiver().onAudio(agent::accept);
            adopt(w, false);
            return answer;
        } catch (RuntimeException | Error e) {
            w.close();
            releaseLeg(false);
            throw e;
        }
    }

    // Guarded by this: a leg being set up is taken, so two concurrent offers cannot both set it up.
    private boolean voiceReserved;
    private boolean microphoneReserved;

    private synchronized void reserveLeg(String what, boolean isVoice) {
        if (closed) {
            throw HttpError.notFound("agent session " + id + " has ended");
        }
        if (isVoice ? voiceReserved : microphoneReserved) {
            throw new HttpError(409, "agent session " + id + " already has its " + what + "; DELETE "
                    + location() + " and start a new session");
        }
        if (isVoice) {
            voiceReserved = true;
        } else {
            microphoneReserved = true;
        }
    }

    private synchronized void releaseLeg(boolean isVoice) {
        if (isVoice) {
            voiceReserved = false;
        } else {
            microphoneReserved = false;
        }
    }

    private void adopt(WebRtcSession w, boolean isVoice) {
        synchronized (this) {
            if (!closed) {
                if (isVoice) {
                    voice = w;
                } else {
                    microphone = w;
                }
                w.onStateChange(s -> touch());
                return;
            }
        }
        w.close();
        throw HttpError.notFound("agent session " + id + " ended while it was set up");
    }

    private void touch() {
        if (bothConnected()) {
            lastConnectedNanos = System.nanoTime();
        }
    }

    private synchronized boolean bothConnected() {
        return voice != null && microphone != null && voice.isConnected() && microphone.isConnected();
    }

    /** Nanoseconds since both legs were last connected (or since the session was created). */
    long idleNanos(long nowNanos) {
        if (bothConnected()) {
            lastConnectedNanos = nowNanos;
            return 0;
        }
        return nowNanos - lastConnectedNanos;
    }

    /** Why the session cannot go on (the page hung up, ICE failed), or null. */
    synchronized String hungUp() {
        for (WebRtcSession w : new WebRtcSession[] {voice, microphone}) {
            if (w != null) {
                RTCPeerConnectionState s = w.connectionState();
                if (s == RTCPeerConnectionState.FAILED || s == RTCPeerConnectionState.CLOSED) {
                    return (w == voice ? "the voice" : "the microphone") + " connection is " + s;
                }
            }
        }
        return null;
    }

    /** Keeps the agent writing when the microphone delivers nothing (not connected yet, or stalled). */
    void tick() {
        agent.tick();
    }

    /** The page's view: the timeline, the events after {@code sinceSeq}, the connections and the microphone's counters. */
    Map<String, Object> state(long sinceSeq) {
        WebRtcSession v;
        WebRtcSession m;
        synchronized (this) {
            v = voice;
            m = microphone;
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", id);
        out.put("ageMs", (System.nanoTime() - createdNanos) / 1_000_000);
        Map<String, Object> connection = new LinkedHashMap<>();
        connection.put("voice", v == null ? "none" : v.connectionState().name().toLowerCase(java.util.Locale.ROOT));
        connection.put("microphone", m == null ? "none" : m.connectionState().name().toLowerCase(java.util.Locale.ROOT));
        connection.put("voiceSetupMs", v == null || v.setupTime() == null ? null : v.setupTime().toMillis());
        connection.put("microphoneSetupMs", m == null || m.setupTime() == null ? null : m.setupTime().toMillis());
        out.put("connection", connection);
        if (m != null) {
            try {
                ReceiverStats r = m.receiver().stats();
                Map<String, Object> rx = new LinkedHashMap<>();
                rx.put("samplesReceived", r.samplesReceived());
                rx.put("chunksDelivered", r.chunksDelivered());
                rx.put("droppedSamples", r.droppedSamples());
                rx.put("gaps", r.gaps());
                rx.put("maxIntervalMs", r.maxCallbackInterval().toNanos() / 1e6);
                putRtpStats(rx, m);
                out.put("microphone", rx);
            } catch (IllegalStateException e) {
                out.put("microphone", null);
            }
        }
        // The agent's times are from its creation on its own clock; the wall clock of that instant lets a page on
        // the same machine put the server's events on its own time line (performance.timeOrigin + now()).
        Instant wall = Instant.now();
        Map<String, Object> timeline = agent.timeline().toMap();
        double wallMs = wall.getEpochSecond() * 1000.0 + wall.getNano() / 1e6;
        out.put("clock", Map.of("wallMs", wallMs, "agentZeroWallMs", wallMs - ((Number) timeline.get("nowMs")).doubleValue()));
        out.put("timeline", timeline);
        List<Map<String, Object>> newer = new ArrayList<>();
        synchronized (eventLock) {
            for (Map<String, Object> e : events) {
                if (((Number) e.get("seq")).longValue() > sinceSeq) {
                    newer.add(e);
                }
            }
            out.put("seq", eventCount);
        }
        out.put("events", newer);
        return out;
    }

    /**
     * The microphone's RTP packets and jitter buffer (libwebrtc's NetEq: average per sample so far, ms; samples it
     * removed or inserted to shorten or stretch the audio, at the decoder's rate), when known.
     */
    private static void putRtpStats(Map<String, Object> into, WebRtcSession microphone) {
        try {
            RtcAudioStats s = microphone.receiveStats(STATS_TIMEOUT);
            into.put("packetsReceived", s.packetsReceived());
            into.put("concealedSamples", s.concealedSamples());
            into.put("removedSamplesForAcceleration", s.removedSamplesForAcceleration());
            into.put("insertedSamplesForDeceleration", s.insertedSamplesForDeceleration());
            into.put("jitterBufferMs", s.jitterBufferEmittedCount() == 0 ? null : s.jitterBufferDelay().toNanos() / 1e6);
        } catch (RuntimeException e) {
            // not negotiated yet, closing, or libwebrtc slow: left out
        }
    }

    @Override
    public void close() {
        WebRtcSession v;
        WebRtcSession m;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            v = voice;
            m = microphone;
        }
        Teardown t = new Teardown(this);
        t.step("close the microphone", m, () -> m.close());
        t.step("close the voice", v, () -> v.close());
        t.step("close the agent", agent, agent::close);
    }

    @Override
    public String toString() {
        return "agent session " + id + " (" + client + ")";
    }
}
