package io.pcmtrack.server;

/** A request that ends with an HTTP error status and a one-line reason as its plain-text body. */
final class HttpError extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final int status;

    HttpError(int status, String reason) {
        super(reason, null, false, false);
        this.status = status;
    }

    static HttpError badRequest(String reason) {
        return new HttpError(400, reason);
    }

    static HttpError notFound(String reason) {
        return new HttpError(404, reason);
    }
}
