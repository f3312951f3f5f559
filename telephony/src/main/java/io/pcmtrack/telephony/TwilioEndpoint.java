package io.pcmtrack.telephony;

import java.util.Objects;

/**
 * Twilio Media Streams, bidirectional ({@code <Connect><Stream url="wss://.../twilio"/>}), as the
 * server side of the WebSocket: {@code connected}, {@code start}, {@code media}, {@code mark},
 * {@code dtmf} and {@code stop} in; {@code media}, {@code mark} and {@code clear} out, all with
 * the stream's {@code streamSid}. Audio is 8 kHz μ-law both ways, in 20 ms media messages.
 *
 * <p>Mount it on a WebSocket server through its adapter, for example
 * {@code new JavaWebSocketMediaServer(address).route("/twilio", twilio)}.
 */
public final class TwilioEndpoint implements MediaStreamEndpoint {
    private final CallOptions options;
    private final CallHandler handler;
    private final EndpointCounters counters = new EndpointCounters();

    public TwilioEndpoint(CallOptions options, CallHandler handler) {
        this.options = Objects.requireNonNull(options, "options").copy();
        this.handler = Objects.requireNonNull(handler, "handler");
    }

    @Override
    public MessageHandler open(MessageSocket socket) {
        return new JsonStreamConnection(JsonStreamConnection.Dialect.TWILIO,
                new JsonStreamConnection.Outgoing(PhoneCodec.PCMU, 8000), socket, options, counters, handler);
    }

    @Override
    public EndpointStats stats() {
        return counters.snapshot();
    }
}
