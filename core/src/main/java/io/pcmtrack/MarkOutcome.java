package io.pcmtrack;

/** The fate of the sample just before a {@link Mark}: what the listener got of the audio up to it. */
public enum MarkOutcome {
    /** Emitted in a frame: the consumer received it. */
    PLAYED,
    /** Discarded by {@link AudioStreamTrack#flush()} before it was emitted. */
    FLUSHED,
    /** Dropped by {@link OverflowPolicy#DROP_OLDEST} before it was emitted. */
    DROPPED,
    /** The track stopped first. */
    ENDED
}
