package io.pcmtrack.telephony;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.function.Consumer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A phone provider's side of a Twilio media stream, as Twilio documents it: it buffers the audio
 * the application sends and plays it at real-time rate (one 20 ms frame per {@link #play()}),
 * echoes each mark when playback reaches it, on {@code clear} empties its buffer and echoes the
 * pending marks at once, and sends the caller's audio as 20 ms μ-law media messages
 * ({@link #sendCallerFrame}). Transport-free: what it sends goes to {@code out}, what it receives
 * comes in through {@link #onServerText}; a test wires it to a real WebSocket client or straight
 * to a connection. Thread-safe (synchronized).
 */
final class ProviderSimulator {
    static final int FRAME = 160;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Consumer<String> out;
    private final String streamSid;
    private final boolean telnyx;
    private final PhoneCodec serverCodec;
    private final String seq;
    private final String id;
    /** Audio samples and mark names (String) in arrival order: what is queued for playback. */
    private final ArrayDeque<Object> queue = new ArrayDeque<>();
    private long queuedSamples;
    private int headOffset;
    private long sequence;
    private long chunk;
    private boolean recording = true;
    private boolean echoMarks = true;
    private final List<Short> heard = new ArrayList<>();
    private long playedSamples;
    private long underrunSamples;
    private long underrunsAfterStart;
    private boolean started;
    private long clears;
    private long mediaReceived;
    private final List<String> echoed = new ArrayList<>();
    private final List<Long> echoedAtSample = new ArrayList<>();
    private long firstClearHeardAt = -1;
    private long maxQueued;
    private long minQueuedAfterStart = Long.MAX_VALUE;

    ProviderSimulator(Consumer<String> out, String streamSid) {
        this(out, streamSid, false, PhoneCodec.PCMU);
    }

    private ProviderSimulator(Consumer<String> out, String streamSid, boolean telnyx, PhoneCodec serverCodec) {
        this.out = out;
        this.streamSid = streamSid;
        this.telnyx = telnyx;
        this.serverCodec = serverCodec;
        this.seq = telnyx ? "sequence_number" : "sequenceNumber";
        this.id = telnyx ? "stream_id" : "streamSid";
    }

    /**
     * Telnyx instead of Twilio: its field names, PCMU from the caller, and {@code serverCodec}
     * (PCMU or PCMA, its {@code stream_bidirectional_codec}) from the application.
     */
    static ProviderSimulator telnyx(Consumer<String> out, String streamId, PhoneCodec serverCodec) {
        return new ProviderSimulator(out, streamId, true, serverCodec);
    }

    /** Sends {@code connected} and {@code start}, as the provider does when the stream opens. */
    synchronized void connect(String callSid, String customKey, String customValue) {
        if (telnyx) {
            out.accept("{\"event\":\"connected\",\"version\":\"1.0.0\"}");
            out.accept("{\"event\":\"start\",\"sequence_number\":\"" + (++sequence) + "\",\"start\":{\"user_id\":\"u\","
                    + "\"call_control_id\":\"" + callSid + "\",\"custom_parameters\":{\"" + customKey + "\":\"" + customValue
                    + "\"},\"media_format\":{\"encoding\":\"PCMU\",\"sample_rate\":8000,\"channels\":1}},"
                    + "\"stream_id\":\"" + streamSid + "\"}");
            return;
        }
        out.accept("{\"event\":\"connected\",\"protocol\":\"Call\",\"version\":\"1.0.0\"}");
        out.accept("{\"event\":\"start\",\"sequenceNumber\":\"" + (++sequence) + "\",\"start\":{\"accountSid\":\"AC1\","
                + "\"streamSid\":\"" + streamSid + "\",\"callSid\":\"" + callSid + "\",\"tracks\":[\"inbound\"],"
                + "\"customParameters\":{\"" + customKey + "\":\"" + customValue + "\"},"
                + "\"mediaFormat\":{\"encoding\":\"audio/x-mulaw\",\"sampleRate\":8000,\"channels\":1}},"
                + "\"streamSid\":\"" + streamSid + "\"}");
    }

    /** Sends 20 ms of the caller's audio (160 samples, μ-law). */
    synchronized void sendCallerFrame(short[] pcm) {
        byte[] ulaw = new byte[pcm.length];
        G711.ulawEncode(pcm, 0, ulaw, 0, pcm.length);
        out.accept("{\"event\":\"media\",\"" + seq + "\":\"" + (++sequence) + "\",\"media\":{\"track\":\"inbound\","
                + "\"chunk\":\"" + (++chunk) + "\",\"timestamp\":\"" + chunk * 20 + "\",\"payload\":\""
                + Base64.getEncoder().encodeToString(ulaw) + "\"},\"" + id + "\":\"" + streamSid + "\"}");
    }

    synchronized void sendDtmf(String digit) {
        out.accept("{\"event\":\"dtmf\",\"" + id + "\":\"" + streamSid + "\",\"" + seq + "\":\"" + (++sequence)
                + "\",\"dtmf\":{\"track\":\"inbound_track\",\"digit\":\"" + digit + "\"}}");
    }

    synchronized void sendStop() {
        out.accept("{\"event\":\"stop\",\"" + seq + "\":\"" + (++sequence) + "\",\"" + id + "\":\"" + streamSid
                + "\",\"stop\":{\"accountSid\":\"AC1\",\"callSid\":\"CA1\"}}");
    }

    /** Skips {@code n} sequence numbers, as a lossy provider would. */
    synchronized void skipSequence(int n) {
        sequence += n;
    }

    /** A message from the application's server. */
    synchronized void onServerText(String text) {
        JsonNode msg;
        try {
            msg = JSON.readTree(text);
        } catch (Exception e) {
            throw new AssertionError("the server sent malformed JSON: " + text, e);
        }
        if (telnyx ? msg.has("stream_id") || msg.has("streamSid") : !streamSid.equals(msg.path("streamSid").asText())) {
            throw new AssertionError(telnyx ? "Telnyx takes no stream id: " + text : "message without this stream's streamSid: " + text);
        }
        switch (msg.path("event").asText()) {
            case "media" -> {
                byte[] encoded = Base64.getDecoder().decode(msg.path("media").path("payload").asText());
                short[] pcm = new short[encoded.length];
                if (serverCodec == PhoneCodec.PCMA) {
                    G711.alawDecode(encoded, 0, pcm, 0, encoded.length);
                } else {
                    G711.ulawDecode(encoded, 0, pcm, 0, encoded.length);
                }
                queue.add(pcm);
                queuedSamples += pcm.length;
                maxQueued = Math.max(maxQueued, queuedSamples);
                mediaReceived++;
            }
            case "mark" -> {
                queue.add(msg.path("mark").path("name").asText());
                echoDueMarks();
            }
            case "clear" -> {
                clears++;
                if (firstClearHeardAt < 0) {
                    firstClearHeardAt = playedSamples;
                }
                for (Object o : queue) {
                    if (o instanceof String name) {
                        echo(name);
                    }
                }
                queue.clear();
                queuedSamples = 0;
                headOffset = 0;
            }
            default -> throw new AssertionError("unexpected message from the server: " + text);
        }
    }

    /** Plays one 20 ms frame from the buffer (silence if it runs dry), echoing marks it passes. */
    synchronized void play() {
        if (started) {
            minQueuedAfterStart = Math.min(minQueuedAfterStart, queuedSamples);
        }
        int need = FRAME;
        while (need > 0) {
            echoDueMarks();
            Object head = queue.peek();
            if (head == null) {
                break;
            }
            short[] pcm = (short[]) head;
            int n = Math.min(need, pcm.length - headOffset);
            for (int i = 0; i < n; i++) {
                record(pcm[headOffset + i]);
            }
            headOffset += n;
            queuedSamples -= n;
            need -= n;
            if (headOffset == pcm.length) {
                queue.poll();
                headOffset = 0;
            }
        }
        echoDueMarks();
        if (need > 0) {
            underrunSamples += need;
            if (started) {
                underrunsAfterStart += need;
            }
            for (int i = 0; i < need; i++) {
                record((short) 0);
            }
        }
        if (queuedSamples > 0) {
            started = true;
        }
    }

    private void record(short s) {
        playedSamples++;
        if (recording) {
            heard.add(s);
        }
    }

    private void echoDueMarks() {
        while (queue.peek() instanceof String name) {
            queue.poll();
            echo(name);
        }
    }

    private void echo(String name) {
        if (!echoMarks) {
            return;
        }
        echoed.add(name);
        echoedAtSample.add(playedSamples);
        out.accept("{\"event\":\"mark\",\"" + seq + "\":\"" + (++sequence) + "\",\"" + id + "\":\"" + streamSid
                + "\",\"mark\":{\"name\":\"" + name + "\"}}");
    }

    /** A provider that never echoes marks. */
    synchronized void neverEchoMarks() {
        echoMarks = false;
    }

    /** How many samples had been played when the mark was echoed, or -1. */
    synchronized long echoedAt(String name) {
        int i = echoed.indexOf(name);
        return i < 0 ? -1 : echoedAtSample.get(i);
    }

    /** Stop keeping every played sample (for hours-long runs). */
    synchronized void stopRecording() {
        recording = false;
    }

    synchronized short[] heard() {
        short[] a = new short[heard.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = heard.get(i);
        }
        return a;
    }

    synchronized long queuedSamples() {
        return queuedSamples;
    }

    synchronized long playedSamples() {
        return playedSamples;
    }

    synchronized long underrunsAfterStart() {
        return underrunsAfterStart;
    }

    synchronized long minQueuedAfterStart() {
        return minQueuedAfterStart;
    }

    synchronized long maxQueued() {
        return maxQueued;
    }

    synchronized long mediaReceived() {
        return mediaReceived;
    }

    synchronized long clears() {
        return clears;
    }

    synchronized List<String> echoed() {
        return List.copyOf(echoed);
    }

    synchronized long firstClearHeardAt() {
        return firstClearHeardAt;
    }
}
