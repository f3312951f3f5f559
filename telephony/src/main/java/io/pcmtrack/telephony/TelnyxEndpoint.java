package io.pcmtrack.telephony;

import java.util.Objects;

/**
 * Telnyx media streaming in its bidirectional RTP mode ({@code stream_bidirectional_mode: rtp}),
 * as the server side of the WebSocket. The events are Twilio's with Telnyx's field names
 * ({@code sequence_number}, {@code stream_id}, {@code media_format}, {@code call_control_id}),
 * plus {@code error}. The codec is chosen per direction: the caller's audio arrives in the one
 * the start message names ({@code PCMU}, {@code PCMA} or {@code L16}); the outgoing one is the
 * {@code stream_bidirectional_codec} the application requested from Telnyx, given here (by
 * default the same as the incoming one). L16 is an RTP payload, so its samples are big-endian.
 */
public final class TelnyxEndpoint implements MediaStreamEndpoint {
    private final CallOptions options;
    private final CallHandler handler;
    private final JsonStreamConnection.Outgoing outgoing;
    private final EndpointCounters counters = new EndpointCounters();

    /** Outgoing audio in the codec and rate of the incoming audio. */
    public TelnyxEndpoint(CallOptions options, CallHandler handler) {
        this(options, null, 8000, handler);
    }

    /**
     * @param outgoingCodec the codec Telnyx was told to expect ({@code stream_bidirectional_codec}),
     *                      or null for the incoming audio's
     * @param sampleRate    its rate ({@code stream_bidirectional_sampling_rate}): 8000 for PCMU and
     *                      PCMA, 8000 or 16000 for L16
     */
    public TelnyxEndpoint(CallOptions options, PhoneCodec outgoingCodec, int sampleRate, CallHandler handler) {
        this.options = Objects.requireNonNull(options, "options").copy();
        this.handler = Objects.requireNonNull(handler, "handler");
        if (outgoingCodec != null && !(sampleRate == 8000 || (outgoingCodec == PhoneCodec.L16 && sampleRate == 16_000))) {
            throw new IllegalArgumentException("sampleRate must be 8000 for " + outgoingCodec
                    + (outgoingCodec == PhoneCodec.L16 ? " or 16000" : "") + ", got " + sampleRate);
        }
        this.outgoing = new JsonStreamConnection.Outgoing(outgoingCodec, sampleRate);
    }

    @Override
    public MessageHandler open(MessageSocket socket) {
        return new JsonStreamConnection(JsonStreamConnection.Dialect.TELNYX, outgoing, socket, options, counters, handler);
    }

    @Override
    public EndpointStats stats() {
        return counters.snapshot();
    }
}
