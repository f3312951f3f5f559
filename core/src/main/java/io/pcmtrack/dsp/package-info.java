/**
 * Signal processing used by the track and available on its own: the streaming band-limited
 * {@link io.pcmtrack.dsp.Resampler}, sample codecs between the PCM encodings and float
 * ({@link io.pcmtrack.dsp.SampleCodec}), channel mapping ({@link io.pcmtrack.dsp.ChannelMixer}) and the pool
 * that lends the resampler and the track their per-call arrays ({@link io.pcmtrack.dsp.ScratchPool}).
 * These are public so that applications converting audio the other way (received audio to a
 * speech recognizer) can use them; package-private classes here ({@code FilterBank},
 * {@code PhaseBlocks}, {@code KaiserWindow}) are internal. None of them allocates per call; none is thread-safe per
 * instance.
 */
package io.pcmtrack.dsp;
