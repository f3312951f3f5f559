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
    /** Caller samples per channel written so far. */
    private int written;
    /** Track position after the last write; -1 until then. */
    private long end = -1;
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
        while (end < 0) {
            long ahead = track.writePosition() - Math.max(track.playedPosition(), start);
            if (ahead + burstSamples > leadSamples) {
                return null; // never more than the lead ahead: that is what a barge-in throws away
            }
            int n = Math.min(burst, total - written);
            PcmData piece = PcmData.ofFloats(sampleRate, channels,
                    Arrays.copyOfRange(utterance, written * channels, (written + n) * channels));
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

    /** Samples per channel at the track's rate: exact once all is written. */
    long length() {
        return end >= 0 ? end - start : expectedLength;
    }

    /** How much of it a listener got when the track's played position is {@code played}. */
    long heard(long played) {
        return Math.max(0, Math.min(played - start, length()));
    }

    /** Whether all of it was written and emitted. */
    boolean playedOut() {
        return end >= 0 && track.playedPosition() >= end;
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
        long played = track.playedPosition();
        if (firstAudio != UNKNOWN || played <= start) {
            return false;
        }
        long frames = (played - start + track.samplesPerFrame() - 1) / track.samplesPerFrame();
        firstAudio = Math.max(startedAt, now - (frames - 1) * track.frameDuration().toNanos());
        return true;
    }

    /** For an answer cut before any of it was seen emitted: what was heard (the fade) goes out from {@code now}. */
    void firstAudioAt(long now) {
        firstAudio = now;
    }
}
