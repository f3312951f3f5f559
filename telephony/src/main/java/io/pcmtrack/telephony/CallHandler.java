package io.pcmtrack.telephony;

/**
 * The application's side of an endpoint: called once per call, when the provider's start message
 * arrives, on the socket's thread. Return quickly (start a thread or hand the call to an executor
 * for the conversation); the call's audio starts flowing when this returns. An exception ends the
 * call (the socket is closed with 1011) and is logged; other calls are not affected.
 */
@FunctionalInterface
public interface CallHandler {
    void onCall(PhoneCall call) throws Exception;
}
