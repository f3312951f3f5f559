/**
 * Phone calls: G.711 ({@link io.pcmtrack.telephony.G711}) and the server side of the phone
 * providers' media-stream WebSockets ({@link io.pcmtrack.telephony.TwilioEndpoint},
 * {@link io.pcmtrack.telephony.TelnyxEndpoint}, {@link io.pcmtrack.telephony.VonageEndpoint}).
 *
 * <p>Layers, from the wire up: a WebSocket server adapter (for example
 * {@link io.pcmtrack.telephony.javawebsocket.JavaWebSocketMediaServer}) turns each connection into
 * a {@link io.pcmtrack.telephony.MessageSocket} and feeds its messages to the
 * {@link io.pcmtrack.telephony.MessageHandler} an endpoint returns; the endpoint's connection
 * parses the provider's messages, enforces the per-connection limits and counts every fault; at
 * the provider's start message it makes a {@link io.pcmtrack.telephony.PhoneCall}, whose track a
 * shared {@link io.pcmtrack.FrameScheduler} paces out to the provider and whose
 * {@link io.pcmtrack.telephony.CallAudioReceiver} hands the caller's audio to the application.
 * Nothing below the adapter knows which WebSocket library is in use.
 */
package io.pcmtrack.telephony;
