package io.pcmtrack.telephony;

/**
 * A provider's media-stream protocol, ready to serve WebSocket connections: a server adapter
 * calls {@link #open} for every connection accepted on the endpoint's path (for example
 * {@code /twilio}) and feeds the connection's messages to the handler it returns. Each
 * connection is independent: what one does (bad input, a crash in the application's handler)
 * never touches another. Implementations: {@link TwilioEndpoint}, {@link TelnyxEndpoint},
 * {@link VonageEndpoint}.
 */
public interface MediaStreamEndpoint {

    /** Starts serving a new connection; never throws. */
    MessageHandler open(MessageSocket socket);

    /** Counters over every connection this endpoint served. */
    EndpointStats stats();
}
