package io.pcmtrack.agent;

import java.util.Arrays;

import io.pcmtrack.AudioStreamTrack;
import io.pcmtrack.Mark;
import io.pcmtrack.PcmData;

/**
 * One answer on its way into a track: the utterance it plays back, written in bursts ahead of the
 * listener, and where it sits in the track's stream. Its start is the track's write position
 * noted before the first write, so the track's played position says how much of it was heard.
 * Single-threaded: the agent uses it under its lock.
 */
final class Answer {
    /** Not seen emitted yet. */
    static final long UNKNOWN = Long.MIN_VALUE;

    final int index;
    final CallerTurn answering;
    /** Clock time of the end of the caller's last speech window. */
    final long utteranceEnd;
    /** Clock time the answer was started. */
    final long startedAt;
    /** The track's write position before the answer. */
    final long start;
    private final AudioStreamTrack track;
    private final float[] utterance;
    private final int sampleRate;
    private final int channels;
    /** The answer's length at the track's rate, until its last write makes it exact. */
    private final long expectedLength;
    /** Caller samples per channel written so far (from where the last resume restarted it). */
    private int written;
    /** Track position after the last write; -1 until then. */
    private long end = -1;
    /** Track position where the current run of writes began: {@link #start}, or where a resume wrote again. */
    private long runStart;
    /** Samples per channel of the answer, at the track's rate, before the current run (where a resume went on from). */
    private long runOffset;
    /** What had been heard when it was last held. */
    private long heardAtHold;
    /** Whether the answer is held: flushed at the caller's first speech window, waiting for the rule. */
    private boolean held;
    /** Clock time of the last hold. */
    private long heldAt;
    /** Clock time between holds and their resumes. */
    private long pausedNanos;
    /** Caller samples per channel of the fade-in after the last resume, and how many of them were written. */
    private int fadeInLength;
    private int fadeInDone;
    private Mark mark;
    private long firstAudio = UNKNOWN;

    Answer(int index, CallerTurn answering, long utteranceEnd, PcmData utterance, AudioStreamTrack track, long now) {
        this.index = index;
        this.answering = answering;
        this.utteranceEnd = utteranceEnd;
        this.startedAt = now;
        this.track = track;
        this.utterance = utterance.toFloats();
        this.sampleRate = utterance.format().sampleRate();
        this.channels = utterance.format().channels();
        this.start = track.writePosition();
        this.runStart = start;
        this.expectedLength = Math.round(utterance.samplesPerChannel() * (double) track.format().sampleRate() / sampleRate);
    }

    /**
     * Writes bursts of {@code burst} while one fits within {@code leadSamples} of what the track
     * has emitted; the last with {@code write(pcm, true)}, followed by the answer's mark.
     *
     * @param burst        caller samples per channel in one burst
     * @param burstSamples the same at the track's rate
     * @return the mark if the last burst was written now, else null
     */
    Mark writeAhead(int burst, long burstSamples, long leadSamples) {
        int total = utterance.length / channels;
        while (end < 0 && !held) {
            long ahead = track.writePosition() - Math.max(track.playedPosition(), runStart);
            if (ahead + burstSamples > leadSamples) {
                return null; // never more than the lead ahead: that is what a barge-in throws away
            }
            int n = Math.min(burst, total - written);
            float[] samples = Arrays.copyOfRange(utterance, written * channels, (written + n) * channels);
            fadeIn(samples, n);
            PcmData piece = PcmData.ofFloats(sampleRate, channels, samples);
            boolean last = written + n == total;
            track.write(piece, last);
            written += n;
            if (last) {
                end = track.writePosition();
                mark = track.mark("answer-" + index);
                return mark;
            }
        }
        return null;
    }

    /** Samples per channel at the track's rate: exact once all is written (a resume may move it by a sample). */
    long length() {
        return end >= 0 ? runOffset + end - runStart : expectedLength;
    }

    /** How much of it a listener got when the track's played position is {@code played}. */
    long heard(long played) {
        return heardAfterFlush(played, 0);
    }

    /**
     * How much of it a listener got when a flush left the track's played position at
     * {@code played} and took back {@code farEnd} samples per channel the far end still held:
     * those, of what was sent of the current run, were not heard.
     */
    long heardAfterFlush(long played, long farEnd) {
        if (held) {
            return heardAtHold;
        }
        long sent = Math.max(0, played - runStart);
        return Math.max(0, Math.min(runOffset + sent - Math.min(sent, farEnd), length()));
    }

    /** Where the current run of writes starts in the answer, samples per channel at the track's rate. */
    long runOffset() {
        return runOffset;
    }

    /** Whether all of it was written and emitted. */
    boolean playedOut() {
        return end >= 0 && !held && track.playedPosition() >= end;
    }

    boolean isHeld() {
        return held;
    }

    /**
     * The track was just flushed at the caller's first speech window: the listener gets what the
     * flush's report says ({@code played}, its fade included, less {@code farEnd} samples the far
     * end held and the flush took back; see {@link #heardAfterFlush}) and nothing more of it until
     * {@link #resume}. Its mark, if written, was flushed with the rest. If the fade is all that
     * was left of it, it is not held: it plays out with its fade and ends as played.
     *
     * @return whether it is held
     */
    boolean hold(long played, long farEnd, long now) {
        long heard = heardAfterFlush(played, farEnd);
        if (end >= 0 && heard >= length()) {
            return false;
        }
        heardAtHold = heard;
        held = true;
        heldAt = now;
        return true;
    }

    long heldAt() {
        return heldAt;
    }

    /** Clock time it spent held before resuming: the gaps in its playing. */
    long pausedNanos() {
        return pausedNanos;
    }

    /** The caller's rate, at which it is written. */
    int sampleRate() {
        return sampleRate;
    }

    /**
     * The caller's speech was a blip: writes go on from where the listener left off (the caller
     * sample at the heard position), the first {@code fadeIn} caller samples faded in, and a new
     * mark follows the last write.
     *
     * @param fadeIn caller samples per channel to fade in
     * @return false, and nothing changed, if nothing of it is left to write
     */
    boolean resume(long now, int fadeIn) {
        long from = heardAtHold * sampleRate / track.format().sampleRate(); // the caller sample at the heard position
        if (from >= utterance.length / channels) {
            return false;
        }
        held = false;
        if (heardAtHold > 0) {
            pausedNanos += now - heldAt; // a gap in what the listener hears; before any of it, no gap
        }
        written = (int) from;
        runOffset = (long) written * track.format().sampleRate() / sampleRate; // at most the heard part, by under a caller sample
        runStart = track.writePosition();
        end = -1;
        mark = null;
        fadeInLength = written > 0 ? fadeIn : 0; // from its start, it starts as it was recorded
        fadeInDone = 0;
        return true;
    }

    /** Raised-cosine gain on the first samples written after a resume, {@link #fadeInLength} in all. */
    private void fadeIn(float[] samples, int n) {
        for (int i = 0; i < n && fadeInDone < fadeInLength; i++, fadeInDone++) {
            float gain = (float) (0.5 - 0.5 * Math.cos(Math.PI * (fadeInDone + 0.5) / fadeInLength));
            for (int c = 0; c < channels; c++) {
                samples[i * channels + c] *= gain;
            }
        }
    }

    /** The mark after its last write, or null if it was not all written. */
    Mark mark() {
        return mark;
    }

    long firstAudio() {
        return firstAudio;
    }

    /**
     * Notes when its first frame went out, if the track has emitted some of it by {@code now}:
     * frames go out back to back while it plays (it is written ahead), so the first was emitted
     * one frame duration earlier per later frame. Answers start on a frame boundary, since the
     * one before ended with {@code write(pcm, true)}.
     *
     * @return true if this look found the first frame
     */
    boolean noteFirstAudio(long now) {
        if (held) {
            return false; // the agent noted what the hold's fade sends out
        }
        long heard = heard(track.playedPosition());
        if (firstAudio != UNKNOWN || heard <= 0) {
            return false;
        }
        long frames = (heard + track.samplesPerFrame() - 1) / track.samplesPerFrame();
        firstAudio = Math.max(startedAt, now - (frames - 1) * track.frameDuration().toNanos());
        return true;
    }

    /** For an answer cut before any of it was seen emitted: what was heard (the fade) goes out from {@code now}. */
    void firstAudioAt(long now) {
        firstAudio = now;
    }
}
