package io.pcmtrack.server;

/** The server could not start, typically because its address is taken or not local. */
public final class ServerStartException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ServerStartException(String message, Throwable cause) {
        super(message, cause);
    }
}
