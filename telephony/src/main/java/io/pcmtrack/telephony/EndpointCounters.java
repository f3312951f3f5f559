package io.pcmtrack.telephony;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/** The counters behind {@link EndpointStats}, shared by an endpoint's connections. */
final class EndpointCounters {
    private final LongAdder connections = new LongAdder();
    private final LongAdder callsStarted = new LongAdder();
    private final AtomicLong callsActive = new AtomicLong();
    private final LongAdder faults = new LongAdder();

    void connectionOpened() {
        connections.increment();
    }

    void callStarted() {
        callsStarted.increment();
        callsActive.incrementAndGet();
    }

    void callEnded() {
        callsActive.decrementAndGet();
    }

    void fault() {
        faults.increment();
    }

    EndpointStats snapshot() {
        return new EndpointStats(connections.sum(), callsStarted.sum(), callsActive.get(), faults.sum());
    }
}
