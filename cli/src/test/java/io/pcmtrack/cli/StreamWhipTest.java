package io.pcmtrack.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.pcmtrack.webrtc.Signals;
import io.pcmtrack.webrtc.TestWhipServer;
import io.pcmtrack.webrtc.WebRtcNative;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code pcmtrack stream INPUT --to whip:URL}: against an in-test WHIP endpoint on 127.0.0.1. */
class StreamWhipTest {
    private TestWhipServer server;

    @BeforeAll
    static void nativeLibrary() {
        WebRtcNative.ensureAvailable();
    }

    @BeforeEach
    void start() throws Exception {
        server = new TestWhipServer();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void publishesTheInputInRealTimeThenDeletesAndExits0() {
        server.token("tok-1");
        long start = System.nanoTime();
        CliTest.Run r = CliTest.run("stream", "tone:1000", "--seconds", "2", "--to",
                "whip:" + server.url("/whip/endpoint"), "--token", "tok-1", "--candidates", "loopback");
        double seconds = (System.nanoTime() - start) / 1e9;
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("published to " + server.url("/whip/resource/1") + " in 1 WHIP session");
        assertThat(seconds).as("real time").isGreaterThan(1.9);
        assertThat(server.requests()).extracting(TestWhipServer.Request::method).containsExactly("POST", "DELETE");
        assertThat(server.requests()).allSatisfy(q -> assertThat(q.authorization()).isEqualTo("Bearer tok-1"));
        short[] heard = server.heard(1);
        int first = Signals.firstLoud(heard, 0, heard.length, 4000);
        int last = Signals.lastLoud(heard, 0, heard.length, 4000);
        assertThat(first).as("the tone arrived").isGreaterThanOrEqualTo(0);
        System.out.printf("whip stream: heard %.3f s of tone, %.2f Hz, %.2f dBFS, longest gap %d samples; %s%n",
                (last - first) / 48_000.0, Signals.dominantFrequency(heard, first + 4800, last - 4800, 48_000),
                Signals.sinePeakDbfs(heard, first + 4800, last - 4800),
                Signals.longestQuietRun(heard, first + 4800, last - 4800, 300), r.out().strip());
        assertThat((last - first) / 48_000.0).as("seconds of tone heard").isBetween(1.9, 2.4); // NetEq stretches the start while its jitter buffer grows
        assertThat(Signals.dominantFrequency(heard, first + 4800, last - 4800, 48_000)).isCloseTo(1000, within(5.0));
        assertThat(Signals.longestQuietRun(heard, first + 4800, last - 4800, 300)).as("gap").isLessThan(10);
        assertThat(Signals.medianWindowDbfs(heard, first + 4800, last - 4800, 480)).as("level, dBFS (tone:HZ is 0.5 peak)")
                .isCloseTo(20 * Math.log10(0.5), within(0.5));
    }

    @Test
    void aRefusedSessionIsOneLineNamingTheStatusAndExits1() {
        server.token("right");
        CliTest.Run r = CliTest.run("stream", "tone:1000", "--seconds", "1", "--to",
                "whip:" + server.url("/whip/endpoint"), "--token", "wrong", "--candidates", "loopback");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err().strip()).startsWith("pcmtrack: ").contains("HTTP 403").doesNotContain("\n");
        assertThat(r.err()).doesNotContain("\tat ");
    }

    @Test
    void aConnectionLostMidStreamAndNotBackByTheEndIsOneLineAndExit1() {
        // The far end drops the call 1 s in and refuses new sessions: the client cannot be
        // connected when the 7 s input ends (ICE notices in about 2.5 s; it waits 5 s more
        // before a new session, which is refused).
        server.onPost(offer -> server.requests().stream().filter(q -> q.method().equals("POST")).count() > 1
                ? TestWhipServer.Reply.of(503, "room closed") : null);
        java.util.concurrent.ScheduledExecutorService timer = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
        try {
            timer.scheduleAtFixedRate(() -> {
                if (server.heard(1).length > 48_000) {
                    server.kill(1);
                }
            }, 100, 100, java.util.concurrent.TimeUnit.MILLISECONDS);
            CliTest.Run r = CliTest.run("stream", "tone:1000", "--seconds", "7", "--to",
                    "whip:" + server.url("/whip/endpoint"), "--candidates", "loopback");
            assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(1);
            String err = r.err().lines().filter(l -> l.startsWith("pcmtrack: ")).findFirst().orElse(r.err());
            System.out.println("lost mid-stream: " + err);
            assertThat(err).contains("connection failed (ICE ").contains("not re-established");
            assertThat(r.err()).doesNotContain("\tat ");
        } finally {
            timer.shutdownNow();
        }
    }

    @Test
    void badWhipOptionsAreOneLineAndExit2() {
        CliTest.Run r = CliTest.run("stream", "tone:1000", "--to", "whip:ftp://127.0.0.1/x");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err().strip()).contains("http:// or https://").contains("ftp://127.0.0.1/x").doesNotContain("\n");
        r = CliTest.run("stream", "tone:1000", "--to", "null", "--token", "t");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("--token is for --to whip:URL");
        r = CliTest.run("stream", "tone:1000", "--to", "whip:" + server.url("/whip/endpoint"), "--candidates", "some");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("--candidates must be loopback, host or all, got 'some'");
        assertThat(server.requests()).isEmpty();
    }
}
