package io.pcmtrack.telephony;

import io.pcmtrack.AudioFrame;
import io.pcmtrack.AudioStreamTrack;
import io.pcmtrack.FrameSink;

/**
 * The call's outgoing direction: the {@link FrameSink} that a {@link io.pcmtrack.FrameScheduler}
 * calls with each 20 ms frame of the call's track, at the frame's due time on the track's clock.
 *
 * <p><b>Pacing and lead.</b> Frames go out one per frame duration, counted in samples on the
 * track's clock (the scheduler's due times are {@code anchor + n * 20 ms}, never "20 ms after the
 * last send"), so over any length of call exactly as many samples are sent as the provider plays
 * and its buffer neither grows nor drains. The lead is audio kept in the provider's buffer ahead
 * of its playback: at the start of the call (and again after every {@code clear}, which empties
 * that buffer) the leg sends {@code lead} of silence on top of the paced frames. From then on the
 * provider always holds about {@code lead} of audio, so a scheduler stall shorter than the lead
 * drains it without a gap, and the scheduler's catch-up refills it. A clock shifted ahead by the
 * lead would not do this on its own: the track anchors its first frame on the clock it is
 * scheduled with, so a shifted clock moves the anchor with it and the lead never forms.
 * After a {@code clear} the silence is added at the first silent frame (the track has nothing to
 * say, so the caller hears no difference), not at once, so that the faded tail of a
 * {@code flush(fadeOut)} is not delayed behind it.
 *
 * <p>Threads: {@link #onFrame} runs on the scheduler thread; {@link #prime} on the socket's
 * thread before the track is attached. Everything that sends holds {@code lock}, so media, marks
 * and clears go out in a consistent order.
 */
final class OutboundLeg implements FrameSink {
    private final AudioStreamTrack track;
    private final OutboundWire wire;
    private final int leadFrames;
    private final short[] silence;
    final Object lock = new Object();

    // Guarded by lock.
    private boolean ended;
    private int leadOwed;
    private long framesSent;
    private long leadFramesSent;
    private volatile long marksSent;
    private volatile long markEchoes;
    private volatile long overdueMarks;
    private volatile long clearsSent;

    OutboundLeg(AudioStreamTrack track, OutboundWire wire, int leadFrames) {
        this.track = track;
        this.wire = wire;
        this.leadFrames = leadFrames;
        this.silence = new short[track.samplesPerFrame()];
    }

    /** Sends the lead's silence ahead of the first frame. */
    void prime() {
        synchronized (lock) {
            sendLead(leadFrames);
        }
    }

    @Override
    public void onFrame(AudioFrame frame) {
        synchronized (lock) {
            if (ended) {
                return;
            }
            wire.media(frame.shorts(), frame.samplesPerChannel());
            framesSent++;
            if (leadOwed > 0 && frame.isSilence()) {
                sendLead(leadOwed);
                leadOwed = 0;
            }
        }
    }

    /** A clear emptied the provider's buffer: the lead is rebuilt at the next silent frame. */
    void clearSent() {
        leadOwed = leadFrames;
    }

    /** No more sends; idempotent. */
    void end() {
        synchronized (lock) {
            ended = true;
        }
    }

    boolean isEnded() {
        return ended;
    }

    long framesSent() {
        return framesSent;
    }

    long leadFramesSent() {
        return leadFramesSent;
    }

    long marksSent() {
        return marksSent;
    }

    long markEchoes() {
        return markEchoes;
    }

    long overdueMarks() {
        return overdueMarks;
    }

    long clearsSent() {
        return clearsSent;
    }

    /** The provider echoed a mark named {@code name}; false if no mark of that name is in flight. */
    boolean echoed(String name) {
        return false;
    }

    /** The provider confirmed a clear (Vonage's {@code websocket:cleared}): marks it dropped resolve. */
    void clearConfirmed() {
    }

    OutboundWire wire() {
        return wire;
    }

    AudioStreamTrack track() {
        return track;
    }

    private void sendLead(int frames) {
        for (int i = 0; i < frames; i++) {
            wire.media(silence, silence.length);
        }
        framesSent += frames;
        leadFramesSent += frames;
    }
}
