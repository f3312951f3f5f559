package io.pcmtrack.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.pcmtrack.agent.AgentOptions;
import io.pcmtrack.webrtc.WebRtcNative;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The voice agent's HTTP resources with real libwebrtc peers in this JVM, over 127.0.0.1. */
class AgentEndpointTest {
    private PcmTrackServer server;

    @BeforeAll
    static void nativeLibrary() {
        WebRtcNative.ensureAvailable();
    }

    private PcmTrackServer start(PcmTrackServer.Builder b) {
        server = b.port(0).agent(AgentOptions.defaults()).build().start();
        return server;
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void aConversationConnectsBothWaysReportsItsStateAndEndsOnDelete() throws Exception {
        start(PcmTrackServer.builder());
        try (Conversation c = Conversation.open(server.url(), null)) {
            assertThat(server.agentSessions()).isEqualTo(1);
            // Both legs count as connected on the server once ICE and DTLS are done on its side too.
            String state = awaitState(c, "\"voice\":\"connected\",\"microphone\":\"connected\"");
            assertThat(state).startsWith("{\"id\":\"" + c.location.substring(7) + "\"")
                    .contains("\"timeline\":{").contains("\"turns\":[]").contains("\"utterances\":0");
            HttpResponse<String> deleted = c.delete();
            assertThat(deleted.statusCode()).isEqualTo(200);
            assertThat(server.agentSessions()).isZero();
            assertThat(c.state().statusCode()).isEqualTo(404);
            assertThat(c.delete().statusCode()).isEqualTo(404);
        }
    }

    @Test
    void aSecondOfferForALegIsAConflictAndBadRequestsNameTheirValue() throws Exception {
        start(PcmTrackServer.builder());
        try (Conversation c = Conversation.open(server.url(), null); TestPeer another = TestPeer.listener()) {
            HttpResponse<String> again = TestPeer.post(server.url() + c.location + "/whep", another.offer(), null);
            assertThat(again.statusCode()).isEqualTo(409);
            assertThat(again.body()).contains("already has its voice");
            assertThat(Conversation.send("GET", server.url() + c.location + "?since=soon", null).body())
                    .contains("since must be an event number").contains("'soon'");
            assertThat(Conversation.send("GET", server.url() + "/agent/0123456789abcdef0123456789abcdef", null).statusCode())
                    .isEqualTo(404);
            HttpResponse<String> notSdp = Conversation.send("POST", server.url() + c.location + "/whip", null);
            assertThat(notSdp.statusCode()).isEqualTo(415);
            assertThat(Conversation.send("PATCH", server.url() + c.location + "/whep", null).statusCode()).isEqualTo(405);
            // None of it disturbed the conversation.
            assertThat(awaitState(c, "\"voice\":\"connected\",\"microphone\":\"connected\"")).isNotEmpty();
        }
    }

    @Test
    void limitsPerClientAndInTotal() throws Exception {
        start(PcmTrackServer.builder().maxAgentSessionsPerClient(2).maxAgentSessions(3));
        List<HttpResponse<String>> opened = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            opened.add(Conversation.send("POST", server.url() + "/agent", null));
        }
        assertThat(opened).allSatisfy(r -> assertThat(r.statusCode()).isEqualTo(201));
        HttpResponse<String> third = Conversation.send("POST", server.url() + "/agent", null);
        assertThat(third.statusCode()).isEqualTo(429);
        assertThat(third.body()).contains("client 127.0.0.1 has 2 agent sessions open; at most 2 per client");
        assertThat(server.agentSessions()).isEqualTo(2);
        // Deleting one frees the client's slot.
        String location = opened.get(0).headers().firstValue("Location").orElseThrow();
        assertThat(Conversation.send("DELETE", server.url() + location, null).statusCode()).isEqualTo(200);
        assertThat(Conversation.send("POST", server.url() + "/agent", null).statusCode()).isEqualTo(201);

        server.close();
        start(PcmTrackServer.builder().maxAgentSessionsPerClient(5).maxAgentSessions(2));
        assertThat(Conversation.send("POST", server.url() + "/agent", null).statusCode()).isEqualTo(201);
        assertThat(Conversation.send("POST", server.url() + "/agent", null).statusCode()).isEqualTo(201);
        HttpResponse<String> full = Conversation.send("POST", server.url() + "/agent", null);
        assertThat(full.statusCode()).isEqualTo(503);
        assertThat(full.body()).contains("agent session limit reached: 2");
    }

    @Test
    void aTokenGuardsTheAgentAndItsPage() throws Exception {
        start(PcmTrackServer.builder().token("s3cret"));
        assertThat(Conversation.send("POST", server.url() + "/agent", null).statusCode()).isEqualTo(401);
        assertThat(Conversation.send("GET", server.url() + "/", null).statusCode()).isEqualTo(401);
        assertThat(Conversation.send("POST", server.url() + "/agent", "wrong").statusCode()).isEqualTo(401);
        HttpResponse<String> page = Conversation.send("GET", server.url() + "/", "s3cret");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("window.pcmtrackAgent");
        assertThat(Conversation.send("GET", server.url() + "/tracks.html", "s3cret").body()).contains("window.pcmtrack =");
        try (Conversation c = Conversation.open(server.url(), "s3cret")) {
            assertThat(c.delete().statusCode()).isEqualTo(200);
        }
    }

    @Test
    void aPageThatHangsUpOrNeverConnectsIsEndedAfterTheIdleTimeout() throws Exception {
        start(PcmTrackServer.builder().idleTimeout(Duration.ofSeconds(1)));
        Conversation.send("POST", server.url() + "/agent", null); // never connects
        Conversation c = Conversation.open(server.url(), null);
        assertThat(server.agentSessions()).isEqualTo(2);
        c.close(); // hangs up without DELETE
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (server.agentSessions() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(server.agentSessions()).isZero();
        assertThat(c.state().statusCode()).isEqualTo(404);
    }

    @Test
    void closingTheServerEndsEveryConversation() throws Exception {
        start(PcmTrackServer.builder());
        try (Conversation a = Conversation.open(server.url(), null); Conversation b = Conversation.open(server.url(), null)) {
            assertThat(server.agentSessions()).isEqualTo(2);
            assertThat(a.location).isNotEqualTo(b.location);
            server.close();
            assertThat(server.agentSessions()).isZero();
            assertThatThrownBy(a::state).isInstanceOf(java.io.IOException.class);
            assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().equals("pcmtrack-agent-ticker"));
        }
    }

    @Test
    void badSettingsNameTheirValue() {
        assertThatThrownBy(() -> PcmTrackServer.builder().maxAgentSessions(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("maxAgentSessions must be > 0, got 0");
        assertThatThrownBy(() -> PcmTrackServer.builder().maxAgentSessionsPerClient(-1))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("maxAgentSessionsPerClient must be > 0, got -1");
        assertThatThrownBy(() -> PcmTrackServer.builder().agent(null)).isInstanceOf(NullPointerException.class);
    }

    private static String awaitState(Conversation c, String expected) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        String body = "";
        while (System.nanoTime() < deadline) {
            HttpResponse<String> r = c.state();
            assertThat(r.statusCode()).isEqualTo(200);
            body = r.body();
            if (body.contains(expected)) {
                return body;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the state never had " + expected + ": " + body);
    }
}
