package io.pcmtrack;

/** What {@link AudioStreamTrack#write} does when the buffer would exceed its limit. */
public enum OverflowPolicy {
    /** Keep the newest audio: drop the oldest, sample-exact, down to the limit (bounded latency). */
    DROP_OLDEST,
    /** Hold the producer back: {@code write} waits, interruptibly, until the consumer makes room. */
    BLOCK
}
