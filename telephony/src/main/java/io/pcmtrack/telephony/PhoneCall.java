package io.pcmtrack.telephony;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

import io.pcmtrack.AudioStreamTrack;
import io.pcmtrack.FrameScheduler;
import io.pcmtrack.PcmFormat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One phone call on a provider's media stream: an outgoing {@link AudioStreamTrack} whose frames
 * are sent to the provider, paced by the endpoint's {@link FrameScheduler}, and the caller's
 * audio, delivered by a {@link CallAudioReceiver}.
 *
 * <pre>{@code
 * TwilioEndpoint twilio = new TwilioEndpoint(CallOptions.of(scheduler), call -> {
 *     call.onDtmf(d -> System.out.println("pressed " + d.digit()));
 *     executor.execute(() -> converse(call));
 * });
 *
 * void converse(PhoneCall call) {
 *     call.track().write(greeting, true);                    // any format; sent as 8 kHz μ-law
 *     PcmData heard = call.audio().read(Duration.ofSeconds(5));
 *     call.track().flush();                                  // barge-in: the provider gets "clear" at once
 *     call.hangup();
 * }
 * }</pre>
 *
 * <p>The track belongs to the call: it is stopped when the call ends (writes then throw
 * {@code TrackEndedException}), and so is the receiver (reads drain what is queued, then throw).
 * The call ends when the provider sends its stop message, when the socket closes or fails, or
 * on {@link #hangup()}; {@link #ended()} completes with the reason. Methods are thread-safe.
 */
public final class PhoneCall implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PhoneCall.class);

    private final CallInfo info;
    private final AudioStreamTrack track;
    private final CallAudioReceiver audio;
    private final OutboundLeg outbound;
    private final StreamConnection connection;
    private final CopyOnWriteArrayList<Consumer<? super DtmfEvent>> dtmfListeners = new CopyOnWriteArrayList<>();
    private final CompletableFuture<String> ended = new CompletableFuture<>();
    private final AtomicBoolean ending = new AtomicBoolean();
    private volatile FrameScheduler.Attachment attachment;

    PhoneCall(CallInfo info, CallOptions options, OutboundWire wire, int inboundRate, StreamConnection connection) {
        this.info = info;
        this.connection = connection;
        FrameScheduler scheduler = options.scheduler();
        this.track = AudioStreamTrack.builder()
                .sampleRate(wire.sampleRate())
                .channels(1)
                .frameDuration(Duration.ofMillis(20))
                .bufferLimit(options.sendBufferLimit())
                .clock(scheduler.clock())
                .build();
        PcmFormat receive = options.receiveFormat() != null ? options.receiveFormat() : PcmFormat.s16(inboundRate, 1);
        this.audio = new CallAudioReceiver(receive, options.receiveBufferLimit());
        int leadFrames = (int) ((options.lead().toNanos() + 19_999_999L) / 20_000_000L);
        this.outbound = new OutboundLeg(track, wire, leadFrames);
    }

    /** Sends the lead and attaches the track to the scheduler: audio starts flowing. */
    void start(FrameScheduler scheduler) {
        outbound.prime();
        attachment = scheduler.attach(track, outbound);
    }

    /** Who the call is. */
    public CallInfo info() {
        return info;
    }

    /** The audio the caller hears: write to it; {@code flush()} is a barge-in. */
    public AudioStreamTrack track() {
        return track;
    }

    /** The caller's audio. */
    public CallAudioReceiver audio() {
        return audio;
    }

    /**
     * Calls {@code listener} with every key the caller presses, on the socket's thread (keep it
     * short). An exception is logged and counted; other listeners still run.
     */
    public void onDtmf(Consumer<? super DtmfEvent> listener) {
        dtmfListeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /** Completes, with the reason, once the call has ended. */
    public CompletableFuture<String> ended() {
        return ended.copy();
    }

    /** False once the call has ended. */
    public boolean isLive() {
        return !ended.isDone() && !ending.get();
    }

    public CallStats stats() {
        return connection.stats(outbound);
    }

    /** Ends the call: the media stream's socket is closed (1000) and everything is released. Idempotent. */
    public void hangup() {
        connection.closeSocket(1000, "hangup");
        end("hangup");
    }

    /** Same as {@link #hangup()}. */
    @Override
    public void close() {
        hangup();
    }

    // ---- driven by the connection ----

    void dtmf(DtmfEvent event) {
        for (Consumer<? super DtmfEvent> l : dtmfListeners) {
            try {
                l.accept(event);
            } catch (RuntimeException e) {
                connection.handlerFailed("DTMF listener threw", e);
            }
        }
    }

    void received(short[] pcm, int count, int rate) {
        audio.accept(pcm, count, rate);
    }

    OutboundLeg outbound() {
        return outbound;
    }

    /** Ends the call once, whatever ended it; never throws. */
    void end(String reason) {
        if (!ending.compareAndSet(false, true)) {
            return;
        }
        try {
            outbound.end();
            FrameScheduler.Attachment a = attachment;
            if (a != null) {
                a.close();
            }
            track.stop();
            audio.close();
        } catch (RuntimeException e) {
            LOG.warn("ending call {} failed part way", info.callId(), e);
        } finally {
            connection.callEnded();
            ended.complete(reason);
        }
    }

    @Override
    public String toString() {
        return "PhoneCall[" + info.provider() + " " + info.callId() + (isLive() ? "" : ", ended") + "]";
    }
}
