package io.pcmtrack.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

/** Agents have no threads of their own: creating and closing many leaves nothing behind. */
class AgentLifecycleTest {

    @Test
    void twoHundredAgentsCreatedAndClosedLeaveNoThreadBehind() {
        talkOnce(); // the track's shared event thread (marks) starts once per JVM
        Set<String> before = threadNames();
        for (int i = 0; i < 200; i++) {
            talkOnce();
        }
        Set<String> after = threadNames();
        assertThat(after).as("threads after 200 agents").isSubsetOf(before);
    }

    /** One agent through one utterance and answer (mark included), then closed; returns its answer. */
    private static AgentTurn talkOnce() {
        SimulatedCall call = new SimulatedCall();
        call.feed(new Signals(16_000).silence(100).tone(300, 440, -20).silence(900).pcm());
        call.close();
        assertThat(call.agent.track().isLive()).isFalse();
        return call.agent.timeline().agentTurns().get(0);
    }

    private static Set<String> threadNames() {
        // "Attach Listener" is the JVM's own, started when a tool such as jcmd attaches
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive)
                .filter(t -> !t.getName().equals("Attach Listener"))
                .map(t -> t.getName() + "#" + t.getId()).collect(Collectors.toSet());
    }
}
