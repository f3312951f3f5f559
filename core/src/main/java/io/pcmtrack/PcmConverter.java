package io.pcmtrack;

import io.pcmtrack.dsp.Resampler;

import java.util.Objects;

/**
 * Streaming conversion of a sequence of chunks from one format to another: sample format,
 * channels and rate, with the resampler's state carried from chunk to chunk, so that the
 * converted chunks join without clicks and equal the conversion of one big chunk. This is what
 * {@link AudioStreamTrack#write} does inside; use it where audio flows the other way, such as
 * audio received from a call and handed to speech recognition at 16 kHz.
 *
 * <p>Each call returns a new {@code PcmData}; a resampled stream comes out delayed by the
 * resampler's look-ahead, which {@link #finish()} returns at the end of the stream. Not
 * thread-safe: one producer at a time.
 */
public final class PcmConverter {
    private final PcmFormat input;
    private final PcmFormat output;
    private final ConversionChain converter;

    /**
     * @param input  format of every chunk passed to {@link #convert}
     * @param output format of the chunks returned
     */
    public PcmConverter(PcmFormat input, PcmFormat output) {
        this(input, output, Resampler.Quality.STANDARD);
    }

    /**
     * @param input      format of every chunk passed to {@link #convert}
     * @param output     format of the chunks returned
     * @param resampling the resampler's filter when the rates differ ({@link Resampler.Quality})
     */
    public PcmConverter(PcmFormat input, PcmFormat output, Resampler.Quality resampling) {
        this.input = Objects.requireNonNull(input, "input");
        this.output = Objects.requireNonNull(output, "output");
        Objects.requireNonNull(resampling, "resampling");
        this.converter = input.equals(output) ? null
                : new ConversionChain(input, output.sampleRate(), output.channels(), output.sampleFormat() == SampleFormat.S16,
                        resampling);
    }

    public PcmFormat input() {
        return input;
    }

    public PcmFormat output() {
        return output;
    }

    /**
     * Converts the next chunk of the stream.
     *
     * @throws IllegalArgumentException if {@code pcm} is null or not in the input format
     */
    public PcmData convert(PcmData pcm) {
        if (pcm == null || !pcm.format().equals(input)) {
            throw new IllegalArgumentException("pcm must be in " + input + ", got " + (pcm == null ? null : pcm.format()));
        }
        if (converter == null) {
            return pcm;
        }
        ConversionChain.Collector out = new ConversionChain.Collector(output, converter.maxOutputFrames(pcm.samplesPerChannel()));
        run(() -> converter.convert(pcm, out));
        return out.toPcmData();
    }

    /** Ends the stream: the resampler's tail, then a fresh start for the next chunk. */
    public PcmData finish() {
        if (converter == null) {
            return PcmData.ofBytes(output, new byte[0]);
        }
        ConversionChain.Collector out = new ConversionChain.Collector(output, converter.maxFinishFrames());
        run(() -> converter.finish(out));
        return out.toPcmData();
    }

    /** Forgets the stream's state (a barge-in on the receiving side). */
    public void reset() {
        if (converter != null) {
            converter.reset();
        }
    }

    private interface Step {
        void run() throws InterruptedException;
    }

    private static void run(Step step) {
        try {
            step.run();
        } catch (InterruptedException e) {
            throw new AssertionError("a collector never waits", e);
        }
    }
}
