package io.pcmtrack.telephony;

import java.util.Base64;

import com.fasterxml.jackson.core.io.JsonStringEncoder;

/**
 * Outgoing messages of the JSON providers (Twilio, Telnyx): each frame is encoded, base64'd into
 * a reused buffer and framed by constant JSON text, so a frame costs one {@code String} (the
 * message the socket keeps) and nothing else.
 */
final class JsonWire implements OutboundWire {
    private static final Base64.Encoder BASE64 = Base64.getEncoder();

    private final MessageSocket socket;
    private final PhoneCodec codec;
    private final boolean bigEndian;
    private final int sampleRate;
    private final String mediaPrefix;
    private final String markPrefix;
    private final String clearMessage;
    private final StringBuilder message = new StringBuilder(512);
    private byte[] encoded = new byte[0];
    private byte[] base64 = new byte[0];

    /**
     * @param streamField the stream id's field name on outgoing messages ({@code streamSid}), or
     *                    null if the provider does not want one
     */
    JsonWire(MessageSocket socket, PhoneCodec codec, boolean bigEndian, int sampleRate, String streamField, String streamId) {
        this.socket = socket;
        this.codec = codec;
        this.bigEndian = bigEndian;
        this.sampleRate = sampleRate;
        String stream = streamField == null ? "" : ",\"" + streamField + "\":\"" + quote(streamId) + "\"";
        this.mediaPrefix = "{\"event\":\"media\"" + stream + ",\"media\":{\"payload\":\"";
        this.markPrefix = "{\"event\":\"mark\"" + stream + ",\"mark\":{\"name\":\"";
        this.clearMessage = "{\"event\":\"clear\"" + stream + "}";
    }

    @Override
    public int sampleRate() {
        return sampleRate;
    }

    @Override
    public void media(short[] pcm, int count) {
        int bytes = count * codec.bytesPerSample();
        if (encoded.length != bytes) {
            encoded = new byte[bytes];
            base64 = new byte[(bytes + 2) / 3 * 4];
        }
        codec.encode(pcm, count, encoded, bigEndian);
        int chars = BASE64.encode(encoded, base64);
        message.setLength(0);
        message.append(mediaPrefix);
        for (int i = 0; i < chars; i++) {
            message.append((char) base64[i]);
        }
        message.append("\"}}");
        socket.sendText(message.toString());
    }

    @Override
    public void mark(String name) {
        socket.sendText(markPrefix + quote(name) + "\"}}");
    }

    @Override
    public void clear() {
        socket.sendText(clearMessage);
    }

    static String quote(String s) {
        return new String(JsonStringEncoder.getInstance().quoteAsString(s));
    }
}
