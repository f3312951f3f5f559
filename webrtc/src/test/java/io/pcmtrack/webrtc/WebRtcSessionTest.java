package io.pcmtrack.webrtc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import dev.onvoid.webrtc.RTCPeerConnectionState;
import io.pcmtrack.AudioStreamTrack;
import io.pcmtrack.PcmData;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Sessions against each other over 127.0.0.1: both offer directions, trickle, bad input, teardown. */
class WebRtcSessionTest {
    private static final Duration CONNECT = Duration.ofSeconds(10);
    private static final int LOUD = 4000;

    @BeforeAll
    static void nativeLibrary() {
        WebRtcNative.ensureAvailable();
    }

    @AfterEach
    void everythingGivenBack() {
        assertThat(WebRtcFactories.leaseCounts()).containsExactly(0, 0);
    }

    private static WebRtcSession.Options loopback() {
        return WebRtcSession.options().candidates(CandidatePolicy.LOOPBACK);
    }

    @Test
    void aNonTrickleLoopbackOfferIsCompleteWithOnly127001AndCrlf() {
        try (WebRtcSession s = WebRtcSession.sending(loopback())) {
            String offer = s.offer();
            List<String> candidates = Sdp.lines(offer).stream().filter(l -> l.startsWith("a=candidate:")).toList();
            assertThat(candidates).isNotEmpty().allSatisfy(c -> {
                assertThat(c.split(" ")[4]).isEqualTo("127.0.0.1");
                assertThat(c.split(" ")[2]).isEqualToIgnoringCase("udp");
            });
            assertThat(offer).doesNotContain("\r\r").contains("\r\n").doesNotContainPattern("[^\r]\n");
            assertThat(Sdp.audioDirection(offer)).isEqualTo("sendonly");
            assertThat(offer).contains("c=IN IP4 127.0.0.1");
        }
    }

    @Test
    void aReceiverThatOffersGetsTheSendersToneWhepStyle() throws Exception {
        // The WHEP shape: the listener offers recvonly, the publisher answers sendonly.
        try (WebRtcSession rx = WebRtcSession.receiving(loopback());
             WebRtcSession tx = WebRtcSession.sending(loopback());
             AudioStreamTrack track = AudioStreamTrack.create()) {
            String offer = rx.offer();
            assertThat(Sdp.audioDirection(offer)).isEqualTo("recvonly");
            String answer = tx.answer(offer);
            assertThat(Sdp.audioDirection(answer)).isEqualTo("sendonly");
            rx.accept(answer);
            tx.awaitConnected(CONNECT);
            rx.awaitConnected(CONNECT);
            assertThat(tx.isConnected()).isTrue();
            assertThat(tx.setupTime()).isNotNull();

            try (Capture cap = Capture.start(rx.receiver(), Duration.ofSeconds(6))) {
                track.write(PcmData.ofShorts(48_000, 1, Signals.tone(48_000, 1, 440, -6, 0, 48_000 * 2)), true);
                tx.publish(track);
                track.playout().get(5, TimeUnit.SECONDS);
                Thread.sleep(400);
                short[] x = cap.samples();
                int first = Signals.firstLoud(x, 0, x.length, LOUD);
                int last = Signals.lastLoud(x, 0, x.length, LOUD);
                assertThat(first).as("the tone arrived").isGreaterThanOrEqualTo(0);
                int a = first + 4800;
                int b = last - 4800;
                assertThat((last - first) / 48_000.0).as("tone seconds").isBetween(1.9, 2.4); // NetEq stretches while its buffer grows
                assertThat(Signals.dominantFrequency(x, a, b, 48_000)).isCloseTo(440, org.assertj.core.data.Offset.offset(2.0));
                assertThat(Signals.medianWindowDbfs(x, a, b, 480)).isCloseTo(-6, org.assertj.core.data.Offset.offset(0.5));
                assertThat(Signals.longestQuietRun(x, a, b, 300)).as("gap inside the tone").isLessThan(10);
            }
            RtcSendStats sent = tx.sendStats(Duration.ofSeconds(2));
            RtcAudioStats received = rx.receiveStats(Duration.ofSeconds(2));
            assertThat(sent.packetsSent()).as("packets sent").isGreaterThan(90);
            assertThat(sent.bytesSent()).isGreaterThan(sent.packetsSent());
            assertThat(received.packetsReceived()).as("packets received").isGreaterThan(90);
            assertThat(received.packetsLost()).isZero();
            assertThatThrownBy(() -> tx.receiveStats(Duration.ofSeconds(1))).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("use sendStats");
        }
    }

    @Test
    void trickledCandidatesConnectAndStateChangesReachListenersOnAJavaThread() throws Exception {
        WebRtcSession.Options trickle = loopback().trickle(true);
        try (WebRtcSession tx = WebRtcSession.sending(trickle);
             WebRtcSession rx = WebRtcSession.receiving(trickle)) {
            List<String> states = new CopyOnWriteArrayList<>();
            List<String> threads = new CopyOnWriteArrayList<>();
            CountDownLatch ended = new CountDownLatch(2);
            tx.onStateChange(s -> {
                states.add(s.name());
                threads.add(Thread.currentThread().getName());
            });
            tx.onLocalCandidate(c -> {
                if (c.isEnd()) {
                    ended.countDown();
                } else {
                    rx.addRemoteCandidate(c.mid(), c.mLineIndex(), c.candidate());
                }
            });
            rx.onLocalCandidate(c -> {
                if (c.isEnd()) {
                    ended.countDown();
                } else {
                    tx.addRemoteCandidate(c.mid(), c.mLineIndex(), "a=" + c.candidate());
                }
            });
            String offer = tx.offer();
            String answer = rx.answer(offer);
            tx.accept(answer);
            tx.awaitConnected(CONNECT);
            rx.awaitConnected(CONNECT);
            assertThat(ended.await(5, TimeUnit.SECONDS)).as("both ended gathering").isTrue();
            Thread.sleep(100);
            assertThat(states).contains("CONNECTED");
            assertThat(threads).allSatisfy(t -> assertThat(t).startsWith("pcmtrack-webrtc-session-"));
        }
    }

    @Test
    void badRemoteSdpIsRefusedWithTheReasonAndTheSessionStaysUsable() {
        try (WebRtcSession tx = WebRtcSession.sending(loopback());
             WebRtcSession rx = WebRtcSession.receiving(loopback())) {
            assertThatThrownBy(() -> tx.answer("hello")).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("v=0").hasMessageContaining("hello");
            assertThatThrownBy(() -> tx.answer("")).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("empty");
            assertThatThrownBy(() -> tx.answer("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
                    + "m=video 9 UDP/TLS/RTP/SAVPF 96\r\n")).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("no audio section");
            // A sending session cannot answer an offer that only sends.
            String sendOnly;
            try (WebRtcSession other = WebRtcSession.sending(loopback())) {
                sendOnly = other.offer();
            }
            assertThatThrownBy(() -> tx.answer(sendOnly)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("sendonly").hasMessageContaining("recvonly or sendrecv");
            // Syntactically broken SDP with an audio section: libwebrtc's own reason.
            assertThatThrownBy(() -> tx.answer("v=0\r\nm=audio x\r\n")).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("rejected");
            // Still usable after all that.
            tx.accept(rx.answer(tx.offer()));
            tx.awaitConnected(CONNECT);
        }
    }

    @Test
    void callsOutOfOrderAreRefusedNamingTheState() {
        try (WebRtcSession tx = WebRtcSession.sending(loopback())) {
            assertThatThrownBy(() -> tx.accept("v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n"))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("has not offered yet");
            assertThatThrownBy(tx::receiver).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("sends audio");
            tx.offer();
            assertThatThrownBy(tx::offer).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("already offered");
        }
    }

    @Test
    void waitingForAConnectionThatNeverComesTimesOutOrEndsAtClose() throws Exception {
        WebRtcSession tx = WebRtcSession.sending(loopback());
        try {
            tx.offer();
            assertThatThrownBy(() -> tx.awaitConnected(Duration.ofMillis(200))).isInstanceOf(WebRtcCallException.class)
                    .hasMessageContaining("did not connect within 200 ms").hasMessageContaining("pc=");
            Thread closer = new Thread(() -> {
                try {
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    return;
                }
                tx.close();
            });
            closer.start();
            long start = System.nanoTime();
            assertThatThrownBy(() -> tx.awaitConnected(Duration.ofSeconds(20))).isInstanceOf(WebRtcCallException.class)
                    .hasMessageContaining("closed");
            assertThat((System.nanoTime() - start) / 1e9).as("seconds until close ended the wait").isLessThan(5);
            closer.join();
        } finally {
            tx.close();
        }
        assertThat(tx.connectionState()).isEqualTo(RTCPeerConnectionState.CLOSED);
    }

    @Test
    void pushesAfterCloseAreDroppedAndCloseIsIdempotent() {
        WebRtcSession tx = WebRtcSession.sending(loopback());
        AudioPush push = tx.audioPush();
        byte[] chunk = new byte[960];
        push.push(chunk, 16, 48_000, 1, 480);
        tx.close();
        tx.close();
        push.push(chunk, 16, 48_000, 1, 480); // into a disposed source this would crash the JVM
        assertThat(tx.isClosed()).isTrue();
        assertThatThrownBy(tx::offer).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        try (AudioStreamTrack track = AudioStreamTrack.create()) {
            assertThatThrownBy(() -> tx.publish(track)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("closed");
        }
    }

    @Test
    void optionsRefuseBadValuesNamingThem() {
        assertThatThrownBy(() -> WebRtcSession.options().gatherTimeout(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("gatherTimeout").hasMessageContaining("PT0S");
        assertThatThrownBy(() -> WebRtcSession.options().trackId(" "))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("trackId");
        assertThatThrownBy(() -> IceServer.of("http://stun.example.org"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("http://stun.example.org");
        assertThat(IceServer.of("turn:t.example.org", "u", "secret").toString()).doesNotContain("secret");
    }
}
