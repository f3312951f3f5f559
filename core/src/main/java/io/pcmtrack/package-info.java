/**
 * pcmtrack's public API: audio formats ({@link io.pcmtrack.PcmFormat}, {@link io.pcmtrack.PcmData},
 * {@link io.pcmtrack.AudioFrame}), the paced track ({@link io.pcmtrack.AudioStreamTrack} with its
 * marks, flush reports and statistics), time ({@link io.pcmtrack.MediaClock},
 * {@link io.pcmtrack.VirtualClock}) and push delivery for many tracks
 * ({@link io.pcmtrack.FrameScheduler}, {@link io.pcmtrack.FrameSink}).
 *
 * <p>Everything public in this package is API, documented in the project's {@code docs/API.md}
 * with numbered semantics. Everything package-private is internal and may change at any time:
 * the track's parts ({@code Converter -> FrameBuffer -> Pacer}, the pooled {@code BlockQueue},
 * {@code MarkQueue}, {@code SpinLock}) and the conversion chain.
 *
 * <p>Threads: a track's {@code write}, {@code mark}, {@code flush}, {@code stop} and every
 * getter may be called from any thread; {@code recv} from one consumer at a time. Futures of
 * marks and playouts complete on one shared daemon thread, {@code pcmtrack-events}.
 */
package io.pcmtrack;
