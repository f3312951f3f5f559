package io.pcmtrack.agent;

/**
 * The segmentation rule of {@link VadOptions}, one window at a time: classifies each window as
 * speech or not from its mean square against the tracked noise floor, and follows the current
 * segment (its speech and the silence after it) in samples of the caller's rate.
 * Single-threaded; the agent calls it under its lock.
 */
final class VoiceActivityDetector {
    /** What a window did to the segment. */
    enum Change { NONE, STARTED, ENDED }

    private static final double LEVEL_FLOOR_DBFS = -100;

    private final VadOptions options;
    private final int windowSamples;
    private final long minUtteranceSamples;
    private final long endSilenceSamples;
    private final long bargeInSamples;
    private final NoiseFloor floor;

    private double level = LEVEL_FLOOR_DBFS;
    private double floorLevel = LEVEL_FLOOR_DBFS;
    private boolean speech;
    private boolean inSegment;
    private long speechSamples;
    private long silenceSamples;
    /** Speech of the segment that just ended (valid after {@link Change#ENDED}). */
    private long endedSpeechSamples;

    VoiceActivityDetector(VadOptions options, int sampleRate) {
        this.options = options;
        this.windowSamples = Math.max(1, (int) (sampleRate * VadOptions.WINDOW.toNanos() / 1_000_000_000L));
        this.minUtteranceSamples = samples(options.minUtterance().toNanos(), sampleRate);
        this.endSilenceSamples = samples(options.endSilence().toNanos(), sampleRate);
        this.bargeInSamples = samples(options.bargeIn().toNanos(), sampleRate);
        this.floor = new NoiseFloor((int) Math.max(1, options.floorWindow().toNanos() / VadOptions.WINDOW.toNanos()));
    }

    private static long samples(long nanos, int rate) {
        return (nanos * rate + 999_999_999L) / 1_000_000_000L;
    }

    /** Samples per channel in one window. */
    int windowSamples() {
        return windowSamples;
    }

    /** Classifies the next window, given the mean square of its samples (all channels). */
    Change push(double meanSquare) {
        level = Math.max(LEVEL_FLOOR_DBFS, 10 * Math.log10(meanSquare));
        double threshold = Math.max(options.minSpeechLevel(), floorLevel + options.margin());
        speech = level >= threshold;
        // The floor is updated after the decision, so a window is judged against the quiet before it.
        floorLevel = floor.add(level);
        if (speech) {
            silenceSamples = 0;
            speechSamples += windowSamples;
            if (!inSegment) {
                inSegment = true;
                speechSamples = windowSamples;
                return Change.STARTED;
            }
            return Change.NONE;
        }
        if (inSegment) {
            silenceSamples += windowSamples;
            if (silenceSamples >= endSilenceSamples) {
                inSegment = false;
                endedSpeechSamples = speechSamples;
                speechSamples = 0;
                silenceSamples = 0;
                return Change.ENDED;
            }
        }
        return Change.NONE;
    }

    /** Whether the last window was speech. */
    boolean isSpeech() {
        return speech;
    }

    boolean inSegment() {
        return inSegment;
    }

    /** Whether the current segment has enough speech to barge in. */
    boolean reachedBargeIn() {
        return inSegment && speechSamples >= bargeInSamples;
    }

    /** Speech of the segment that just ended, in samples. */
    long endedSpeechSamples() {
        return endedSpeechSamples;
    }

    /** Whether the segment that just ended was an utterance rather than a blip. */
    boolean endedWasUtterance() {
        return endedSpeechSamples >= minUtteranceSamples;
    }

    /** The last window's level, dBFS. */
    double level() {
        return level;
    }

    /** The noise floor after the last window, dBFS. */
    double floorLevel() {
        return floorLevel;
    }
}
