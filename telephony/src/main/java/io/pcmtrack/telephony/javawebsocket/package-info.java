/**
 * The adapter that serves {@link io.pcmtrack.telephony.MediaStreamEndpoint}s on a Java-WebSocket
 * server. It needs {@code org.java-websocket:Java-WebSocket} on the class path (an optional
 * dependency of this module); the rest of the module does not.
 */
package io.pcmtrack.telephony.javawebsocket;
