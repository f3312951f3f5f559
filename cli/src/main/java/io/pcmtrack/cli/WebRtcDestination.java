package io.pcmtrack.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

import io.pcmtrack.AudioFrame;
import io.pcmtrack.AudioStreamTrack;
import io.pcmtrack.PcmFormat;
import io.pcmtrack.webrtc.LoopbackCall;
import io.pcmtrack.webrtc.RtcAudioStats;
import io.pcmtrack.webrtc.WebRtcAudioSink;
import io.pcmtrack.webrtc.WebRtcUnavailableException;

/** {@code --to webrtc-loopback}: frames go into a real libwebrtc call; the far side counts what arrives. */
final class WebRtcDestination implements StreamCommand.Destination {
    private final LoopbackCall call;
    private final WebRtcAudioSink sink;
    private final AtomicLong receivedSamples = new AtomicLong();
    private RtcAudioStats rtc;

    private WebRtcDestination(LoopbackCall call, AudioStreamTrack track) {
        this.call = call;
        this.sink = new WebRtcAudioSink(track, call.audioSource());
        call.receiver().onAudio(chunk -> receivedSamples.addAndGet(chunk.samplesPerChannel()));
    }

    static WebRtcDestination open(AudioStreamTrack track) {
        LoopbackCall call;
        try {
            call = LoopbackCall.open(LoopbackCall.options().receiveFormat(PcmFormat.s16(48_000, 1)));
        } catch (WebRtcUnavailableException e) {
            throw new UserException("WebRTC is not available here: " + e.getMessage(), 1);
        }
        try {
            return new WebRtcDestination(call, track);
        } catch (RuntimeException e) {
            call.close();
            throw new UserException("--to webrtc-loopback: " + e.getMessage());
        }
    }

    @Override
    public void accept(AudioFrame frame) {
        sink.onFrame(frame);
    }

    @Override
    public void summarize(PrintWriter out) {
        RtcAudioStats s = rtc;
        out.printf(Locale.ROOT, "received %.2f s on the far side of the call%s%n", receivedSamples.get() / 48_000.0,
                s == null ? "" : String.format(Locale.ROOT, "; jitter buffer %.0f ms, %d packets lost",
                        s.jitterBufferDelay().toNanos() / 1e6, s.packetsLost()));
    }

    @Override
    public void close() {
        try {
            Thread.sleep(300); // let the call's delay pass so the far side hears the end
            rtc = call.stats(Duration.ofSeconds(2));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            call.close();
        }
    }
}
