package io.pcmtrack.server;

import io.pcmtrack.AudioStreamTrack;
import io.pcmtrack.FrameScheduler;
import io.pcmtrack.webrtc.WebRtcAudioSink;

/**
 * A named track served over WHEP: attached once to the server's scheduler, its frames encoded
 * once and fanned out to every listener. Listeners join the live stream where it is; nothing is
 * replayed for them.
 */
final class LiveTrack implements AutoCloseable {
    final String name;
    final AudioStreamTrack track;
    final FanOut fanOut;
    private final WebRtcAudioSink sink;
    private FrameScheduler.Attachment attachment;

    LiveTrack(String name, AudioStreamTrack track) {
        this.name = name;
        this.track = track;
        this.fanOut = new FanOut(name);
        // Validates the format now, before the server starts: the message names what libwebrtc accepts.
        this.sink = new WebRtcAudioSink(track.format(), track.samplesPerFrame(), fanOut);
    }

    void attach(FrameScheduler scheduler) {
        attachment = scheduler.attach(track, sink);
    }

    int listeners() {
        return fanOut.listeners();
    }

    /** Frames pushed to the listeners (one per frame, however many listeners). */
    long frames() {
        return sink.frames();
    }

    @Override
    public void close() {
        if (attachment != null) {
            attachment.close();
        }
    }
}
