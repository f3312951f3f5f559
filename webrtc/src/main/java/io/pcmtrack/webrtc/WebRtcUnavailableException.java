package io.pcmtrack.webrtc;

/**
 * The libwebrtc native library cannot be used in this JVM: the native jar is missing from the
 * class path, the platform has no build, or the shared library failed to link (on Debian/Ubuntu
 * usually because {@code libpulse0} is not installed). The message names the cause and the fix;
 * the original error is the cause.
 *
 * <p>Thrown by everything in this module that needs the native library. The outcome of the first
 * attempt to load is cached: once thrown, it is thrown again (a new instance, same message) on
 * every later attempt, because a JVM cannot retry loading a class whose initializer failed.
 */
public final class WebRtcUnavailableException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    public WebRtcUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
