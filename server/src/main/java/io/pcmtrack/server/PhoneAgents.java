package io.pcmtrack.server;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.javalin.config.JavalinConfig;
import io.javalin.websocket.WsContext;
import io.pcmtrack.FrameScheduler;
import io.pcmtrack.agent.AgentEvent;
import io.pcmtrack.agent.AgentOptions;
import io.pcmtrack.agent.ParrotAgent;
import io.pcmtrack.telephony.CallOptions;
import io.pcmtrack.telephony.MessageHandler;
import io.pcmtrack.telephony.MessageSocket;
import io.pcmtrack.telephony.PhoneCall;
import io.pcmtrack.telephony.TwilioEndpoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Phone calls to the voice agent: Twilio Media Streams at {@code /twilio}, each call answered by a
 * {@link ParrotAgent} speaking into the call's track (8 kHz μ-law to the provider; its flush sends
 * {@code clear}), with a provider-confirmed mark after every answer. Mounted on the server's
 * Javalin through a {@link MessageSocket} adapter.
 *
 * <p>Twilio cannot send an {@code Authorization} header: with a token, the stream must carry it
 * as a custom parameter ({@code <Parameter name="token" value="..."/>}), else the call is hung up.
 */
final class PhoneAgents implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PhoneAgents.class);

    private final AgentOptions options;
    private final byte[] token;
    private final TwilioEndpoint twilio;
    private final Map<String, MessageHandler> connections = new ConcurrentHashMap<>();
    private final Map<PhoneCall, ParrotAgent> calls = new ConcurrentHashMap<>();

    PhoneAgents(FrameScheduler scheduler, AgentOptions options, String token) {
        // No fade on a phone leg: the barge-in's clear already cut the audio the provider holds,
        // so faded samples sent after it would only be a blip of the old answer.
        // The provider holds the call's lead of audio, unplayed, and a clear empties it: not heard.
        CallOptions calls = CallOptions.of(scheduler);
        this.options = options.toBuilder().fadeOut(Duration.ZERO).farEndBuffer(calls.lead()).build();
        this.token = token == null ? null : token.getBytes(StandardCharsets.UTF_8);
        this.twilio = new TwilioEndpoint(calls, this::answer);
    }

    private void answer(PhoneCall call) {
        String given = call.info().parameters().get("token");
        if (token != null && (given == null || !MessageDigest.isEqual(token, given.getBytes(StandardCharsets.UTF_8)))) {
            LOG.warn("hanging up {}: its stream has {} token parameter", call, given == null ? "no" : "a wrong");
            call.hangup();
            return;
        }
        ParrotAgent agent = ParrotAgent.speakingInto(call.track(), options);
        calls.put(call, agent);
        agent.addListener(e -> {
            if (e instanceof AgentEvent.AnswerWritten w) {
                call.mark(w.label()); // resolves when Twilio echoes it: the caller heard the answer
            }
        });
        call.audio().onAudio(agent::accept);
        call.ended().whenComplete((reason, failure) -> {
            agent.close();
            calls.remove(call);
        });
    }

    /** Phone calls going on now. */
    int calls() {
        return calls.size();
    }

    void mount(JavalinConfig c) {
        c.routes.ws("/twilio", ws -> {
            ws.onConnect(ctx -> connections.put(ctx.sessionId(), twilio.open(new Socket(ctx))));
            ws.onMessage(ctx -> {
                MessageHandler h = connections.get(ctx.sessionId());
                if (h != null) {
                    h.onText(ctx.message());
                }
            });
            ws.onBinaryMessage(ctx -> {
                MessageHandler h = connections.get(ctx.sessionId());
                if (h != null) {
                    h.onBinary(ctx.data());
                }
            });
            ws.onClose(ctx -> {
                MessageHandler h = connections.remove(ctx.sessionId());
                if (h != null) {
                    h.onClose(ctx.status(), ctx.reason());
                }
            });
            ws.onError(ctx -> {
                MessageHandler h = connections.remove(ctx.sessionId());
                if (h != null) {
                    h.onClose(1011, String.valueOf(ctx.error()));
                }
            });
        });
    }

    /** Hangs up every call (the provider gets the socket closed). */
    @Override
    public void close() {
        for (PhoneCall call : calls.keySet()) {
            call.hangup();
        }
    }

    /** A Javalin WebSocket as the telephony protocols' socket: sends serialized, never throwing. */
    private static final class Socket implements MessageSocket {
        private final WsContext ctx;
        private final String peer;

        Socket(WsContext ctx) {
            this.ctx = ctx;
            this.peer = String.valueOf(ctx.session.getRemoteSocketAddress());
        }

        @Override
        public synchronized void sendText(String text) {
            try {
                ctx.send(text);
            } catch (RuntimeException e) {
                LOG.debug("send to {} failed", peer, e); // closed meanwhile: the close is reported separately
            }
        }

        @Override
        public synchronized void sendBinary(byte[] data) {
            try {
                ctx.send(java.nio.ByteBuffer.wrap(data));
            } catch (RuntimeException e) {
                LOG.debug("send to {} failed", peer, e);
            }
        }

        @Override
        public void close(int code, String reason) {
            try {
                ctx.closeSession(code, reason);
            } catch (RuntimeException e) {
                LOG.debug("closing {} failed", peer, e);
            }
        }

        @Override
        public String peer() {
            return peer;
        }
    }
}
