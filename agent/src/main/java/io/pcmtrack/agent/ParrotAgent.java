package io.pcmtrack.agent;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;

import io.pcmtrack.AudioStreamTrack;
import io.pcmtrack.FlushReport;
import io.pcmtrack.Mark;
import io.pcmtrack.MediaClock;
import io.pcmtrack.PcmData;
import io.pcmtrack.PcmFormat;
import io.pcmtrack.TrackEndedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A voice agent that parrots: when the caller stops talking it plays their utterance back into
 * its {@link AudioStreamTrack}, the way a TTS engine speaks, and stops when the caller talks over
 * it. Transport-independent: a transport feeds it the caller's audio and sends its track.
 *
 * <pre>{@code
 * ParrotAgent agent = ParrotAgent.create(AgentOptions.defaults());     // its own 48 kHz mono track
 * publisher.publish(agent.track());                                      // frames to the caller
 * receiver.onAudio(agent::accept);                                       // caller audio, any format
 * agent.addListener(event -> page.send(event.toMap()));                  // the conversation, live
 * ...
 * agent.close();
 * }</pre>
 *
 * <p><b>Listening.</b> Caller audio is cut into 10 ms windows and segmented by {@link VadOptions}'
 * rule. From a segment's first speech window on, its audio is recorded (at most
 * {@link AgentOptions#maxUtterance()}); when the segment ends as an utterance, the recording up to
 * its last speech window is the answer. A blip is forgotten.
 *
 * <p><b>Speaking.</b> The answer goes into the track in {@link AgentOptions#burst()} pieces, kept
 * at most {@link AgentOptions#lead()} ahead of what the track has emitted (a burst is written
 * once there is room for it), the last one with
 * {@code write(pcm, true)}, followed by a mark {@code "answer-N"} ({@link #lastAnswerMark()}).
 * The agent has no thread: it writes whenever it is fed caller audio or {@link #tick() ticked}.
 * Phone and WebRTC transports deliver caller audio every 10 or 20 ms, silence included, which
 * is plenty for a 400 ms lead; a transport that can go quiet for longer calls {@link #tick()}
 * from a timer (every 20..100 ms).
 *
 * <p><b>Barge-in.</b> At the caller's first speech window while an answer plays, the agent
 * holds it ({@link AgentOptions#holdOnSpeech()}, the default): it flushes the track with
 * {@link AgentOptions#fadeOut()} and keeps the rest of the answer itself; the flush report's
 * played position, against the position noted before the answer was written, says exactly how
 * much was heard. Speech reaching {@link VadOptions#bargeIn()} makes the hold a barge-in; a
 * segment that ends as a blip resumes the answer where the listener left off. Without the hold,
 * speech reaching {@code bargeIn} flushes the playing answer. The speech that cut the answer
 * goes on being recorded and is answered in its turn.
 *
 * <p><b>Echo.</b> Transports deliver only the caller's audio (a browser cancels its own echo,
 * a phone leg carries the caller alone), so the agent does not try to tell its own voice apart.
 *
 * <p><b>Threads.</b> {@link #accept}, {@link #tick}, {@link #close} and every getter may be called
 * from any thread; calls are serialized by a lock. Caller audio must come in stream order, so
 * feed it from one thread at a time (the transport's receiver thread). Listeners run on the
 * calling thread under the lock (see {@link AgentListener}).
 */
public final class ParrotAgent implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ParrotAgent.class);
    /** The fade-in of an answer resumed after a hold. */
    private static final Duration RESUME_FADE_IN = Duration.ofMillis(10);

    private final AgentOptions options;
    private final MediaClock clock;
    private final AudioStreamTrack track;
    private final boolean ownsTrack;
    private final long startNanos;
    private final long leadSamples;
    private final long burstSamples;
    /** {@link AgentOptions#farEndBuffer()} at the track's rate. */
    private final long farEndSamples;
    private final CopyOnWriteArrayList<AgentListener> listeners = new CopyOnWriteArrayList<>();
    private final Object lock = new Object();

    // Everything below is guarded by lock.
    private CallerListener caller;
    /** Whether the caller's current segment cut the agent. */
    private boolean segmentBargedIn;
    /** Caller samples per channel in one burst of the answer. */
    private int burstInput;

    private Answer answer;
    private Mark lastAnswerMark;
    private int callerTurns;
    private int agentTurns;
    private long answers;
    /** Clock time of the last chunk of caller audio (not a tick). */
    private long lastCallerAudio;
    private long bargeIns;
    private long blips;
    private final ArrayDeque<CallerTurn> callerHistory = new ArrayDeque<>();
    private final ArrayDeque<AgentTurn> agentHistory = new ArrayDeque<>();
    private boolean dispatching;
    private boolean closed;

    private ParrotAgent(AudioStreamTrack track, boolean ownsTrack, AgentOptions options, MediaClock clock) {
        this.options = options;
        this.clock = clock;
        this.track = track;
        this.ownsTrack = ownsTrack;
        this.startNanos = clock.nanoTime();
        this.leadSamples = options.lead().toNanos() * track.format().sampleRate() / 1_000_000_000L;
        this.burstSamples = options.burst().toNanos() * track.format().sampleRate() / 1_000_000_000L;
        this.farEndSamples = options.farEndBuffer().toNanos() * track.format().sampleRate() / 1_000_000_000L;
    }

    /**
     * An agent with a track of its own (48 kHz mono S16, 20 ms frames, on the options' clock),
     * stopped when the agent is closed.
     */
    public static ParrotAgent create(AgentOptions options) {
        Objects.requireNonNull(options, "options");
        AudioStreamTrack track = AudioStreamTrack.builder().clock(options.clock()).build();
        return new ParrotAgent(track, true, options, options.clock());
    }

    /**
     * An agent that speaks into a transport's track (a phone call's, say), on that track's clock
     * (the options' clock is not used). Closing the agent flushes the track but leaves it live.
     *
     * @throws IllegalArgumentException if the track is null or stopped
     */
    public static ParrotAgent speakingInto(AudioStreamTrack track, AgentOptions options) {
        if (track == null || !track.isLive()) {
            throw new IllegalArgumentException("track must be a live AudioStreamTrack, got " + track);
        }
        Objects.requireNonNull(options, "options");
        return new ParrotAgent(track, false, options, track.clock());
    }

    /** The track the agent speaks into; a transport sends its frames. */
    public AudioStreamTrack track() {
        return track;
    }

    public AgentOptions options() {
        return options;
    }

    /** The caller's audio format, taken from the first chunk with audio; null before. */
    public PcmFormat callerFormat() {
        synchronized (lock) {
            return caller == null ? null : caller.format();
        }
    }

    /**
     * Takes the next chunk of the caller's audio: classifies it, records it, answers or cuts the
     * answer, and writes the answer's next bursts. The chunk is copied; it may be reused.
     * A zero-length chunk only does the writing ({@link #tick()}). After {@link #close()}, or
     * once the track was stopped, chunks are ignored, so a transport need not order its teardown.
     *
     * @param chunk audio in any format, the same format for every chunk of the call
     * @throws IllegalArgumentException if {@code chunk} is null, or its format differs from the
     *         first chunk's (the agent is unchanged)
     * @throws IllegalStateException    if called from an {@link AgentListener}
     */
    public void accept(PcmData chunk) {
        if (chunk == null) {
            throw new IllegalArgumentException("chunk must not be null");
        }
        synchronized (lock) {
            checkNotDispatching("accept");
            if (closed) {
                return;
            }
            int n = chunk.samplesPerChannel();
            if (n > 0) {
                if (caller == null) {
                    startListening(chunk.format());
                } else if (!caller.format().equals(chunk.format())) {
                    throw new IllegalArgumentException("caller audio must keep the format of the first chunk ("
                            + caller.format() + "), got " + chunk.format());
                }
            }
            long now = clock.nanoTime();
            if (!track.isLive()) {
                trackEnded(now);
                return;
            }
            try {
                settle(now); // what the track emitted since the last chunk, before this chunk can cut it
                if (n > 0) {
                    lastCallerAudio = now;
                    caller.listen(chunk.toFloats(), n, now);
                }
                speak(now);
            } catch (TrackEndedException e) {
                trackEnded(now);
            }
        }
    }

    /**
     * Writes the answer's next bursts and notes what was emitted, without caller audio: for
     * transports that may deliver none for longer than {@code lead - burst}.
     */
    public void tick() {
        synchronized (lock) {
            checkNotDispatching("tick");
            if (closed) {
                return;
            }
            long now = clock.nanoTime();
            if (!track.isLive()) {
                trackEnded(now);
                return;
            }
            try {
                speak(now);
            } catch (TrackEndedException e) {
                trackEnded(now);
            }
        }
    }

    /** Whether an answer is being played (written, or emitted but not yet all of it). */
    public boolean isSpeaking() {
        synchronized (lock) {
            return answer != null;
        }
    }

    /** Whether the caller is in a speech segment. */
    public boolean isCallerSpeaking() {
        synchronized (lock) {
            return caller != null && caller.inSegment();
        }
    }

    /** The mark after the last answer that was written to its end (its result says played or flushed); null before. */
    public Mark lastAnswerMark() {
        synchronized (lock) {
            return lastAnswerMark;
        }
    }

    /** A snapshot of the conversation (see {@link Timeline}). */
    public Timeline timeline() {
        synchronized (lock) {
            return new Timeline(since(clock.nanoTime()), answer != null, caller != null && caller.inSegment(),
                    caller == null ? -100 : caller.level(), caller == null ? -100 : caller.floorLevel(),
                    callerHistory.stream().toList(), agentHistory.stream().toList(),
                    callerTurns, answers, bargeIns, blips, track.stats());
        }
    }

    public void addListener(AgentListener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    public void removeListener(AgentListener listener) {
        listeners.remove(listener);
    }

    /**
     * Stops listening and speaking: an answer being played is flushed with the fade (and reported
     * as {@link AnswerEnding#CLOSED}); the agent's own track is stopped, a transport's track is
     * left live. Idempotent; later chunks are ignored.
     */
    @Override
    public void close() {
        synchronized (lock) {
            checkNotDispatching("close");
            if (closed) {
                return;
            }
            long now = clock.nanoTime();
            try {
                if (answer != null && track.isLive()) {
                    cut(track.flush(options.fadeOut()), now, AnswerEnding.CLOSED, null);
                }
            } catch (TrackEndedException e) {
                // stopped under us: trackEnded below reports the answer
            }
            trackEnded(now);
            if (ownsTrack) {
                track.stop();
            }
        }
    }

    @Override
    public String toString() {
        synchronized (lock) {
            return "ParrotAgent[track " + track.id() + ", " + callerTurns + " utterances, " + answers + " answers"
                    + (closed ? ", closed" : answer != null ? ", speaking" : "") + "]";
        }
    }

    // ---- listening ----

    private void startListening(PcmFormat format) {
        caller = new CallerListener(format, options.vad(), options.maxUtterance().toNanos(), new CallerSegments());
        burstInput = (int) Math.max(1, options.burst().toNanos() * format.sampleRate() / 1_000_000_000L);
    }

    /** What the caller does, as the listener finds it. */
    private final class CallerSegments implements CallerListener.Segments {
        @Override
        public void started(long at, long arrival) {
            segmentBargedIn = false;
            emit(new AgentEvent.CallerStarted(since(at)));
            if (options.holdOnSpeech() && answer != null) {
                settle(arrival); // an answer already played out is not held, it ended
                if (answer != null && !answer.isHeld()) {
                    FlushReport report = track.flush(options.fadeOut());
                    if (answer.hold(report.playedPosition(), farEndSamples, arrival)) {
                        long heard = answer.heard(0);
                        if (heard > 0 && answer.firstAudio() == Answer.UNKNOWN) {
                            answer.firstAudioAt(arrival); // what was heard is the fade, which goes out now
                            answerStarted(answer);
                        }
                        emit(new AgentEvent.AnswerHeld(since(arrival), answer.index, samples(heard)));
                    }
                }
            }
        }

        @Override
        public void bargeInReached(long segmentStart, long at) {
            settle(at); // an answer already played out is not cut, it ended
            if (answer != null) {
                segmentBargedIn = true;
                cutOrEndHeld(at, since(segmentStart));
            }
        }

        @Override
        public void ended(long at, CallerListener.Segment segment) {
            Duration speech = Duration.ofNanos(segment.speechNanos());
            if (segment.utterance() == null) {
                blips++;
                emit(new AgentEvent.BlipIgnored(since(at), since(segment.from()), since(segment.to()), speech));
                if (answer != null && answer.isHeld()) {
                    resume(at);
                }
                return;
            }
            PcmData utterance = segment.utterance();
            CallerTurn turn = new CallerTurn(++callerTurns, since(segment.from()), since(segment.to()), speech,
                    levelDbfs(utterance), segmentBargedIn, segment.truncated());
            remember(callerHistory, turn);
            emit(new AgentEvent.CallerEnded(since(at), turn));
            if (answer != null) {
                // Only with a barge-in threshold above the utterance's speech, which the options forbid; kept as a guard.
                cutOrEndHeld(at, turn.from());
            }
            answer = new Answer(++agentTurns, turn, segment.to(), utterance, track, clock.nanoTime());
        }
    }

    private static double levelDbfs(PcmData pcm) {
        float[] v = pcm.toFloats();
        double sum = 0;
        for (float x : v) {
            sum += (double) x * x;
        }
        return v.length == 0 ? -100 : Math.max(-100, 10 * Math.log10(sum / v.length));
    }

    // ---- speaking ----

    /** Notes the answer's first emitted frame, writes what the lead allows, ends a played answer. */
    private void speak(long now) {
        if (answer != null && answer.isHeld() && now - lastCallerAudio > options.vad().endSilence().toNanos()) {
            // No caller audio for as long as ends a segment: what held the answer can no longer turn
            // out a barge-in here, so the hold is let go as a blip's would be (resume speaks on).
            resume(now);
            return;
        }
        settle(now);
        if (answer != null) {
            Mark last = answer.writeAhead(burstInput, burstSamples, leadSamples);
            if (last != null) {
                lastAnswerMark = last;
                emit(new AgentEvent.AnswerWritten(since(now), answer.index, last.label(), last.position()));
            }
            settle(now);
        }
    }

    /** Notes the answer's first emitted frame and ends the answer if all of it was emitted. */
    private void settle(long now) {
        if (answer == null) {
            return;
        }
        if (answer.noteFirstAudio(now)) {
            answerStarted(answer);
        }
        if (answer.playedOut()) {
            finish(answer.length(), now, AnswerEnding.PLAYED, null, null);
        }
    }

    private void answerStarted(Answer a) {
        emit(new AgentEvent.AnswerStarted(since(a.firstAudio()), a.index, a.answering.index(),
                Duration.ofNanos(a.firstAudio() - a.utteranceEnd), samples(a.length())));
    }

    /** The answer was flushed: what was heard comes from the report and the position noted before it. */
    private void cut(FlushReport report, long now, AnswerEnding ending, Duration bargeInAt) {
        finish(answer.heardAfterFlush(report.playedPosition(), farEndSamples), now, ending, bargeInAt, since(now));
    }

    /**
     * A barge-in: a held answer ends with what was heard when it was held (its flush was the
     * cut), a playing one is flushed now.
     */
    private void cutOrEndHeld(long now, Duration bargeInAt) {
        if (answer.isHeld()) {
            finish(answer.heard(0), now, AnswerEnding.BARGED_IN, bargeInAt, since(answer.heldAt()));
        } else {
            cut(track.flush(options.fadeOut()), now, AnswerEnding.BARGED_IN, bargeInAt);
        }
    }

    /**
     * The speech that held the answer was a blip: the answer goes on from where the listener
     * left off, or ends as played if the hold's fade was its last part.
     */
    private void resume(long now) {
        Answer a = answer;
        if (!a.resume(now, (int) (RESUME_FADE_IN.toNanos() * a.sampleRate() / 1_000_000_000L))) {
            finish(a.length(), now, AnswerEnding.PLAYED, null, null);
            return;
        }
        emit(new AgentEvent.AnswerResumed(since(now), a.index, samples(a.runOffset())));
        speak(now);
    }

    private void finish(long heard, long now, AnswerEnding ending, Duration bargeInAt, Duration cutAt) {
        Answer a = answer;
        answer = null;
        if (a.firstAudio() == Answer.UNKNOWN && heard > 0) {
            // Cut before the agent saw a frame of it.
            if (!a.noteFirstAudio(now)) {
                a.firstAudioAt(now);
            }
            answerStarted(a);
        }
        boolean emitted = a.firstAudio() != Answer.UNKNOWN;
        long from = emitted ? a.firstAudio() : now;
        AgentTurn turn = new AgentTurn(a.index, a.answering.index(), since(from),
                since(from).plus(samples(heard)).plus(Duration.ofNanos(a.pausedNanos())),
                emitted ? Duration.ofNanos(a.firstAudio() - a.utteranceEnd) : null,
                a.start, a.length(), heard, track.format().sampleRate(), ending, bargeInAt, cutAt,
                a.mark() == null ? null : a.mark().label());
        answers++;
        remember(agentHistory, turn);
        if (ending == AnswerEnding.BARGED_IN) {
            bargeIns++;
            emit(new AgentEvent.BargedIn(since(now), turn));
        }
        emit(new AgentEvent.AnswerEnded(since(now), turn));
    }

    /** The track was stopped (the call ended) or the agent closed: nothing more is said. */
    private void trackEnded(long now) {
        if (answer != null) {
            finish(answer.heard(track.playedPosition()), now, AnswerEnding.CLOSED, null, since(now));
        }
        closed = true;
        if (caller != null) {
            caller.stop();
        }
    }

    // ---- bookkeeping ----

    private <T> void remember(ArrayDeque<T> history, T turn) {
        if (history.size() == options.history()) {
            history.removeFirst();
        }
        history.addLast(turn);
    }

    private void emit(AgentEvent event) {
        dispatching = true;
        try {
            for (AgentListener l : listeners) {
                try {
                    l.onEvent(event);
                } catch (RuntimeException e) {
                    LOG.warn("agent listener threw on {}; the agent goes on", event, e);
                }
            }
        } finally {
            dispatching = false;
        }
    }

    private void checkNotDispatching(String method) {
        if (dispatching) {
            throw new IllegalStateException(method + "() was called from an agent listener; call it from the transport's thread");
        }
    }

    /** Samples per channel at the track's rate as a duration. */
    private Duration samples(long n) {
        return Duration.ofNanos(samplesToNanos(n, track.format().sampleRate()));
    }

    private Duration since(long nanos) {
        return Duration.ofNanos(nanos - startNanos);
    }

    private static long samplesToNanos(long samples, int rate) {
        return samples * 1_000_000_000L / rate;
    }
}
