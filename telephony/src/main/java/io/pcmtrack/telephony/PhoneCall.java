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
    private static final Duration FRAME = Duration.ofMillis(20);

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
                // A stall longer than the lead is not made up with a burst the provider would
                // queue behind the lead: the slots beyond it are skipped, no audio is lost.
                .maxCatchUp(options.lead().compareTo(FRAME) < 0 ? FRAME : options.lead())
                .clock(scheduler.clock())
                .resampling(options.resampling())
                .build();
        PcmFormat receive = options.receiveFormat() != null ? options.receiveFormat() : PcmFormat.s16(inboundRate, 1);
        this.audio = new CallAudioReceiver(receive, options.receiveBufferLimit(), options.resampling());
        int leadFrames = (int) ((options.lead().toNanos() + 19_999_999L) / 20_000_000L);
        this.outbound = new OutboundLeg(track, wire, leadFrames, scheduler.clock(), options.markEchoTimeout().toNanos());
        track.addFlushListener(outbound::flushed);
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
     * Places a mark after everything written to {@link #track()} so far, which resolves from what
     * the provider reports (see {@link CallMark}): it is sent as the provider's mark message
     * right after the media message carrying the audio before it, and resolves {@code PLAYED}
     * when the provider echoes it after playing that audio, {@code FLUSHED} when a flush cut
     * the audio before it (the echo then comes because of the {@code clear}), {@code ENDED} if
     * the call ends first. The track's own {@code track.mark(label)} says only that the audio
     * was handed to the socket.
     *
     * @throws IllegalArgumentException if {@code label} is null
     * @throws io.pcmtrack.TrackEndedException if the call has ended
     */
    public CallMark mark(String label) {
        if (label == null) {
            throw new IllegalArgumentException("label must not be null");
        }
        long position = track.mark(label).position(); // ordered with the writes, as the track's marks are
        return outbound.mark(label, position);
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
