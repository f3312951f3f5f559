package io.pcmtrack;

/**
 * Where a {@link FrameScheduler} delivers a track's frames: a WebRTC source, an RTP packetizer, a
 * WAV writer, a sound card.
 *
 * <p>Contract: called on a scheduler thread, once per frame, in pts order, at the frame's due
 * time. The frame is the scheduler's reusable container and is valid only during the call: copy
 * what you keep. Return quickly: every other track served by the same scheduler thread waits
 * while this runs, so blocking here shows up as lateness. An exception is logged and counted; the
 * track keeps its schedule.
 */
@FunctionalInterface
public interface FrameSink {
    void onFrame(AudioFrame frame);
}
