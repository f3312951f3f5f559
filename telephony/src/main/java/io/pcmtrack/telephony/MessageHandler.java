package io.pcmtrack.telephony;

import java.nio.ByteBuffer;

/**
 * What a WebSocket adapter calls for one connection. The adapter calls these methods from one
 * thread at a time per connection, in arrival order; they never throw and never block for long
 * (a bad message is counted and logged, not thrown back at the server).
 */
public interface MessageHandler {

    /** A whole text message arrived. */
    void onText(String text);

    /** A whole binary message arrived; the buffer is valid only during the call. */
    void onBinary(ByteBuffer data);

    /** The connection closed, by either side or because it failed; called once, last. */
    void onClose(int code, String reason);
}
