package io.pcmtrack.telephony;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import io.pcmtrack.MediaClock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every provider's connection shares: the per-connection limits (message size, messages per
 * second), the fault counters, the rate-limited log, and the call's lifecycle. A subclass parses
 * its provider's messages in {@link #text} and {@link #binary}.
 *
 * <p>Threads: the socket adapter calls {@link MessageHandler} methods one at a time, so the
 * counters below are written by that thread only ({@code volatile} for {@link #stats} readers).
 * Nothing thrown by a subclass or by the application reaches the adapter.
 */
abstract class StreamConnection implements MessageHandler {
    private static final Logger LOG = LoggerFactory.getLogger(StreamConnection.class);
    private static final long LOG_INTERVAL_NANOS = 10_000_000_000L;
    private static final long SECOND = 1_000_000_000L;

    protected final MessageSocket socket;
    protected final CallOptions options;
    protected final EndpointCounters endpoint;
    private final MediaClock clock;
    private final String provider;

    protected volatile PhoneCall call;
    private boolean closed;
    private long windowStart = Long.MIN_VALUE;
    private int windowCount;
    private long lastLogNanos;
    private long logged;

    protected volatile long messagesReceived;
    protected volatile long mediaReceived;
    protected volatile long dtmfReceived;
    protected volatile long sequenceGaps;
    protected volatile long outOfOrder;
    protected volatile long malformed;
    protected volatile long unknownEvents;
    protected volatile long badAudio;
    protected volatile long oversized;
    protected volatile long rateLimited;
    protected volatile long providerErrors;
    protected volatile long unknownMarkEchoes;

    StreamConnection(String provider, MessageSocket socket, CallOptions options, EndpointCounters endpoint) {
        this.provider = provider;
        this.socket = socket;
        this.options = options;
        this.endpoint = endpoint;
        this.clock = options.scheduler().clock();
        endpoint.connectionOpened();
    }

    /** A text message that passed the limits. */
    protected abstract void text(String text) throws Exception;

    /** A binary message that passed the limits. */
    protected abstract void binary(ByteBuffer data) throws Exception;

    @Override
    public final void onText(String text) {
        if (admit(text == null ? 0 : text.length())) {
            try {
                text(text);
            } catch (Exception | Error e) {
                fault(e);
            }
        }
    }

    @Override
    public final void onBinary(ByteBuffer data) {
        if (admit(data == null ? 0 : data.remaining())) {
            try {
                binary(data);
            } catch (Exception | Error e) {
                fault(e);
            }
        }
    }

    @Override
    public final void onClose(int code, String reason) {
        closed = true;
        PhoneCall c = call;
        if (c != null) {
            c.end("socket closed (" + code + (reason == null || reason.isEmpty() ? "" : " " + reason) + ")");
        }
    }

    /** Counts the message and applies the size and rate limits; false: drop it. */
    private boolean admit(int size) {
        messagesReceived++;
        if (closed) {
            return false;
        }
        if (size > options.maxMessageBytes()) {
            oversized++;
            problem("message of " + size + " bytes is over the limit of " + options.maxMessageBytes() + "; dropped");
            return false;
        }
        long now = clock.nanoTime();
        if (windowStart == Long.MIN_VALUE || now - windowStart >= SECOND) {
            windowStart = now;
            windowCount = 0;
        }
        if (++windowCount > options.maxMessagesPerSecond()) {
            rateLimited++;
            problem("more than " + options.maxMessagesPerSecond() + " messages in a second; dropped");
            return false;
        }
        return true;
    }

    private void fault(Throwable e) {
        if (e instanceof VirtualMachineError v) {
            throw v;
        }
        malformed++;
        problem("message could not be handled (" + e + "); dropped");
    }

    /** Starts the call: creates it, sends the lead, runs the application's handler, attaches the track. */
    protected final void startCall(CallInfo info, OutboundWire wire, int inboundRate, CallHandler handler) {
        if (call != null) {
            unknownEvents++;
            problem("a second start message on one connection; ignored");
            return;
        }
        PhoneCall c = new PhoneCall(info, options, wire, inboundRate, this);
        call = c;
        endpoint.callStarted();
        try {
            handler.onCall(c);
        } catch (Exception | Error e) {
            if (e instanceof VirtualMachineError v) {
                throw v;
            }
            endpoint.fault();
            LOG.warn("the application's call handler threw for {} call {}; the call is ended", provider, info.callId(), e);
            closeSocket(1011, "call handler failed");
            c.end("call handler failed: " + e);
            return;
        }
        if (c.isLive()) {
            try {
                c.start(options.scheduler());
            } catch (RuntimeException e) { // the scheduler was closed: the server is shutting down
                endpoint.fault();
                LOG.warn("{} call {} could not start its audio; the call is ended", provider, info.callId(), e);
                closeSocket(1011, "cannot start the call's audio");
                c.end("could not start: " + e.getMessage());
            }
        }
    }

    /** The provider said the stream is over. */
    protected final void stopCall(String reason) {
        PhoneCall c = call;
        if (c != null) {
            c.end(reason);
        }
    }

    /** Decoded caller audio for the call, if there is one yet. */
    protected final void deliver(short[] pcm, int count, int rate) {
        PhoneCall c = call;
        if (c == null) {
            unknownEvents++;
            problem("media before the start message; dropped");
            return;
        }
        mediaReceived++;
        c.received(pcm, count, rate);
    }

    protected final void dtmf(DtmfEvent event) {
        dtmfReceived++;
        PhoneCall c = call;
        if (c != null) {
            c.dtmf(event);
        }
    }

    /** Counts the problem in the endpoint's faults and logs it, at most once per 10 s per connection. */
    protected final void problem(String what) {
        endpoint.fault();
        logged++;
        long now = System.nanoTime();
        if (logged == 1 || now - lastLogNanos > LOG_INTERVAL_NANOS) {
            lastLogNanos = now;
            PhoneCall c = call;
            LOG.warn("{} stream from {}{}: {} ({} problems on this connection)", provider, socket.peer(),
                    c == null ? "" : " call " + c.info().callId(), what, logged);
        }
    }

    void handlerFailed(String what, RuntimeException e) {
        endpoint.fault();
        LOG.warn("{} stream from {}: {}", provider, socket.peer(), what, e);
    }

    void closeSocket(int code, String reason) {
        try {
            socket.close(code, reason);
        } catch (RuntimeException e) {
            LOG.debug("closing the socket failed", e);
        }
    }

    void callEnded() {
        endpoint.callEnded();
    }

    CallStats stats(OutboundLeg out) {
        return new CallStats(messagesReceived, mediaReceived, dtmfReceived, sequenceGaps, outOfOrder, malformed,
                unknownEvents, badAudio, oversized, rateLimited, providerErrors, out.framesSent(), out.leadFramesSent(),
                out.marksSent(), out.markEchoes(), unknownMarkEchoes, out.overdueMarks(), out.clearsSent());
    }

    static String utf8(ByteBuffer data) {
        return StandardCharsets.UTF_8.decode(data.duplicate()).toString();
    }
}
