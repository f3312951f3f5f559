package io.pcmtrack.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.pcmtrack.AudioStreamTrack;
import io.pcmtrack.PcmData;
import io.pcmtrack.webrtc.WebRtcAudioReceiver;
import io.pcmtrack.webrtc.WebRtcNative;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** WHEP and WHIP with real libwebrtc peers in this JVM, over 127.0.0.1. */
class WhepWhipEndpointTest {
    private AudioStreamTrack tone;
    private ToneFeeder feeder;
    private PcmTrackServer server;

    @BeforeAll
    static void nativeLibrary() {
        WebRtcNative.ensureAvailable();
    }

    private PcmTrackServer start(PcmTrackServer.Builder b) {
        tone = AudioStreamTrack.create();
        feeder = new ToneFeeder(tone, 1000, 0.5);
        server = b.port(0).track("tone", tone).build().start();
        return server;
    }

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
        if (feeder != null) {
            feeder.close();
        }
        if (tone != null) {
            tone.close();
        }
    }

    /**
     * Which hosts the server counts as reachable from this machine only: it offers loopback ICE candidates on
     * them, and warns when it serves any other without a token (no server is started: tests bind loopback only).
     */
    @Test
    void onlyANonLoopbackHostCountsAsReachableFromOtherMachines() {
        for (String host : new String[] {"127.0.0.1", "127.0.0.2", "localhost", "::1"}) {
            assertThat(PcmTrackServer.Builder.isLoopback(host)).as(host).isTrue();
        }
        for (String host : new String[] {"0.0.0.0", "::", "192.0.2.7", "2001:db8::1"}) {
            assertThat(PcmTrackServer.Builder.isLoopback(host)).as(host).isFalse();
        }
    }

    @Test
    void whepAnswersWith201AResourceAndOnlyALoopbackCandidate() throws Exception {
        start(PcmTrackServer.builder());
        try (TestPeer listener = TestPeer.listener()) {
            HttpResponse<String> r = listener.connect(server.url() + "/whep/tone", null);

            assertThat(r.statusCode()).isEqualTo(201);
            assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/sdp"));
            assertThat(r.headers().firstValue("Location")).hasValueSatisfying(l -> assertThat(l).matches("/whep/tone/[0-9a-f]{32}"));
            assertThat(r.headers().firstValue("ETag")).isPresent();
            assertThat(r.body()).contains("a=sendonly");
            assertThat(r.body().lines().filter(l -> l.startsWith("a=candidate:")))
                    .isNotEmpty().allSatisfy(l -> assertThat(l.split(" ")[4]).isEqualTo("127.0.0.1"));
            assertThat(server.listeners("tone")).isEqualTo(1);
        }
    }

    @Test
    void everyListenerHearsTheTrackFromOnePacing() throws Exception {
        start(PcmTrackServer.builder());
        try (TestPeer a = TestPeer.listener(); TestPeer b = TestPeer.listener()) {
            a.connect(server.url() + "/whep/tone", null);
            b.connect(server.url() + "/whep/tone", null);

            assertThat(server.listeners("tone")).isEqualTo(2);
            assertThat(server.schedulerStats().tracksAttached()).isEqualTo(1);
            for (TestPeer p : new TestPeer[] {a, b}) {
                float[] heard = record(p.receiver(), Duration.ofMillis(500), Duration.ofSeconds(1));
                assertThat(Tones.frequency(heard, 48_000)).isCloseTo(1000, within(10.0));
                assertThat(Tones.rmsDbfs(heard)).isCloseTo(-9.03, within(1.0));
            }
        }
    }

    @Test
    void deleteEndsTheSessionAndItsResourceIsGone() throws Exception {
        start(PcmTrackServer.builder());
        try (TestPeer listener = TestPeer.listener()) {
            listener.connect(server.url() + "/whep/tone", null);
            assertThat(server.sessions()).isEqualTo(1);
            HttpResponse<String> patch = TestPeer.HTTP.send(HttpRequest.newBuilder(URI.create(listener.resource()))
                    .header("Content-Type", "application/trickle-ice-sdpfrag")
                    .method("PATCH", HttpRequest.BodyPublishers.ofString("a=end-of-candidates\r\n")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(patch.statusCode()).isEqualTo(405);
            assertThat(patch.body()).contains("trickle");

            assertThat(TestPeer.delete(listener.resource(), null).statusCode()).isEqualTo(200);
            assertThat(server.sessions()).isZero();
            assertThat(server.listeners("tone")).isZero();
            HttpResponse<String> again = TestPeer.delete(listener.resource(), null);
            assertThat(again.statusCode()).isEqualTo(404);
            assertThat(again.body()).contains("no WHEP session at /whep/tone/");
        }
    }

    @Test
    void unknownTrackIs404NamingTheTracksThereAre() throws Exception {
        start(PcmTrackServer.builder());
        try (TestPeer listener = TestPeer.listener()) {
            HttpResponse<String> r = TestPeer.post(server.url() + "/whep/music", listener.offer(), null);
            assertThat(r.statusCode()).isEqualTo(404);
            assertThat(r.body()).contains("no track named 'music'").contains("tone");
        }
        assertThat(TestPeer.delete(server.url() + "/whep/tone/0123456789abcdef0123456789abcdef", null).statusCode())
                .isEqualTo(404);
    }

    @Test
    void badOffersGet400WithTheReason() throws Exception {
        start(PcmTrackServer.builder());
        String url = server.url() + "/whep/tone";

        HttpResponse<String> notSdp = TestPeer.post(url, "hello", null);
        assertThat(notSdp.statusCode()).isEqualTo(400);
        assertThat(notSdp.body()).contains("v=0").contains("hello");

        HttpResponse<String> empty = TestPeer.post(url, "", null);
        assertThat(empty.statusCode()).isEqualTo(400);
        assertThat(empty.body()).contains("empty");

        String offer;
        try (TestPeer listener = TestPeer.listener()) {
            offer = listener.offer();
        }
        HttpResponse<String> noAudio = TestPeer.post(url, offer.replace("m=audio ", "m=video "), null);
        assertThat(noAudio.statusCode()).isEqualTo(400);
        assertThat(noAudio.body()).contains("no audio section");

        HttpResponse<String> refused = TestPeer.post(url, offer.replaceAll("a=ice-ufrag:[^\r\n]*\r\n", ""), null);
        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(refused.body()).contains("rejected").contains("ice-ufrag");

        HttpResponse<String> sendOnly = TestPeer.post(url, offer.replace("a=recvonly", "a=sendonly"), null);
        assertThat(sendOnly.statusCode()).isEqualTo(400);
        assertThat(sendOnly.body()).contains("sendonly");
        assertThat(server.sessions()).isZero();
    }

    @Test
    void anythingButSdpIs415AndOversizedBodiesAre413() throws Exception {
        start(PcmTrackServer.builder().maxBodyBytes(4096));
        HttpResponse<String> json = TestPeer.HTTP.send(HttpRequest.newBuilder(URI.create(server.url() + "/whep/tone"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(json.statusCode()).isEqualTo(415);
        assertThat(json.body()).contains("application/sdp").contains("application/json");

        HttpResponse<String> big = TestPeer.post(server.url() + "/whep/tone", "v=0\r\n" + "a=x\r\n".repeat(2000), null);
        assertThat(big.statusCode()).isEqualTo(413);
        assertThat(big.body()).contains("at most 4096");
    }

    @Test
    void withATokenEveryRequestNeedsTheBearer() throws Exception {
        start(PcmTrackServer.builder().token("s3cret"));
        HttpResponse<String> none = get("/tracks", null);
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"pcmtrack\"");
        assertThat(get("/", null).statusCode()).isEqualTo(401);
        assertThat(get("/tracks", "Bearer wrong").statusCode()).isEqualTo(401);
        assertThat(get("/tracks", "Bearer s3cret").statusCode()).isEqualTo(200);
        assertThat(TestPeer.post(server.url() + "/whep/tone", "v=0", null).statusCode()).isEqualTo(401);
        assertThat(TestPeer.delete(server.url() + "/whep/tone/0123456789abcdef0123456789abcdef", "wrong").statusCode())
                .isEqualTo(401);

        try (TestPeer listener = TestPeer.listener()) {
            assertThat(listener.connect(server.url() + "/whep/tone", "s3cret").statusCode()).isEqualTo(201);
            assertThat(TestPeer.delete(listener.resource(), null).statusCode()).isEqualTo(401);
            assertThat(server.sessions()).isEqualTo(1);
            assertThat(TestPeer.delete(listener.resource(), "s3cret").statusCode()).isEqualTo(200);
        }
    }

    @Test
    void pagesFromAllowedOriginsMayCallTheEndpoints() throws Exception {
        start(PcmTrackServer.builder().token("s3cret").allowOrigin("https://app.example"));
        HttpResponse<String> preflight = TestPeer.HTTP.send(HttpRequest.newBuilder(URI.create(server.url() + "/whep/tone"))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", "https://app.example").header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", "authorization, content-type").build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(preflight.statusCode()).isEqualTo(204);
        assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin")).hasValue("https://app.example");
        assertThat(preflight.headers().firstValue("Access-Control-Allow-Methods").orElse("")).contains("POST", "DELETE");
        assertThat(preflight.headers().firstValue("Access-Control-Allow-Headers").orElse("")).contains("Authorization", "Content-Type");

        try (TestPeer listener = TestPeer.listener()) {
            HttpResponse<String> r = TestPeer.HTTP.send(HttpRequest.newBuilder(URI.create(server.url() + "/whep/tone"))
                    .header("Origin", "https://app.example").header("Authorization", "Bearer s3cret")
                    .header("Content-Type", "application/sdp").POST(HttpRequest.BodyPublishers.ofString(listener.offer()))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(201);
            assertThat(r.headers().firstValue("Access-Control-Allow-Origin")).hasValue("https://app.example");
            assertThat(r.headers().firstValue("Access-Control-Expose-Headers").orElse("")).contains("Location", "ETag");
        }

        HttpResponse<String> other = TestPeer.HTTP.send(HttpRequest.newBuilder(URI.create(server.url() + "/whep/tone"))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", "https://evil.example").header("Access-Control-Request-Method", "POST").build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(other.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
    }

    @Test
    void theSessionLimitRefusesWith503UntilASessionEnds() throws Exception {
        start(PcmTrackServer.builder().maxSessions(1));
        try (TestPeer a = TestPeer.listener(); TestPeer b = TestPeer.listener(); TestPeer c = TestPeer.listener()) {
            a.connect(server.url() + "/whep/tone", null);
            HttpResponse<String> refused = TestPeer.post(server.url() + "/whep/tone", b.offer(), null);
            assertThat(refused.statusCode()).isEqualTo(503);
            assertThat(refused.body()).contains("session limit reached: 1");

            TestPeer.delete(a.resource(), null);
            assertThat(c.connect(server.url() + "/whep/tone", null).statusCode()).isEqualTo(201);
        }
    }

    @Test
    void aSessionNeverConnectedIsEndedAfterTheIdleTimeout() throws Exception {
        start(PcmTrackServer.builder().idleTimeout(Duration.ofMillis(300)));
        String resource;
        try (TestPeer listener = TestPeer.listener()) {
            HttpResponse<String> r = TestPeer.post(server.url() + "/whep/tone", listener.offer(), null);
            assertThat(r.statusCode()).isEqualTo(201);
            resource = server.url() + r.headers().firstValue("Location").orElseThrow();
            // The answer is never applied: the client went away without DELETE.
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (server.sessions() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(server.sessions()).isZero();
        assertThat(server.listeners("tone")).isZero();
        assertThat(TestPeer.delete(resource, null).statusCode()).isEqualTo(404);
    }

    @Test
    void whipHandsThePublishedAudioToTheApplication() throws Exception {
        CompletableFuture<WhipPublication> published = new CompletableFuture<>();
        start(PcmTrackServer.builder().whip(published::complete));
        try (AudioStreamTrack mic = AudioStreamTrack.create(); ToneFeeder voice = new ToneFeeder(mic, 440, 0.25);
             TestPeer publisher = TestPeer.publisher(mic)) {
            assertThat(voice).isNotNull(); // it feeds the microphone track for the whole test
            HttpResponse<String> r = publisher.connect(server.url() + "/whip/caller-1", null);
            assertThat(r.headers().firstValue("Location")).hasValueSatisfying(l -> assertThat(l).startsWith("/whip/caller-1/"));
            assertThat(r.body()).contains("a=recvonly");

            WhipPublication p = published.get(5, TimeUnit.SECONDS);
            assertThat(p.name()).isEqualTo("caller-1");
            float[] heard = record(p.receiver(), Duration.ofMillis(500), Duration.ofSeconds(1));
            assertThat(Tones.frequency(heard, 48_000)).isCloseTo(440, within(4.4));
            assertThat(Tones.rmsDbfs(heard)).isCloseTo(-15.05, within(1.0));

            assertThat(TestPeer.delete(publisher.resource(), null).statusCode()).isEqualTo(200);
            p.ended().get(5, TimeUnit.SECONDS);
            assertThat(p.receiver().isOpen()).isFalse();
        }
    }

    @Test
    void withoutAHandlerWhipIs404() throws Exception {
        start(PcmTrackServer.builder());
        HttpResponse<String> r = TestPeer.post(server.url() + "/whip/mic", "v=0", null);
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(r.body()).contains("no WHIP");
    }

    @Test
    void thePageAndTheTrackListAreServed() throws Exception {
        start(PcmTrackServer.builder());
        HttpResponse<String> page = get("/", null);
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
        assertThat(page.body()).contains("window.pcmtrack");
        HttpResponse<String> list = get("/tracks", null);
        assertThat(list.body()).isEqualTo("{\"tracks\":[{\"name\":\"tone\",\"listeners\":0,\"sampleRate\":48000,\"channels\":1}],\"whip\":false}");
    }

    @Test
    void closingTheServerEndsEverySession() throws Exception {
        start(PcmTrackServer.builder());
        try (TestPeer a = TestPeer.listener(); TestPeer b = TestPeer.listener()) {
            a.connect(server.url() + "/whep/tone", null);
            b.connect(server.url() + "/whep/tone", null);
            server.close();
            assertThat(server.sessions()).isZero();
            assertThat(server.listeners("tone")).isZero();
            assertThat(server.schedulerStats().tracksAttached()).isZero();
            assertThat(tone.isLive()).isTrue();
        }
    }

    @Test
    void aTakenPortIsRefusedWithTheAddressNamedAndNothingLeftAttached() throws Exception {
        start(PcmTrackServer.builder());
        try (AudioStreamTrack other = AudioStreamTrack.create()) {
            PcmTrackServer second = PcmTrackServer.builder().port(server.port()).track("other", other).build();
            assertThatThrownBy(second::start).isInstanceOf(ServerStartException.class)
                    .hasMessageContaining("cannot serve on 127.0.0.1:" + server.port());
            assertThat(second.schedulerStats().tracksAttached()).isZero();
        }
    }

    @Test
    void badSettingsAreRefusedNamingTheValue() {
        assertThatThrownBy(() -> PcmTrackServer.builder().port(70_000)).hasMessage("port must be 0..65535, got 70000");
        assertThatThrownBy(() -> PcmTrackServer.builder().track("a/b", AudioStreamTrack.create()))
                .hasMessageContaining("got 'a/b'");
        assertThatThrownBy(() -> PcmTrackServer.builder().maxSessions(0)).hasMessage("maxSessions must be > 0, got 0");
        assertThatThrownBy(() -> PcmTrackServer.builder().token("with space")).hasMessageContaining("visible ASCII");
        assertThatThrownBy(() -> PcmTrackServer.builder().allowOrigin("app.example")).hasMessageContaining("'app.example'");
        try (AudioStreamTrack stereo96k = AudioStreamTrack.builder().sampleRate(96_000).build()) {
            assertThatThrownBy(() -> PcmTrackServer.builder().track("hifi", stereo96k))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("96000");
        }
    }

    private HttpResponse<String> get(String path, String authorization) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.url() + path));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return TestPeer.HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Skips {@code warmUp} of what the receiver delivers, then returns {@code length} of it as floats. */
    static float[] record(WebRtcAudioReceiver rx, Duration warmUp, Duration length) throws InterruptedException {
        int rate = rx.format().sampleRate();
        int skip = (int) (warmUp.toMillis() * rate / 1000);
        float[] out = new float[(int) (length.toMillis() * rate / 1000)];
        int n = 0;
        long deadline = System.nanoTime() + warmUp.plus(length).plusSeconds(5).toNanos();
        while (n < out.length) {
            PcmData chunk = rx.read(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            if (chunk == null) {
                throw new AssertionError("the receiver delivered " + n + " of " + out.length + " samples in time");
            }
            float[] f = chunk.toFloats();
            int from = Math.min(skip, f.length);
            skip -= from;
            int take = Math.min(f.length - from, out.length - n);
            System.arraycopy(f, from, out, n, take);
            n += take;
        }
        return out;
    }
}
