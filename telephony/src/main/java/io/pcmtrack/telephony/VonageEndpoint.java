package io.pcmtrack.telephony;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * The Vonage Voice API's WebSocket ({@code connect} action with a {@code websocket} endpoint,
 * {@code content-type: audio/l16;rate=16000}), as the server side: audio both ways as binary
 * messages of 20 ms of 16-bit little-endian linear PCM (640 bytes at 16 kHz, 320 at 8 kHz), and
 * JSON text for the rest. In: {@code websocket:connected} (the rate and the application's
 * headers), {@code websocket:dtmf}, {@code websocket:notify} (a mark's echo) and
 * {@code websocket:cleared}. Out: {@code {"action":"notify"}} for marks and
 * {@code {"action":"clear"}} on flush. Vonage has no stop message: the call ends when the
 * socket closes.
 */
public final class VonageEndpoint implements MediaStreamEndpoint {
    private final CallOptions options;
    private final CallHandler handler;
    private final EndpointCounters counters = new EndpointCounters();

    public VonageEndpoint(CallOptions options, CallHandler handler) {
        this.options = Objects.requireNonNull(options, "options").copy();
        this.handler = Objects.requireNonNull(handler, "handler");
    }

    @Override
    public MessageHandler open(MessageSocket socket) {
        return new Connection(socket, options, counters, handler);
    }

    @Override
    public EndpointStats stats() {
        return counters.snapshot();
    }

    private static final class Connection extends StreamConnection {
        private static final Pattern RATE = Pattern.compile("rate=(\\d+)");
        private final CallHandler handler;
        private int rate;
        private short[] pcm = new short[0];

        Connection(MessageSocket socket, CallOptions options, EndpointCounters endpoint, CallHandler handler) {
            super("vonage", socket, options, endpoint);
            this.handler = handler;
        }

        @Override
        protected void text(String text) {
            JsonNode msg;
            try {
                msg = JsonStreamConnection.JSON.readTree(text);
            } catch (JsonProcessingException e) {
                malformed++;
                problem("malformed JSON (" + e.getOriginalMessage() + "); dropped");
                return;
            }
            if (msg == null || !msg.isObject() || !msg.path("event").isTextual()) {
                malformed++;
                problem("a message without an \"event\" string; dropped");
                return;
            }
            String event = msg.get("event").asText();
            switch (event) {
                case "websocket:connected" -> connected(msg);
                case "websocket:dtmf" -> {
                    String digit = msg.has("digit") ? msg.path("digit").asText("") : msg.path("dtmf").path("digit").asText("");
                    if (!digit.matches("[0-9*#A-Da-d]")) {
                        malformed++;
                        problem("DTMF digit " + JsonStreamConnection.abbreviate(msg.toString()) + " is not 0-9, *, #, A-D; dropped");
                        return;
                    }
                    dtmf(new DtmfEvent(digit.toUpperCase(Locale.ROOT), msg.path("duration").asInt(-1)));
                }
                case "websocket:notify" -> {
                    String name = msg.path("payload").path("name").asText(null);
                    PhoneCall c = call;
                    if (name == null || c == null || !c.outbound().echoed(name)) {
                        unknownMarkEchoes++;
                        problem("notify echo matches no mark in flight; ignored");
                    }
                }
                case "websocket:cleared" -> {
                    PhoneCall c = call;
                    if (c != null) {
                        c.outbound().clearConfirmed();
                    }
                }
                case "websocket:error" -> {
                    providerErrors++;
                    problem("the provider reported an error: " + JsonStreamConnection.abbreviate(msg.toString()));
                }
                default -> {
                    unknownEvents++;
                    problem("unknown event \"" + JsonStreamConnection.abbreviate(event) + "\"; ignored");
                }
            }
        }

        private void connected(JsonNode msg) {
            String type = msg.path("content-type").asText("");
            Matcher m = RATE.matcher(type);
            int r = m.find() ? Integer.parseInt(m.group(1)) : 0;
            if (!type.toLowerCase(Locale.ROOT).startsWith("audio/l16") || (r != 8000 && r != 16_000)) {
                problem("content-type \"" + JsonStreamConnection.abbreviate(type)
                        + "\" is not audio/l16;rate=8000 or 16000; the call is ended");
                closeSocket(1003, "unsupported content-type");
                return;
            }
            rate = r;
            pcm = new short[r / 50];
            Map<String, String> headers = new HashMap<>();
            for (Map.Entry<String, JsonNode> e : msg.properties()) {
                if (!e.getKey().equals("event") && !e.getKey().equals("content-type")) {
                    headers.put(e.getKey(), e.getValue().isTextual() ? e.getValue().asText() : e.getValue().toString());
                }
            }
            String uuid = headers.getOrDefault("uuid", "");
            startCall(new CallInfo("vonage", uuid, "", headers), new Wire(socket, r), r, handler);
        }

        @Override
        protected void binary(ByteBuffer data) {
            if (rate == 0) {
                unknownEvents++;
                problem("audio before websocket:connected; dropped");
                return;
            }
            int expected = rate / 50 * 2;
            if (data.remaining() != expected) {
                badAudio++;
                problem("audio frame of " + data.remaining() + " bytes; expected " + expected + " (20 ms at " + rate
                        + " Hz); dropped");
                return;
            }
            byte[] bytes = new byte[expected];
            data.duplicate().get(bytes);
            PhoneCodec.L16.decode(bytes, 0, pcm.length, pcm, false);
            deliver(pcm, pcm.length, rate);
        }
    }

    /** Binary 20 ms frames of little-endian L16; marks as notify, flush as clear. */
    private static final class Wire implements OutboundWire {
        private final MessageSocket socket;
        private final int rate;

        Wire(MessageSocket socket, int rate) {
            this.socket = socket;
            this.rate = rate;
        }

        @Override
        public int sampleRate() {
            return rate;
        }

        @Override
        public void media(short[] pcm, int count) {
            byte[] frame = new byte[count * 2]; // the socket keeps it until written
            PhoneCodec.L16.encode(pcm, count, frame, false);
            socket.sendBinary(frame);
        }

        @Override
        public void mark(String name) {
            socket.sendText("{\"action\":\"notify\",\"payload\":{\"name\":\"" + JsonWire.quote(name) + "\"}}");
        }

        @Override
        public void clear() {
            socket.sendText("{\"action\":\"clear\"}");
        }
    }
}
