package io.pcmtrack.agent;

/**
 * Receives a {@link ParrotAgent}'s events, in order, on the thread that fed the audio (or called
 * {@code tick()} or {@code close()}), while the agent holds its lock: return quickly (hand the
 * event to a queue or a socket's async send), read the agent freely ({@code timeline()}), but
 * do not call its {@code accept}, {@code tick} or {@code close} from here (they throw
 * {@link IllegalStateException}). An exception is logged; the agent and the other listeners go on.
 */
@FunctionalInterface
public interface AgentListener {
    void onEvent(AgentEvent event);
}
