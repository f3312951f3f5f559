package io.pcmtrack.server;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.pcmtrack.AudioStreamTrack;

/**
 * A conversation with the server's voice agent from this JVM, the way the page has it: POST
 * /agent, then a WHEP listener for the agent's voice and a WHIP publisher for the microphone (a
 * track of silence unless the test writes to it), both over 127.0.0.1.
 */
final class Conversation implements AutoCloseable {
    private static final Pattern LOCATION = Pattern.compile("\"location\":\"(/agent/[0-9a-f]{32})\"");

    final String base;
    final String location;
    final String token;
    final AudioStreamTrack microphone = AudioStreamTrack.create();
    final TestPeer voice;
    final TestPeer publisher;

    private Conversation(String base, String location, String token) {
        this.base = base;
        this.location = location;
        this.token = token;
        this.voice = TestPeer.listener();
        this.publisher = TestPeer.publisher(microphone);
    }

    /** Opens a conversation and connects both ways (together, as the page does). */
    static Conversation open(String base, String token) throws Exception {
        HttpResponse<String> r = send("POST", base + "/agent", token);
        if (r.statusCode() != 201) {
            throw new AssertionError("POST /agent got " + r.statusCode() + ": " + r.body());
        }
        Matcher m = LOCATION.matcher(r.body());
        if (!m.find()) {
            throw new AssertionError("no location in " + r.body());
        }
        Conversation c = new Conversation(base, m.group(1), token);
        try {
            CompletableFuture<Void> whep = CompletableFuture.runAsync(() -> connect(c.voice, base + c.location + "/whep", token));
            c.publisher.connect(base + c.location + "/whip", token);
            whep.get();
            return c;
        } catch (Exception | Error e) {
            c.close();
            throw e;
        }
    }

    private static void connect(TestPeer peer, String url, String token) {
        try {
            peer.connect(url, token);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    HttpResponse<String> state() throws Exception {
        return send("GET", base + location, token);
    }

    HttpResponse<String> delete() throws Exception {
        return send("DELETE", base + location, token);
    }

    static HttpResponse<String> send(String method, String url, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(15))
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return TestPeer.HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Closes the client side only (a page that hangs up without DELETE). */
    @Override
    public void close() {
        voice.close();
        publisher.close();
        microphone.close();
    }
}
