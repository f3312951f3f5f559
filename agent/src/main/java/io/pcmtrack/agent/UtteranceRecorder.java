package io.pcmtrack.agent;

import java.util.Arrays;

import io.pcmtrack.PcmData;

/**
 * The caller's current utterance, as interleaved floats in the caller's rate and channels, from
 * its first speech window to its last one, at most {@code maxSamples} per channel. Memory grows
 * with what is recorded (doubling) and is released when the utterance is taken. Single-threaded.
 */
final class UtteranceRecorder {
    private static final int INITIAL_VALUES = 16_384;

    private final int sampleRate;
    private final int channels;
    private final long maxSamples;
    private float[] values = new float[0];
    /** Samples per channel recorded (silence after the last speech included). */
    private long recorded;
    /** Samples per channel up to the end of the last speech window. */
    private long speechEnd;

    UtteranceRecorder(int sampleRate, int channels, long maxSamples) {
        this.sampleRate = sampleRate;
        this.channels = channels;
        // One Java array holds it: at absurd rates and channel counts the cap is what fits.
        this.maxSamples = Math.min(maxSamples, (Integer.MAX_VALUE - 8) / channels);
    }

    /** Appends a window; {@code speech} moves the utterance's end to after it. Beyond the cap nothing is kept. */
    void append(float[] window, int samplesPerChannel, boolean speech) {
        long room = Math.max(0, maxSamples - recorded);
        int keep = (int) Math.min(room, samplesPerChannel);
        if (keep > 0) {
            int needed = (int) ((recorded + keep) * channels);
            if (needed > values.length) {
                long grown = Math.max(INITIAL_VALUES, (long) values.length * 2);
                values = Arrays.copyOf(values, (int) Math.min(Math.max(grown, needed), maxSamples * channels));
            }
            System.arraycopy(window, 0, values, (int) (recorded * channels), keep * channels);
        }
        recorded += keep;
        if (speech) {
            speechEnd = recorded;
        }
    }

    /** The utterance up to its last speech window, and a fresh start. */
    PcmData take() {
        float[] utterance = Arrays.copyOf(values, (int) (speechEnd * channels));
        clear();
        return PcmData.ofFloats(sampleRate, channels, utterance);
    }

    void clear() {
        values = new float[0];
        recorded = 0;
        speechEnd = 0;
    }
}
