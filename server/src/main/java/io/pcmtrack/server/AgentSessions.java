package io.pcmtrack.server;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The voice-agent sessions, by id: at most {@code maxTotal} at once and {@code maxPerClient} per
 * client address; one thread that ticks every agent (so an answer goes on being written while
 * the microphone delivers nothing) and ends sessions whose page hung up, whose connections
 * failed, or that were not fully connected for the idle timeout.
 *
 * <p>Thread-safe.
 */
final class AgentSessions implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AgentSessions.class);
    /** Agent ticks: well within the agent's lead minus its burst (400 - 200 ms). */
    private static final long TICK_MILLIS = 50;

    private final int maxTotal;
    private final int maxPerClient;
    private final long idleNanos;
    private final ConcurrentHashMap<String, AgentSession> sessions = new ConcurrentHashMap<>();
    private final ScheduledExecutorService ticker;
    // Guarded by this.
    private final Map<String, Integer> perClient = new HashMap<>();
    private boolean closed;

    AgentSessions(int maxTotal, int maxPerClient, Duration idleTimeout) {
        this.maxTotal = maxTotal;
        this.maxPerClient = maxPerClient;
        this.idleNanos = idleTimeout.toNanos();
        this.ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "pcmtrack-agent-ticker");
            t.setDaemon(true);
            return t;
        });
        ticker.scheduleWithFixedDelay(this::tickAndReap, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
    }

    /**
     * Registers a session made by {@code create} for {@code client}.
     *
     * @throws HttpError 429 over the client's limit, 503 over the total or while shutting down
     */
    AgentSession open(String client, java.util.function.Supplier<AgentSession> create) {
        synchronized (this) {
            if (closed) {
                throw new HttpError(503, "the server is shutting down");
            }
            if (sessions.size() >= maxTotal) {
                throw new HttpError(503, "agent session limit reached: " + maxTotal + " conversations are open");
            }
            int mine = perClient.getOrDefault(client, 0);
            if (mine >= maxPerClient) {
                throw new HttpError(429, "client " + client + " has " + mine + " agent sessions open; at most "
                        + maxPerClient + " per client (DELETE one first)");
            }
            AgentSession s = create.get();
            sessions.put(s.id, s);
            perClient.merge(client, 1, Integer::sum);
            return s;
        }
    }

    AgentSession get(String id) {
        return sessions.get(id);
    }

    /** Removes and closes the session; false if there is none with that id. */
    boolean end(String id) {
        AgentSession s = sessions.remove(id);
        if (s == null) {
            return false;
        }
        synchronized (this) {
            perClient.computeIfPresent(s.client, (k, n) -> n <= 1 ? null : n - 1);
        }
        s.close();
        return true;
    }

    int size() {
        return sessions.size();
    }

    private void tickAndReap() {
        try {
            long now = System.nanoTime();
            for (AgentSession s : sessions.values()) {
                String hungUp = s.hungUp();
                long idle = s.idleNanos(now);
                if (hungUp != null || idle > idleNanos) {
                    LOG.info("ending {}: {}", s, hungUp != null ? hungUp
                            : "not connected both ways for " + idle / 1_000_000 + " ms");
                    end(s.id);
                } else {
                    s.tick();
                }
            }
        } catch (RuntimeException | Error e) {
            LOG.warn("the agent ticker failed; it runs again", e);
        }
    }

    /** Refuses new sessions and ends every session. */
    @Override
    public void close() {
        synchronized (this) {
            closed = true;
        }
        ticker.shutdownNow();
        try {
            ticker.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        List<String> ids = new ArrayList<>(sessions.keySet());
        for (String id : ids) {
            end(id);
        }
    }
}
