package io.pcmtrack.telephony;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

import com.fasterxml.jackson.core.Base64Variants;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The server side of Twilio's and Telnyx's media streams, which share a shape: JSON text messages
 * {@code connected}, {@code start}, {@code media} (base64 audio), {@code mark}, {@code dtmf},
 * {@code stop} in, and {@code media}, {@code mark}, {@code clear} out. They differ in field names
 * and codecs, which a {@link Dialect} says.
 */
final class JsonStreamConnection extends StreamConnection {
    static final ObjectMapper JSON = new ObjectMapper();

    /** What differs between the JSON providers. */
    record Dialect(String provider, String sequenceField, String streamField, String startStreamField,
                   String callField, String formatField, String rateField, String parametersField,
                   boolean streamIdOnOutgoing) {
        static final Dialect TWILIO = new Dialect("twilio", "sequenceNumber", "streamSid", "streamSid", "callSid",
                "mediaFormat", "sampleRate", "customParameters", true);
        static final Dialect TELNYX = new Dialect("telnyx", "sequence_number", "stream_id", "stream_id",
                "call_control_id", "media_format", "sample_rate", "custom_parameters", false);
    }

    /** The outgoing codec; null: the one the start message names for the incoming audio. */
    record Outgoing(PhoneCodec codec, int sampleRate) {
    }

    private final Dialect dialect;
    private final Outgoing outgoing;
    private final CallHandler handler;
    private final Base64.Decoder base64 = Base64.getDecoder();
    private long lastSequence = -1;
    private PhoneCodec inboundCodec = PhoneCodec.PCMU;
    private int inboundRate = 8000;
    private short[] pcm = new short[160];
    /** The payload of the media message being read, decoded from base64; reused. */
    private final PayloadBuffer payload = new PayloadBuffer();

    JsonStreamConnection(Dialect dialect, Outgoing outgoing, MessageSocket socket, CallOptions options,
                         EndpointCounters endpoint, CallHandler handler) {
        super(dialect.provider(), socket, options, endpoint);
        this.dialect = dialect;
        this.outgoing = outgoing;
        this.handler = handler;
    }

    @Override
    protected void text(String text) throws IOException {
        if (fastMedia(text)) {
            return;
        }
        JsonNode msg;
        try {
            msg = JSON.readTree(text);
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
        if (!inSequence(msg, event)) {
            return;
        }
        switch (event) {
            case "connected" -> { }
            case "start" -> start(msg);
            case "media" -> media(msg);
            case "mark" -> mark(msg);
            case "dtmf" -> dtmf(msg);
            case "stop" -> stopCall("the provider stopped the stream");
            case "error" -> {
                providerErrors++;
                problem("the provider reported an error: " + abbreviate(msg.toString()));
            }
            default -> {
                unknownEvents++;
                problem("unknown event \"" + abbreviate(event) + "\"; ignored");
            }
        }
    }

    @Override
    protected void binary(ByteBuffer data) {
        malformed++;
        problem("a binary message on a JSON media stream (" + data.remaining() + " bytes); dropped");
    }

    /**
     * The common case, 50 times a second per call, without building a tree: a well-formed inbound
     * media message is streamed through once and its payload decoded straight from the parser.
     * Anything else (another event, an odd field type, bad base64, a number that is not one)
     * returns false and takes the general path, which reports it.
     */
    private boolean fastMedia(String text) throws IOException {
        boolean isMedia = false;
        long sequence = -1;
        boolean inbound = true;
        boolean hasPayload = false;
        try (JsonParser p = JSON.getFactory().createParser(text)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return false;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName(); // field names are canonicalized: no string per message
                JsonToken value = p.nextToken();
                if (name.equals("event")) {
                    if (value != JsonToken.VALUE_STRING || !textEquals(p, "media")) {
                        return false;
                    }
                    isMedia = true;
                } else if (name.equals(dialect.sequenceField())) {
                    if (value != JsonToken.VALUE_STRING && value != JsonToken.VALUE_NUMBER_INT) {
                        return false;
                    }
                    sequence = parseSequence(p.getTextCharacters(), p.getTextOffset(), p.getTextLength());
                    if (sequence < 0) {
                        return false;
                    }
                } else if (name.equals("media") && value == JsonToken.START_OBJECT) {
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        String field = p.currentName();
                        JsonToken v = p.nextToken();
                        if (field.equals("payload") && v == JsonToken.VALUE_STRING) {
                            // Streamed into a reused buffer: p.getBinaryValue would allocate a 2 KB builder per message.
                            payload.reset();
                            p.readBinaryValue(Base64Variants.MIME_NO_LINEFEEDS, payload);
                            hasPayload = true;
                        } else if (field.equals("track") && v == JsonToken.VALUE_STRING) {
                            inbound = textStartsWith(p, "inbound");
                        } else {
                            p.skipChildren();
                        }
                    }
                } else {
                    p.skipChildren();
                }
            }
            if (p.nextToken() != null) {
                return false;
            }
        } catch (JsonProcessingException | IllegalArgumentException e) {
            return false; // the general path reports it (Jackson throws IllegalArgumentException for bad base64)
        }
        if (!isMedia || !hasPayload) {
            return false;
        }
        if (sequence >= 0 && !inSequence(sequence, "media")) {
            return true;
        }
        if (inbound) {
            decode(payload.bytes(), payload.size());
        }
        return true;
    }

    /** The current string token equals {@code s}, read from the parser's buffer without making a String. */
    private static boolean textEquals(JsonParser p, String s) throws IOException {
        return p.getTextLength() == s.length() && textStartsWith(p, s);
    }

    private static boolean textStartsWith(JsonParser p, String prefix) throws IOException {
        int length = p.getTextLength();
        if (length < prefix.length()) {
            return false;
        }
        char[] chars = p.getTextCharacters();
        int offset = p.getTextOffset();
        for (int i = 0; i < prefix.length(); i++) {
            if (chars[offset + i] != prefix.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static long parseSequence(char[] chars, int offset, int length) {
        if (length == 0 || length > 18) {
            return -1;
        }
        long n = 0;
        for (int i = offset; i < offset + length; i++) {
            char c = chars[i];
            if (c < '0' || c > '9') {
                return -1;
            }
            n = n * 10 + (c - '0');
        }
        return n;
    }

    /** Counts gaps; false for a message whose number is not above the last (dropped if it is media). */
    private boolean inSequence(JsonNode msg, String event) {
        JsonNode seq = msg.get(dialect.sequenceField());
        if (seq == null) {
            return true;
        }
        long n;
        try {
            n = seq.isNumber() ? seq.asLong() : Long.parseLong(seq.asText());
        } catch (NumberFormatException e) {
            malformed++;
            problem(dialect.sequenceField() + " is not a number: " + abbreviate(seq.toString()) + "; dropped");
            return false;
        }
        return inSequence(n, event);
    }

    private boolean inSequence(long n, String event) {
        if (lastSequence >= 0 && n <= lastSequence) {
            outOfOrder++;
            problem("sequence number " + n + " after " + lastSequence + (event.equals("media") ? "; media dropped" : ""));
            return !event.equals("media");
        }
        if (lastSequence >= 0 && n > lastSequence + 1) {
            sequenceGaps += n - lastSequence - 1;
        }
        lastSequence = n;
        return true;
    }

    private void start(JsonNode msg) {
        JsonNode start = msg.path("start");
        String streamId = text(msg.get(dialect.streamField()), text(start.get(dialect.startStreamField()), ""));
        String callId = text(start.get(dialect.callField()), "");
        JsonNode format = start.path(dialect.formatField());
        if (format.isObject()) {
            PhoneCodec codec = PhoneCodec.fromName(format.path("encoding").asText(null));
            int rate = format.path(dialect.rateField()).asInt(8000);
            if (codec == null || rate < 8000 || rate > 48_000 || (codec != PhoneCodec.L16 && rate != 8000)) {
                problem("unsupported media format " + abbreviate(format.toString()) + "; the call is ended");
                closeSocket(1003, "unsupported media format");
                return;
            }
            inboundCodec = codec;
            inboundRate = rate;
        }
        Map<String, String> parameters = new HashMap<>();
        JsonNode custom = start.path(dialect.parametersField());
        for (Map.Entry<String, JsonNode> e : custom.properties()) {
            parameters.put(e.getKey(), e.getValue().isTextual() ? e.getValue().asText() : e.getValue().toString());
        }
        if (start.hasNonNull("client_state")) {
            parameters.put("client_state", start.get("client_state").asText());
        }
        PhoneCodec outCodec = outgoing.codec() != null ? outgoing.codec() : inboundCodec;
        int outRate = outgoing.codec() != null ? outgoing.sampleRate() : inboundRate;
        boolean bigEndian = true; // L16 on these providers is an RTP payload: network byte order
        JsonWire wire = new JsonWire(socket, outCodec, bigEndian, outRate,
                dialect.streamIdOnOutgoing() ? dialect.streamField() : null, streamId);
        startCall(new CallInfo(dialect.provider(), callId, streamId, parameters), wire, inboundRate, handler);
    }

    private void media(JsonNode msg) {
        JsonNode media = msg.path("media");
        String track = media.path("track").asText("inbound");
        if (!track.startsWith("inbound")) {
            return; // an outbound-track fork: the application's own audio
        }
        JsonNode payload = media.get("payload");
        if (payload == null || !payload.isTextual()) {
            badAudio++;
            problem("media without a payload string; dropped");
            return;
        }
        byte[] bytes;
        try {
            bytes = base64.decode(payload.asText());
        } catch (IllegalArgumentException e) {
            badAudio++;
            problem("media payload is not base64 (" + e.getMessage() + "); dropped");
            return;
        }
        decode(bytes, bytes.length);
    }

    private void decode(byte[] bytes, int length) {
        int bytesPerSample = inboundCodec.bytesPerSample();
        int samples = length / bytesPerSample;
        if (length == 0 || length % bytesPerSample != 0 || samples > inboundRate) {
            badAudio++;
            problem("media payload of " + length + " bytes is not 1.." + inboundRate + " whole "
                    + inboundCodec + " samples; dropped");
            return;
        }
        if (pcm.length < samples) {
            pcm = new short[samples];
        }
        inboundCodec.decode(bytes, 0, samples, pcm, true);
        deliver(pcm, samples, inboundRate);
    }

    private void mark(JsonNode msg) {
        String name = msg.path("mark").path("name").asText(null);
        PhoneCall c = call;
        if (name == null || c == null || !c.outbound().echoed(name)) {
            unknownMarkEchoes++;
            problem("mark echo " + (name == null ? "without a name" : "\"" + abbreviate(name) + "\"")
                    + " matches no mark in flight; ignored");
        }
    }

    private void dtmf(JsonNode msg) {
        JsonNode d = msg.path("dtmf");
        String digit = d.path("digit").asText("");
        if (!digit.matches("[0-9*#A-Da-d]")) {
            malformed++;
            problem("DTMF digit " + abbreviate(d.toString()) + " is not 0-9, *, #, A-D; dropped");
            return;
        }
        dtmf(new DtmfEvent(digit.toUpperCase(java.util.Locale.ROOT), d.path("duration").asInt(-1)));
    }

    private static String text(JsonNode node, String otherwise) {
        return node != null && node.isValueNode() ? node.asText() : otherwise;
    }

    static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }

    /** A growable byte buffer that the parser streams a decoded base64 payload into. */
    private static final class PayloadBuffer extends OutputStream {
        private byte[] bytes = new byte[512];
        private int size;

        void reset() {
            size = 0;
        }

        byte[] bytes() {
            return bytes;
        }

        int size() {
            return size;
        }

        @Override
        public void write(int b) {
            ensure(1);
            bytes[size++] = (byte) b;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            ensure(len);
            System.arraycopy(b, off, bytes, size, len);
            size += len;
        }

        private void ensure(int more) {
            if (size + more > bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + more));
            }
        }
    }
}
