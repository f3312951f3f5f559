package io.pcmtrack.telephony;

import java.util.ArrayDeque;
import java.util.Iterator;

import io.pcmtrack.AudioFrame;
import io.pcmtrack.AudioStreamTrack;
import io.pcmtrack.FlushReport;
import io.pcmtrack.FrameSink;
import io.pcmtrack.MarkOutcome;
import io.pcmtrack.MediaClock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 * <p><b>Marks.</b> A call mark at position P is sent right after the media message that
 * carries sample P-1: after each frame, {@code track.playedPosition()} says how far the sent
 * audio goes, and every mark up to it follows the frame. A flush sends {@code clear} at once
 * (from the track's flush listener, on the flushing thread); marks whose sample P-1 the flush
 * discarded resolve FLUSHED without being sent; marks in flight (sent, not yet echoed) resolve
 * FLUSHED when their echo comes, since the provider echoes the marks it drops on {@code clear}.
 * The echo does not say why it was sent, so a mark the provider played just before our
 * {@code clear} reached it, and whose echo crossed the {@code clear} on the wire, resolves
 * FLUSHED too: the window is one network round trip. Likewise a frame the scheduler emitted just
 * before the flush's cut but had not yet handed to this sink goes out after the {@code clear}:
 * at most one frame of the old audio, which is the "one frame" in the barge-in bound.
 *
 * <p>Threads: {@link #onFrame} runs on the scheduler thread; {@link #prime} on the socket's
 * thread before the track is attached; {@link #flushed} on the thread that flushed; marks are
 * placed by the application's threads and echoed on the socket's. Everything that sends holds
 * {@code lock}, so media, marks and clears go out in a consistent order.
 */
final class OutboundLeg implements FrameSink {
    private static final Logger LOG = LoggerFactory.getLogger(OutboundLeg.class);

    private final AudioStreamTrack track;
    private final OutboundWire wire;
    private final int leadFrames;
    private final short[] silence;
    private final MediaClock clock;
    private final long echoTimeoutNanos;
    private final Object lock = new Object();

    // Guarded by lock (the counters volatile as well, for stats()).
    private boolean ended;
    private int leadOwed;
    private volatile long framesSent;
    private volatile long leadFramesSent;
    private volatile long marksSent;
    private volatile long markEchoes;
    private volatile long overdueMarks;
    private volatile long clearsSent;

    // Guarded by lock: marks not yet sent, by position; marks sent and not yet echoed, in order.
    private final ArrayDeque<CallMark> unsent = new ArrayDeque<>();
    private final ArrayDeque<CallMark> inFlight = new ArrayDeque<>();
    /** One past the last sample sent. */
    private long sentPosition;
    /** pts of the last frame that carried audio, -1 before the first. */
    private long lastAudioPts = -1;
    /** The last flush's discarded range [cutFrom, cutEnd): those samples ended without being sent. */
    private long cutFrom = -1;
    private long cutEnd = -1;

    OutboundLeg(AudioStreamTrack track, OutboundWire wire, int leadFrames, MediaClock clock, long echoTimeoutNanos) {
        this.track = track;
        this.wire = wire;
        this.leadFrames = leadFrames;
        this.silence = new short[track.samplesPerFrame()];
        this.clock = clock;
        // A mark is overdue once it is late by the timeout beyond the lead (and a frame) it waits behind.
        this.echoTimeoutNanos = echoTimeoutNanos + (leadFrames + 1) * 20_000_000L;
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
            if (!frame.isSilence()) {
                lastAudioPts = frame.pts();
            }
            sentPosition = track.playedPosition(); // only this thread emits: the position ends with this frame
            sendDueMarks();
            if (leadOwed > 0 && frame.isSilence()) {
                sendLead(leadOwed);
                leadOwed = 0;
            }
            checkOverdue();
        }
    }

    /** Places a call mark at {@code position}; it is sent once the audio before it has been. */
    CallMark mark(String label, long position) {
        CallMark m = new CallMark(label, position);
        synchronized (lock) {
            if (ended) {
                m.resolve(MarkOutcome.ENDED);
                return m;
            }
            // Usually last; a mark raced by a write on another thread may belong further up.
            if (unsent.isEmpty() || unsent.peekLast().position() <= position) {
                unsent.addLast(m);
            } else {
                ArrayDeque<CallMark> sorted = new ArrayDeque<>();
                boolean placed = false;
                for (CallMark u : unsent) {
                    if (!placed && u.position() > position) {
                        sorted.add(m);
                        placed = true;
                    }
                    sorted.add(u);
                }
                unsent.clear();
                unsent.addAll(sorted);
            }
            sendDueMarks();
        }
        return m;
    }

    /** The track was flushed: clear the provider's buffer now and settle the marks the cut decided. */
    void flushed(FlushReport report) {
        synchronized (lock) {
            if (ended) {
                return;
            }
            // Flagged before the clear goes out: the provider may echo them before send() returns.
            for (CallMark m : inFlight) {
                m.cleared = true;
            }
            wire.clear();
            clearsSent++;
            leadOwed = leadFrames; // the clear empties the provider's buffer, lead included
            cutFrom = report.playedPosition();
            cutEnd = cutFrom + report.discardedSamples();
            for (Iterator<CallMark> it = unsent.iterator(); it.hasNext(); ) {
                CallMark m = it.next();
                if (m.position() > cutFrom && m.position() <= cutEnd) {
                    it.remove();
                    m.resolve(MarkOutcome.FLUSHED);
                }
            }
            sendDueMarks(); // a mark right at the cut has nothing left before it to wait for
        }
    }

    /** The provider echoed a mark named {@code name}; false if no mark of that name is in flight. */
    boolean echoed(String name) {
        synchronized (lock) {
            for (Iterator<CallMark> it = inFlight.iterator(); it.hasNext(); ) {
                CallMark m = it.next();
                if (m.label().equals(name)) {
                    it.remove();
                    markEchoes++;
                    m.resolve(m.cleared ? MarkOutcome.FLUSHED : MarkOutcome.PLAYED);
                    return true;
                }
            }
            return false;
        }
    }

    /** The provider confirmed a clear (Vonage's {@code websocket:cleared}): marks it dropped resolve. */
    void clearConfirmed() {
        synchronized (lock) {
            for (Iterator<CallMark> it = inFlight.iterator(); it.hasNext(); ) {
                CallMark m = it.next();
                if (m.cleared) {
                    it.remove();
                    m.resolve(MarkOutcome.FLUSHED);
                }
            }
        }
    }

    /** No more sends; marks still pending resolve ENDED. Idempotent. */
    void end() {
        synchronized (lock) {
            if (ended) {
                return;
            }
            ended = true;
            for (CallMark m : unsent) {
                m.resolve(MarkOutcome.ENDED);
            }
            for (CallMark m : inFlight) {
                m.resolve(MarkOutcome.ENDED);
            }
            unsent.clear();
            inFlight.clear();
        }
    }

    /** Sends every unsent mark whose preceding audio has all been sent or discarded. */
    private void sendDueMarks() {
        while (!unsent.isEmpty()) {
            CallMark m = unsent.peekFirst();
            boolean due = m.position() <= sentPosition
                    || (cutEnd >= 0 && sentPosition >= cutFrom && m.position() <= cutEnd);
            if (!due) {
                return;
            }
            unsent.pollFirst();
            m.pts = lastAudioPts;
            m.sentAtNanos = clock.nanoTime();
            wire.mark(m.label());
            marksSent++;
            inFlight.addLast(m);
        }
    }

    /** Counts (and logs) marks whose echo is later than the timeout; they stay in flight. */
    private void checkOverdue() {
        if (inFlight.isEmpty()) {
            return; // the common frame: no clock read
        }
        long now = clock.nanoTime();
        for (CallMark m : inFlight) {
            if (m.overdue) {
                continue;
            }
            if (now - m.sentAtNanos <= echoTimeoutNanos) {
                return; // the rest were sent later
            }
            m.overdue = true;
            overdueMarks++;
            if (overdueMarks == 1 || overdueMarks % 100 == 0) {
                LOG.warn("the provider has not echoed mark \"{}\" {} ms after it was sent ({} overdue marks on this call); "
                        + "it stays pending until the call ends", m.label(), (now - m.sentAtNanos) / 1_000_000, overdueMarks);
            }
        }
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

    private void sendLead(int frames) {
        for (int i = 0; i < frames; i++) {
            wire.media(silence, silence.length);
        }
        framesSent += frames;
        leadFramesSent += frames;
    }
}
