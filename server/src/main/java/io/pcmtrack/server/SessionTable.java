package io.pcmtrack.server;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's live sessions, by id: a hard limit on how many exist at once (slots are reserved
 * before any native object is created), and a reaper that ends sessions whose peer has not been
 * connected for longer than the idle timeout (a client that vanished without DELETE) or whose ICE
 * failed.
 *
 * <p>Thread-safe.
 */
final class SessionTable implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SessionTable.class);

    private final int maxSessions;
    private final long idleNanos;
    private final ConcurrentHashMap<String, Session> sessions = new ConcurrentHashMap<>();
    private final ScheduledExecutorService reaper;
    // Guarded by this.
    private int slots;
    private boolean closed;

    SessionTable(int maxSessions, Duration idleTimeout) {
        this.maxSessions = maxSessions;
        this.idleNanos = idleTimeout.toNanos();
        this.reaper = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "pcmtrack-server-reaper");
            t.setDaemon(true);
            return t;
        });
        long period = Math.max(50, Math.min(1_000, idleTimeout.toMillis() / 4));
        reaper.scheduleWithFixedDelay(this::reap, period, period, TimeUnit.MILLISECONDS);
    }

    /**
     * Takes a slot for a session about to be set up.
     *
     * @throws HttpError 503 when the limit is reached or the server is shutting down
     */
    synchronized void reserve() {
        if (closed) {
            throw new HttpError(503, "the server is shutting down");
        }
        if (slots >= maxSessions) {
            throw new HttpError(503, "session limit reached: " + maxSessions + " sessions are open");
        }
        slots++;
    }

    /** Gives back a slot whose session never came to be. */
    synchronized void release() {
        slots--;
    }

    /** Adds a session set up in a reserved slot; a server shutting down meanwhile closes it at once. */
    void add(Session s) {
        synchronized (this) {
            if (!closed) {
                sessions.put(s.id, s);
                return;
            }
            slots--;
        }
        s.close();
        throw new HttpError(503, "the server is shutting down");
    }

    Session get(String id) {
        return sessions.get(id);
    }

    /** Removes and closes the session; false if there is none with that id. */
    boolean end(String id) {
        Session s = sessions.remove(id);
        if (s == null) {
            return false;
        }
        synchronized (this) {
            slots--;
        }
        s.close();
        return true;
    }

    int size() {
        return sessions.size();
    }

    private void reap() {
        try {
            long now = System.nanoTime();
            for (Session s : sessions.values()) {
                boolean failed = s.failed();
                if (failed || s.idleNanos(now) > idleNanos) {
                    LOG.info("ending {}: {}", s, failed ? "its connection " + s.webrtc.connectionState()
                            : "not connected for " + Duration.ofNanos(s.idleNanos(now)).toMillis() + " ms");
                    end(s.id);
                }
            }
        } catch (RuntimeException | Error e) {
            LOG.warn("the idle session reaper failed; it runs again", e);
        }
    }

    /** Refuses new sessions and closes every session. */
    @Override
    public void close() {
        synchronized (this) {
            closed = true;
        }
        reaper.shutdownNow();
        List<String> ids = new ArrayList<>(sessions.keySet());
        for (String id : ids) {
            end(id);
        }
    }
}
