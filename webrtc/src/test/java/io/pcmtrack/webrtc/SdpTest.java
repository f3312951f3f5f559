package io.pcmtrack.webrtc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The SDP rewriting behind {@link CandidatePolicy#LOOPBACK}, and the direction check. */
class SdpTest {
    private static final String LOCAL = String.join("\n",
            "v=0", "o=- 1 2 IN IP4 127.0.0.1", "s=-", "t=0 0",
            "m=audio 50000 UDP/TLS/RTP/SAVPF 111", "c=IN IP4 192.0.2.7",
            "a=candidate:1 1 udp 2122260223 192.0.2.7 50000 typ host generation 0",
            "a=candidate:2 1 udp 2122262783 2001:db8::7 50001 typ host generation 0",
            "a=candidate:3 1 tcp 1518280447 192.0.2.7 9 typ host tcptype active generation 0",
            "a=candidate:4 1 udp 1686052607 198.51.100.1 50000 typ srflx raddr 192.0.2.7 rport 50000",
            "a=candidate:5 1 udp 2122260223 192.0.2.8 50000 typ host generation 0",
            "a=sendonly", "");

    @Test
    void localCandidatesBecomeOneUdpHostCandidateOn127001WithCrlf() {
        String out = Sdp.localForLoopback(LOCAL);
        assertThat(Sdp.lines(out)).filteredOn(l -> l.startsWith("a=candidate:"))
                .containsExactly("a=candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host generation 0",
                        "a=candidate:5 1 udp 2122260223 127.0.0.1 50000 typ host generation 0");
        assertThat(out).contains("c=IN IP4 127.0.0.1\r\n").endsWith("a=sendonly\r\n").doesNotContain("192.0.2.7");
        assertThat(out.replace("\r\n", "")).doesNotContain("\n");
    }

    @Test
    void remoteCandidatesOffLoopbackAreDropped() {
        String remote = "v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n"
                + "a=candidate:1 1 udp 1 127.0.0.1 4000 typ host\r\n"
                + "a=candidate:2 1 udp 1 10.0.0.1 4000 typ host\r\n"
                + "a=candidate:3 1 udp 1 abcd.local 4000 typ host\r\n";
        assertThat(Sdp.lines(Sdp.remoteForLoopback(remote))).filteredOn(l -> l.startsWith("a=candidate:"))
                .containsExactly("a=candidate:1 1 udp 1 127.0.0.1 4000 typ host");
    }

    @Test
    void theAudioDirectionIsTheFirstAudioSectionsOrTheSessionDefault() {
        assertThat(Sdp.audioDirection(LOCAL)).isEqualTo("sendonly");
        assertThat(Sdp.audioDirection("v=0\r\na=recvonly\r\nm=audio 9 RTP/AVP 0\r\n")).isEqualTo("recvonly");
        assertThat(Sdp.audioDirection("v=0\r\nm=video 9 RTP/AVP 96\r\na=sendonly\r\nm=audio 9 RTP/AVP 0\r\n"))
                .isEqualTo("sendrecv");
        assertThat(Sdp.audioDirection("v=0\r\nm=video 9 RTP/AVP 96\r\n")).isNull();
        assertThatThrownBy(() -> Sdp.audioDirection("<html>")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("v=0").hasMessageContaining("<html>");
    }
}
