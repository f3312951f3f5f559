package io.pcmtrack.webrtc;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * close() frees libwebrtc's objects, not only closes them: webrtc-java 0.14.0 keeps a reference
 * to every peer connection (and to addTrack's sender, addTransceiver's transceiver) that its
 * close() never drops, which kept each closed connection's memory and, through it, a disposed
 * factory's threads.
 */
class NativeTeardownTest {
    private static final Duration CONNECT = Duration.ofSeconds(10);

    @BeforeAll
    static void nativeLibrary() {
        WebRtcNative.ensureAvailable();
        assertThat(NativeReferences.available()).as("webrtc-java's native handles reachable on the class path").isTrue();
    }

    @AfterEach
    void everythingGivenBack() {
        WebRtcFactories.linger(Duration.ofMillis(WebRtcFactories.DEFAULT_LINGER_MILLIS));
        assertThat(WebRtcFactories.leaseCounts()).containsExactly(0, 0);
    }

    private static WebRtcSession.Options loopback() {
        return WebRtcSession.options().candidates(CandidatePolicy.LOOPBACK);
    }

    @Test
    void closingAConnectedSessionFreesItsConnectionInBothOfferDirections() {
        int before = WebRtcFactories.liveConnections();
        // WHEP's shape: the receiver offers (addTransceiver), the sender answers (addTrack).
        WebRtcSession rx = WebRtcSession.receiving(loopback());
        WebRtcSession tx = WebRtcSession.sending(loopback());
        rx.accept(tx.answer(rx.offer()));
        rx.awaitConnected(CONNECT);
        tx.awaitConnected(CONNECT);
        // WHIP's shape: the sender offers (addTrack), the receiver answers.
        WebRtcSession tx2 = WebRtcSession.sending(loopback());
        WebRtcSession rx2 = WebRtcSession.receiving(loopback());
        tx2.accept(rx2.answer(tx2.offer()));
        tx2.awaitConnected(CONNECT);
        rx2.awaitConnected(CONNECT);
        assertThat(WebRtcFactories.liveConnections() - before).isEqualTo(4);

        for (WebRtcSession s : new WebRtcSession[] {rx, tx, tx2, rx2}) {
            s.close();
            assertThat(s.connectionFreed()).as("%s: the last reference to its connection dropped", s).isTrue();
        }
        assertThat(WebRtcFactories.liveConnections()).isEqualTo(before);
    }

    @Test
    void closingWhileAnotherThreadNegotiatesNeverFreesUnderIt() throws Exception {
        // A DELETE or a server stop closes a session while its answer is being made: close() must
        // not free the connection while the answering thread is still inside libwebrtc through
        // objects (transceiver, receiver, track) that hold no reference of their own.
        int before = WebRtcFactories.liveConnections();
        int answered = 0;
        for (int round = 0; round < 30; round++) {
            WebRtcSession offerer = WebRtcSession.receiving(loopback());
            String offer = offerer.offer();
            WebRtcSession answerer = WebRtcSession.sending(loopback());
            java.util.concurrent.CompletableFuture<String> answer =
                    java.util.concurrent.CompletableFuture.supplyAsync(() -> answerer.answer(offer));
            try {
                Thread.sleep(round % 10); // close at a different point of the answer each round
                answerer.close();
                try {
                    answer.join();
                    answered++;
                } catch (java.util.concurrent.CompletionException e) {
                    assertThat(e.getCause()).as("round %d", round)
                            .isInstanceOfAny(IllegalStateException.class, WebRtcCallException.class);
                }
            } finally {
                answerer.close();
                offerer.close();
            }
            assertThat(answerer.connectionFreed()).as("round %d: the answerer's connection freed", round).isTrue();
            assertThat(offerer.connectionFreed()).as("round %d: the offerer's connection freed", round).isTrue();
        }
        assertThat(WebRtcFactories.liveConnections()).isEqualTo(before);
        System.out.printf("close() raced answer(): %d of 30 answers completed before the close%n", answered);
    }

    @Test
    void aSessionClosedBeforeNegotiatingIsFreedToo() {
        int before = WebRtcFactories.liveConnections();
        WebRtcSession never = WebRtcSession.receiving(loopback());
        WebRtcSession offered = WebRtcSession.sending(loopback());
        offered.offer();
        never.close();
        offered.close();
        assertThat(never.connectionFreed()).isTrue();
        assertThat(offered.connectionFreed()).isTrue();
        assertThat(WebRtcFactories.liveConnections()).isEqualTo(before);
    }

    @Test
    void aFactoryPerCallLeavesNoThreadBehind() throws Exception {
        // Linger 0: every call creates both factories and disposes them when it ends. A factory
        // owns three native threads (signaling, worker, network) and its audio device one more; a
        // closed connection that is never freed holds its factory's context, and with it those.
        WebRtcFactories.linger(Duration.ZERO);
        try (LoopbackCall warmUp = LoopbackCall.open()) {
            assertThat(warmUp.setupTime()).isPositive();
        }
        long before = threads();
        for (int i = 0; i < 6; i++) {
            try (LoopbackCall call = LoopbackCall.open()) {
                assertThat(call.setupTime()).isPositive();
            }
            assertThat(WebRtcFactories.anyCreated()).as("factories disposed after call %d", i).isFalse();
        }
        long after = threads();
        System.out.printf("6 calls, a factory pair each: OS threads %d -> %d%n", before, after);
        // The JVM starts and stops JIT and GC threads on its own: a few either way. Factories kept
        // alive by unfreed connections left four threads each, 24 over these calls.
        assertThat(after - before).as("OS threads left by 6 calls that each made and disposed their factories")
                .isLessThanOrEqualTo(6);
    }

    static long threads() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("Threads:")) {
                return Long.parseLong(line.substring(8).trim());
            }
        }
        throw new IllegalStateException("no Threads: line in /proc/self/status");
    }
}
