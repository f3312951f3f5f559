package io.pcmtrack.server;

/**
 * What the application does with audio published over WHIP. Called once per publication, on a
 * thread of the server's (not an HTTP thread, never a libwebrtc thread), after the client got its
 * answer. The handler may read the receiver on that thread for as long as it likes, or hand it on
 * and return. An exception it throws is logged; the publication goes on until it is ended.
 */
@FunctionalInterface
public interface WhipHandler {
    void onPublish(WhipPublication publication) throws Exception;
}
