package io.pcmtrack.agent;

import io.pcmtrack.PcmData;
import io.pcmtrack.PcmFormat;

/**
 * The caller's side of the agent: cuts the caller's chunks into 10 ms windows, runs the
 * {@link VoiceActivityDetector} on them, records the current segment, and times it on the
 * agent's clock (a window ends when its chunk arrived, less the audio after it in that chunk).
 * What it finds goes to a {@link Segments}. Single-threaded: the agent calls it under its lock.
 */
final class CallerListener {

    /** What the listener tells the agent, in stream order. */
    interface Segments {
        /** A segment started with a speech window starting at {@code at}, in a chunk that arrived at {@code arrival}. */
        void started(long at, long arrival);

        /** The segment that started at {@code segmentStart} has just reached the barge-in's speech, with a window ending at {@code at}. */
        void bargeInReached(long segmentStart, long at);

        /** The segment ended at {@code at} as an utterance ({@code utterance} non-null) or a blip. */
        void ended(long at, Segment segment);
    }

    /**
     * A finished segment.
     *
     * @param from        start of its first speech window
     * @param to          end of its last speech window
     * @param speechNanos time in speech windows
     * @param utterance   the recording up to its last speech window, null for a blip
     * @param truncated   whether the recording was cut at the cap
     */
    record Segment(long from, long to, long speechNanos, PcmData utterance, boolean truncated) {
    }

    private final PcmFormat format;
    private final VoiceActivityDetector vad;
    private final UtteranceRecorder recorder;
    private final float[] window;
    private final long windowNanos;
    private final Segments segments;
    private int windowFill;

    private long segmentStart;
    private long lastSpeechEnd;
    private boolean bargeInReached;
    /** Samples per channel of the current segment: all of it, and up to its last speech window. */
    private long segmentSamples;
    private long segmentSpeechEnd;

    CallerListener(PcmFormat format, VadOptions options, long maxUtteranceNanos, Segments segments) {
        this.format = format;
        this.segments = segments;
        this.vad = new VoiceActivityDetector(options, format.sampleRate());
        this.recorder = new UtteranceRecorder(format.sampleRate(), format.channels(),
                maxUtteranceNanos * format.sampleRate() / 1_000_000_000L);
        this.window = new float[vad.windowSamples() * format.channels()];
        this.windowNanos = nanos(vad.windowSamples());
    }

    PcmFormat format() {
        return format;
    }

    /** Listens to {@code n} samples per channel (interleaved floats) of a chunk that arrived at {@code arrival}. */
    void listen(float[] samples, int n, long arrival) {
        int channels = format.channels();
        int windowSamples = vad.windowSamples();
        int i = 0;
        while (i < n) {
            int take = Math.min(windowSamples - windowFill, n - i);
            System.arraycopy(samples, i * channels, window, windowFill * channels, take * channels);
            windowFill += take;
            i += take;
            if (windowFill == windowSamples) {
                windowFill = 0;
                onWindow(arrival - nanos(n - i), arrival);
            }
        }
    }

    boolean inSegment() {
        return vad.inSegment();
    }

    /** The last window's level, dBFS. */
    double level() {
        return vad.level();
    }

    double floorLevel() {
        return vad.floorLevel();
    }

    /** Forgets the segment being recorded: the agent has closed. */
    void stop() {
        recorder.clear();
    }

    private void onWindow(long end, long arrival) {
        double sum = 0;
        for (float v : window) {
            sum += (double) v * v;
        }
        VoiceActivityDetector.Change change = vad.push(sum / window.length);
        boolean speech = vad.isSpeech();
        if (change == VoiceActivityDetector.Change.STARTED) {
            segmentStart = end - windowNanos;
            bargeInReached = false;
            segmentSamples = 0;
            segmentSpeechEnd = 0;
            segments.started(segmentStart, arrival);
        }
        if (vad.inSegment()) {
            recorder.append(window, vad.windowSamples(), speech);
            segmentSamples += vad.windowSamples();
            if (speech) {
                lastSpeechEnd = end;
                segmentSpeechEnd = segmentSamples;
            }
            if (!bargeInReached && vad.reachedBargeIn()) {
                bargeInReached = true;
                segments.bargeInReached(segmentStart, end);
            }
        }
        if (change == VoiceActivityDetector.Change.ENDED) {
            long speechNanos = nanos(vad.endedSpeechSamples());
            if (vad.endedWasUtterance()) {
                PcmData utterance = recorder.take();
                segments.ended(end, new Segment(segmentStart, lastSpeechEnd, speechNanos, utterance,
                        segmentSpeechEnd > utterance.samplesPerChannel()));
            } else {
                recorder.clear();
                segments.ended(end, new Segment(segmentStart, lastSpeechEnd, speechNanos, null, false));
            }
        }
    }

    private long nanos(long samples) {
        return samples * 1_000_000_000L / format.sampleRate();
    }
}
