package io.pcmtrack.webrtc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.pcmtrack.AudioStreamTrack;
import io.pcmtrack.PcmData;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The WHIP client against an in-test WHIP endpoint: every protocol path, failures included. */
class WhipClientTest {
    private static final int LOUD = 4000;
    private TestWhipServer server;

    @BeforeAll
    static void nativeLibrary() {
        WebRtcNative.ensureAvailable();
    }

    @BeforeEach
    void startServer() throws Exception {
        server = new TestWhipServer();
    }

    @AfterEach
    void everythingGivenBack() {
        server.close();
        assertThat(WebRtcFactories.leaseCounts()).containsExactly(0, 0);
    }

    private static WhipClient.Options loopback() {
        return WhipClient.options().candidates(CandidatePolicy.LOOPBACK);
    }

    private URI endpoint() {
        return URI.create(server.url("/whip/endpoint"));
    }

    /** The tone in {@code x}: its frequency, level, longest gap inside it (samples) and seconds. */
    private static double[] tone(short[] x) {
        int first = Signals.firstLoud(x, 0, x.length, LOUD);
        int last = Signals.lastLoud(x, 0, x.length, LOUD);
        assertThat(first).as("the tone arrived").isGreaterThanOrEqualTo(0);
        int a = first + 4800;
        int b = last - 4800;
        return new double[] {Signals.dominantFrequency(x, a, b, 48_000), Signals.medianWindowDbfs(x, a, b, 480),
                Signals.longestQuietRun(x, a, b, 300), (last - first) / 48_000.0};
    }

    @Test
    void publishesAToneAndDeletesTheResourceOnClose() throws Exception {
        server.token = "s3cret";
        WhipClient client;
        try (AudioStreamTrack track = AudioStreamTrack.create()) {
            client = WhipClient.publish(endpoint(), track, loopback().token("s3cret"));
            try (client) {
                assertThat(client.isConnected()).isTrue();
                assertThat(client.resource()).isEqualTo(URI.create(server.url("/whip/resource/1")));
                assertThat(client.etag()).isEqualTo("\"etag-1\"");
                assertThat(client.linkIceServers()).containsExactly(IceServer.of("stun:stun.example.net:3478"),
                        IceServer.of("turn:turn.example.net?transport=udp", "user", "pass,word"));
                track.write(PcmData.ofShorts(48_000, 1, Signals.tone(48_000, 1, 1000, -6, 0, 48_000 * 2)), true);
                track.playout().get(5, TimeUnit.SECONDS);
                Thread.sleep(300);
                double[] tone = tone(server.heard(1));
                assertThat(tone[0]).as("Hz").isCloseTo(1000, Offset.offset(5.0));
                assertThat(tone[1]).as("dBFS").isCloseTo(-6, Offset.offset(0.5));
                assertThat(tone[2]).as("longest gap, samples").isLessThan(10);
                assertThat(tone[3]).as("seconds").isBetween(1.9, 2.4); // NetEq stretches while its buffer grows
                assertThat(client.session().sendStats(Duration.ofSeconds(2)).packetsSent()).isGreaterThan(90);
            }
        }
        assertThat(server.requests).extracting(TestWhipServer.Request::method, TestWhipServer.Request::path)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("POST", "/whip/endpoint"),
                        org.assertj.core.groups.Tuple.tuple("DELETE", "/whip/resource/1"));
        assertThat(server.requests).allSatisfy(r -> assertThat(r.authorization()).isEqualTo("Bearer s3cret"));
        assertThat(server.requests.get(0).contentType()).isEqualTo("application/sdp");
        assertThat(server.sessions).isEmpty();
        assertThat(client.session()).isNull();
    }

    @Test
    void followsA307AndResolvesTheRelativeLocationAgainstTheUrlThatAnswered() {
        try (WhipClient client = WhipClient.connect(URI.create(server.url("/old/endpoint")), loopback())) {
            assertThat(client.resource()).isEqualTo(URI.create(server.url("/whip/resource/1")));
        }
        assertThat(server.requests).extracting(TestWhipServer.Request::method, TestWhipServer.Request::path)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("POST", "/old/endpoint"),
                        org.assertj.core.groups.Tuple.tuple("POST", "/whip/endpoint"),
                        org.assertj.core.groups.Tuple.tuple("DELETE", "/whip/resource/1"));
    }

    @Test
    void refusalsNameTheStatusAndTheBody() {
        server.token = "right";
        WhipException e = catchThrowableOfType(WhipException.class,
                () -> WhipClient.connect(endpoint(), loopback().token("wrong")));
        assertThat(e.status()).isEqualTo(403);
        assertThat(e.getMessage()).contains("HTTP 403 Forbidden").contains("Unauthorized").contains(endpoint().toString());

        server.token = null;
        server.override = offer -> TestWhipServer.Reply.of(503, "room is full\n  try later");
        e = catchThrowableOfType(WhipException.class, () -> WhipClient.connect(endpoint(), loopback()));
        assertThat(e.status()).isEqualTo(503);
        assertThat(e.body()).contains("room is full");
        assertThat(e.getMessage()).contains("HTTP 503 Service Unavailable: room is full try later");
        assertThat(server.sessions).isEmpty();
    }

    @Test
    void aBroken201IsRefusedAndItsResourceDeleted() {
        server.override = offer -> new TestWhipServer.Reply(201, Map.of("Content-Type", List.of("application/sdp")),
                "v=0\r\n", 0);
        assertThatThrownBy(() -> WhipClient.connect(endpoint(), loopback())).isInstanceOf(WhipException.class)
                .hasMessageContaining("without a Location");

        server.override = offer -> new TestWhipServer.Reply(201, Map.of("Content-Type", List.of("text/html"),
                "Location", List.of("/whip/resource/77")), "<html>hello</html>", 0);
        assertThatThrownBy(() -> WhipClient.connect(endpoint(), loopback())).isInstanceOf(WhipException.class)
                .hasMessageContaining("Content-Type 'text/html'").hasMessageContaining("application/sdp");

        server.override = offer -> new TestWhipServer.Reply(201, Map.of("Content-Type", List.of("application/sdp"),
                "Location", List.of("/whip/resource/78")), "v=0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\n", 0);
        assertThatThrownBy(() -> WhipClient.connect(endpoint(), loopback())).isInstanceOf(WhipException.class)
                .hasMessageContaining("cannot use").hasMessageContaining("no audio section");
        assertThat(server.requests).filteredOn(r -> r.method().equals("DELETE"))
                .extracting(TestWhipServer.Request::path).containsExactly("/whip/resource/77", "/whip/resource/78");
    }

    @Test
    void aSlowOrAbsentEndpointTimesOutOrFailsNamingIt() throws Exception {
        server.override = offer -> new TestWhipServer.Reply(500, Map.of(), "late", 3000);
        long start = System.nanoTime();
        assertThatThrownBy(() -> WhipClient.connect(endpoint(), loopback().requestTimeout(Duration.ofMillis(400))))
                .isInstanceOf(WhipException.class).hasMessageContaining("did not answer the POST")
                .hasMessageContaining("within 400 ms");
        assertThat((System.nanoTime() - start) / 1e9).isLessThan(2.5);

        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        assertThatThrownBy(() -> WhipClient.connect(URI.create("http://127.0.0.1:" + closedPort + "/whip"), loopback()))
                .isInstanceOf(WhipException.class).hasMessageContaining("could not POST the offer to")
                .hasMessageContaining(String.valueOf(closedPort));
        assertThatThrownBy(() -> WhipClient.connect(URI.create("ftp://127.0.0.1/whip"), loopback()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ftp://127.0.0.1/whip");
    }

    @Test
    void anIceFailureIsReportedAndTheResourceDeleted() {
        // A wrong ICE password in the answer: our connectivity checks are refused, so ICE never completes.
        server.answerRewrite = sdp -> sdp.replaceAll("a=ice-pwd:\\S+", "a=ice-pwd:wrongwrongwrongwrongwron");
        assertThatThrownBy(() -> WhipClient.connect(endpoint(), loopback().connectTimeout(Duration.ofMillis(1500))))
                .isInstanceOf(WhipException.class).hasMessageContaining("did not connect")
                .hasMessageContaining("ICE");
        assertThat(server.requests).extracting(TestWhipServer.Request::method).containsExactly("POST", "DELETE");
        assertThat(server.sessions).isEmpty();
    }

    @Test
    void whenTheFarEndDropsTheCallANewSessionCarriesOnWhileTheTrackKeepsPacing() throws Exception {
        try (AudioStreamTrack track = AudioStreamTrack.create();
             WhipClient client = WhipClient.publish(endpoint(), track, loopback()
                     .disconnectGrace(Duration.ofMillis(500)).backoff(Duration.ofMillis(200), Duration.ofSeconds(2)))) {
            track.write(PcmData.ofShorts(48_000, 1, Signals.tone(48_000, 1, 1000, -6, 0, 48_000 * 20)), true);
            Thread.sleep(500);
            long framesBefore = track.stats().framesEmitted();
            server.kill(1);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            while (client.sessions() < 2 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(client.sessions()).as("sessions after the far end dropped the first").isEqualTo(2);
            assertThat(client.isConnected()).isTrue();
            assertThat(client.resource()).isEqualTo(URI.create(server.url("/whip/resource/2")));
            long framesAfter = track.stats().framesEmitted();
            assertThat(framesAfter - framesBefore).as("frames paced while reconnecting").isGreaterThan(20);
            Thread.sleep(500); // the new session's jitter buffer starts up first
            int before = server.heard(2).length;
            Thread.sleep(1000);
            short[] x = server.heard(2);
            assertThat(x.length - before).as("samples heard in a second on the new session").isGreaterThan(40_000);
            assertThat(Signals.dominantFrequency(x, before, x.length, 48_000)).isCloseTo(1000, Offset.offset(5.0));
            assertThat(Signals.medianWindowDbfs(x, before, x.length, 480)).isCloseTo(-6, Offset.offset(0.5));
            assertThat(Signals.longestQuietRun(x, before, x.length, 300)).as("gap").isLessThan(10);
            assertThat(client.publisher().failure()).isNull();
            assertThat(server.requests).extracting(TestWhipServer.Request::method, TestWhipServer.Request::path)
                    .startsWith(org.assertj.core.groups.Tuple.tuple("POST", "/whip/endpoint"),
                            org.assertj.core.groups.Tuple.tuple("DELETE", "/whip/resource/1"),
                            org.assertj.core.groups.Tuple.tuple("POST", "/whip/endpoint"));
        }
    }

    @Test
    void linkHeadersAreParsedLikeRfc8288() {
        assertThat(LinkHeaders.iceServers(List.of(
                "<stun:a.example:3478>; rel=\"ice-server\", <https://x.example/>; rel=\"next\"",
                "<turns:t.example:443?transport=tcp>;rel=ice-server;username=\"u;1\";credential=\"p,\\\"q\\\"\"",
                "garbage, <http://not-ice.example>; rel=\"ice-server\"")))
                .containsExactly(IceServer.of("stun:a.example:3478"),
                        IceServer.of("turns:t.example:443?transport=tcp", "u;1", "p,\"q\""));
    }

    @Test
    void optionsRefuseBadValuesNamingThem() {
        assertThatThrownBy(() -> WhipClient.options().token("has space")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bearer token");
        assertThatThrownBy(() -> WhipClient.options().backoff(Duration.ofSeconds(2), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT2S").hasMessageContaining("PT1S");
        assertThatThrownBy(() -> WhipClient.options().maxRedirects(-1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("-1");
        assertThatThrownBy(() -> WhipClient.options().session(WebRtcSession.options().trickle(true)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("trickle");
    }
}
