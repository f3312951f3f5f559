package io.pcmtrack.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Locale;

import io.pcmtrack.webrtc.WebRtcNative;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * 200 conversations with the voice agent, opened and deleted one after another, against a server
 * in a process of its own (heap fixed and pre-touched, so its resident memory grows only with
 * native memory): no thread is left behind, Java's or libwebrtc's, and every libwebrtc peer
 * connection the conversations created is freed, not only closed. Resident memory is printed and
 * its growth per conversation after the warm-up bounded well below what a leaked peer connection
 * costs (the bound leaves room for the JIT's own growth; docs/BENCHMARKS.md has runs).
 */
class AgentChurnTest {
    /** 200; more with -DagentChurn.conversations=N (past the JIT's warm-up, about 300). */
    private static final int CONVERSATIONS = Integer.getInteger("agentChurn.conversations", 200);
    private static final int WARM_UP = Integer.getInteger("agentChurn.warmUp", 10);

    @BeforeAll
    static void nativeLibrary() {
        WebRtcNative.ensureAvailable();
    }

    @Test
    void twoHundredConversationsOpenedAndDeletedLeaveNoThreadAndNoPeerConnection() throws Exception {
        try (ChildServer server = new ChildServer(null, List.of("-Xms128m", "-Xmx128m", "-XX:+AlwaysPreTouch"), AgentTestServer.class)) {
            String base = "http://127.0.0.1:" + server.port;
            long baselineKb = 0;
            String baselineThreads = null;
            long start = System.nanoTime();
            for (int i = 1; i <= CONVERSATIONS; i++) {
                try (Conversation c = Conversation.open(base, null)) {
                    assertThat(c.state().statusCode()).isEqualTo(200);
                    assertThat(c.delete().statusCode()).isEqualTo(200);
                }
                if (i == WARM_UP) {
                    Thread.sleep(1_000);
                    baselineKb = server.rssKb();
                    baselineThreads = threads(server);
                    System.out.printf(Locale.ROOT, "after %d conversations: server RSS %.1f MB, %s%n", i, baselineKb / 1024.0, baselineThreads);
                } else if (i % 50 == 0) {
                    System.out.printf(Locale.ROOT, "after %d conversations: server RSS %.1f MB, %s%n", i, server.rssKb() / 1024.0, threads(server));
                }
            }
            Thread.sleep(1_000);
            long afterKb = server.rssKb();
            String afterThreads = threads(server);
            double perConversation = (afterKb - baselineKb) / (double) (CONVERSATIONS - WARM_UP);
            System.out.printf(Locale.ROOT, "%d conversations in %.1f s; server RSS %.1f MB after %d, %.1f MB after %d: %+.1f KB per conversation; %s%n",
                    CONVERSATIONS, (System.nanoTime() - start) / 1e9, baselineKb / 1024.0, WARM_UP, afterKb / 1024.0, CONVERSATIONS,
                    perConversation, afterThreads);
            // Flat after the first few, but for what the JVM itself still grows by in its first few hundred
            // conversations (the JIT: +30..60 KB per conversation over 10..200 measured, 6..7 KB past 350;
            // docs/BENCHMARKS.md); a closed peer connection that stayed allocated cost 200 KB per conversation.
            assertThat(perConversation).as("server RSS growth per conversation after %d, KB", WARM_UP).isLessThan(120);
            server.send("sessions");
            assertThat(server.expect("SESSIONS ", Duration.ofSeconds(10))).isEqualTo("SESSIONS 0");
            // Every thread a conversation started (receiver listener, WebRTC sessions' event threads) is gone.
            assertThat(afterThreads.split(" ")[1]).isEqualTo(baselineThreads.split(" ")[1]);
            int total = Integer.parseInt(afterThreads.split(" ")[0].substring(6));
            int totalBefore = Integer.parseInt(baselineThreads.split(" ")[0].substring(6));
            assertThat(total).as("threads alive (Jetty's pool may keep a few)").isLessThanOrEqualTo(totalBefore + 4);
            int os = Integer.parseInt(afterThreads.split(" ")[2].substring(3));
            int osBefore = Integer.parseInt(baselineThreads.split(" ")[2].substring(3));
            assertThat(os).as("the process's threads, libwebrtc's included").isLessThanOrEqualTo(osBefore + 4);
            // Two peer connections per conversation: all 400 freed (webrtc-java's close() alone frees none).
            server.send("connections");
            assertThat(server.expect("CONNECTIONS ", Duration.ofSeconds(10))).isEqualTo("CONNECTIONS 0");
        }
    }

    /** "total=n pcmtrack=m" of the server process. */
    private static String threads(ChildServer server) throws Exception {
        server.send("threads");
        return server.expect("THREADS ", Duration.ofSeconds(10)).substring(8);
    }
}
