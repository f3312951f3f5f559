package io.pcmtrack.cli;

/** A problem the user can fix (a bad file, a bad option): printed as one line, no stack trace. */
final class UserException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int exitCode;

    UserException(String message) {
        this(message, Main.EXIT_BAD_INPUT);
    }

    UserException(String message, int exitCode) {
        super(message);
        this.exitCode = exitCode;
    }

    int exitCode() {
        return exitCode;
    }
}
