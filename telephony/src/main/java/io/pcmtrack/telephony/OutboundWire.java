package io.pcmtrack.telephony;

/**
 * How one provider puts the call's outgoing audio and its controls on the wire. Called with the
 * {@link OutboundLeg}'s lock held, so calls never interleave.
 */
interface OutboundWire {

    /** Sample rate of the outgoing audio (the call's track runs at it). */
    int sampleRate();

    /** Encodes {@code count} mono samples (one frame) and sends them as one media message. */
    void media(short[] pcm, int count);

    /** Sends a mark the provider echoes once its playback reaches this point. */
    void mark(String name);

    /** Tells the provider to drop the audio it has buffered (and echo the marks among it). */
    void clear();
}
