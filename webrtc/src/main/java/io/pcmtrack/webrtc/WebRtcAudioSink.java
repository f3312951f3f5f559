package io.pcmtrack.webrtc;

import java.util.Objects;

import dev.onvoid.webrtc.media.audio.CustomAudioSource;
import io.pcmtrack.AudioFrame;
import io.pcmtrack.AudioStreamTrack;
import io.pcmtrack.FrameScheduler;
import io.pcmtrack.FrameSink;
import io.pcmtrack.PcmFormat;

/**
 * A {@link FrameSink} that pushes each frame of a track into a libwebrtc {@link CustomAudioSource}
 * as 10 ms chunks of 16-bit PCM: the way to publish many tracks from a few
 * {@link FrameScheduler} threads.
 *
 * <pre>{@code
 * FrameScheduler scheduler = new FrameScheduler(MediaClock.system());
 * AudioStreamTrack track = AudioStreamTrack.builder().frameDuration(Duration.ofMillis(10)).build();
 * CustomAudioSource source = new CustomAudioSource();
 * pc.addTrack(factory.createAudioTrack("audio0", source), List.of("stream0"));
 * FrameScheduler.Attachment a = scheduler.attach(track, new WebRtcAudioSink(track, source));
 * ...
 * a.close();           // stop pushing first,
 * source.dispose();    // then dispose the source (after the peer connection is closed)
 * }</pre>
 *
 * <p>Timing: libwebrtc does not buffer; it encodes and sends what it is given at once, so the
 * scheduler's pacing is the stream's pacing. All chunks of a frame are pushed back to back when
 * the frame is due, so a 20 ms Opus packet leaves as soon as its frame is due: in the loopback
 * soak this gave 69-71 ms (medians) from {@code write} to the receiver against 81-88 ms with the
 * second chunk pushed 10 ms later, with the same jitter-buffer delay and no concealment; 10 ms
 * frames bring nothing but twice the scheduler work. A scheduler that falls behind delivers
 * overdue frames at once, and such a burst grows the receiver's jitter buffer: give the scheduler
 * headroom, or use {@link WebRtcPublisher}, which restarts its schedule after a stall.
 *
 * <p>Threads: {@link #onFrame} is called by one scheduler thread; pushes therefore come from one
 * thread, as libwebrtc requires. The counters may be read from any thread. No allocation per
 * frame: one reused 10 ms buffer.
 *
 * <p>Formats: S16 or F32, mono or stereo, 8000..48000 Hz with 10 ms of whole samples, frames a
 * whole number of 10 ms. Stereo goes out as stereo (libwebrtc's Opus is negotiated stereo).
 */
public final class WebRtcAudioSink implements FrameSink {
    private final PushEncoder encoder;
    private final AudioPush target;
    private volatile long frames;
    private volatile long silentFrames;
    private volatile long pushes;

    /**
     * Pushes {@code track}'s frames into {@code source}.
     *
     * @throws IllegalArgumentException if the track's format or frame duration cannot be pushed
     *         (the message names the value and what libwebrtc accepts)
     */
    public WebRtcAudioSink(AudioStreamTrack track, CustomAudioSource source) {
        this(Objects.requireNonNull(track, "track").format(), track.samplesPerFrame(), AudioPush.of(source));
    }

    /**
     * Pushes frames of {@code format} and {@code samplesPerFrame} to {@code target}.
     *
     * @throws IllegalArgumentException if the format or frame size cannot be pushed
     */
    public WebRtcAudioSink(PcmFormat format, int samplesPerFrame, AudioPush target) {
        Objects.requireNonNull(format, "format");
        this.target = Objects.requireNonNull(target, "target");
        this.encoder = new PushEncoder(format, samplesPerFrame);
    }

    /**
     * Pushes the frame as {@code frameDuration / 10 ms} chunks, back to back.
     *
     * @throws IllegalArgumentException if the frame has another format or size than the track
     *         this sink was made for
     */
    @Override
    public void onFrame(AudioFrame frame) {
        for (int i = 0; i < encoder.chunksPerFrame; i++) {
            encoder.encode(frame, i);
            encoder.push(target);
            pushes++;
        }
        if (frame.isSilence()) {
            silentFrames++;
        }
        frames++;
    }

    /** Frames pushed. */
    public long frames() {
        return frames;
    }

    /** Frames that were silence because the track was starved. */
    public long silentFrames() {
        return silentFrames;
    }

    /** 10 ms chunks pushed. */
    public long pushes() {
        return pushes;
    }
}
