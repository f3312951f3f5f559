package io.pcmtrack.server;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import io.pcmtrack.AudioStreamTrack;
import io.pcmtrack.webrtc.CandidatePolicy;
import io.pcmtrack.webrtc.WebRtcAudioReceiver;
import io.pcmtrack.webrtc.WebRtcSession;

/**
 * A WHEP listener or WHIP publisher in this JVM, talking to the server over HTTP and UDP on
 * 127.0.0.1, the way a foreign client would.
 */
final class TestPeer implements AutoCloseable {
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    final WebRtcSession session;
    private String resource;

    private TestPeer(WebRtcSession session) {
        this.session = session;
    }

    /** A WHEP client: offers to receive audio only. */
    static TestPeer listener() {
        return new TestPeer(WebRtcSession.receiving(WebRtcSession.options().candidates(CandidatePolicy.LOOPBACK)));
    }

    /** A WHIP client: offers to send {@code track}, pushed in real time. */
    static TestPeer publisher(AudioStreamTrack track) {
        TestPeer p = new TestPeer(WebRtcSession.sending(WebRtcSession.options().candidates(CandidatePolicy.LOOPBACK)));
        p.session.publish(track);
        return p;
    }

    /** The complete offer (created once). */
    String offer() {
        if (offer == null) {
            offer = session.offer();
        }
        return offer;
    }

    private String offer;

    /** POSTs the offer to {@code url}, takes the answer and waits until connected; returns the 201. */
    HttpResponse<String> connect(String url, String token) throws Exception {
        HttpResponse<String> r = post(url, offer(), token);
        if (r.statusCode() != 201) {
            throw new AssertionError("POST " + url + " got " + r.statusCode() + ": " + r.body());
        }
        resource = URI.create(url).resolve(r.headers().firstValue("Location").orElseThrow()).toString();
        session.accept(r.body());
        session.awaitConnected(Duration.ofSeconds(10));
        return r;
    }

    String resource() {
        return resource;
    }

    WebRtcAudioReceiver receiver() {
        return session.receiver();
    }

    static HttpResponse<String> post(String url, String sdp, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(15))
                .header("Content-Type", "application/sdp").POST(HttpRequest.BodyPublishers.ofString(sdp));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> delete(String url, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(15)).DELETE();
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Override
    public void close() {
        session.close();
    }
}
