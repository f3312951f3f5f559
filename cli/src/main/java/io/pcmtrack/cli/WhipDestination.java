package io.pcmtrack.cli;

import java.io.PrintWriter;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Locale;

import io.pcmtrack.AudioFrame;
import io.pcmtrack.AudioStreamTrack;
import io.pcmtrack.webrtc.CandidatePolicy;
import io.pcmtrack.webrtc.RtcSendStats;
import io.pcmtrack.webrtc.WebRtcAudioSink;
import io.pcmtrack.webrtc.WebRtcSession;
import io.pcmtrack.webrtc.WebRtcUnavailableException;
import io.pcmtrack.webrtc.WhipClient;
import io.pcmtrack.webrtc.WhipException;

/**
 * {@code --to whip:URL}: the stream's paced frames go into a WHIP session (RFC 9725). The stream
 * loop is the track's consumer, so the pacing goes on while the client reconnects.
 */
final class WhipDestination implements StreamCommand.Destination {
    /** Exit code when the far end refused the session or the call failed. */
    static final int EXIT_CALL_FAILED = 1;

    private final WhipClient client;
    private final WebRtcAudioSink sink;
    private RtcSendStats sent;
    private String resource;

    private WhipDestination(WhipClient client, AudioStreamTrack track) {
        this.client = client;
        this.sink = new WebRtcAudioSink(track.format(), track.samplesPerFrame(), client.audioPush());
        this.resource = String.valueOf(client.resource());
    }

    static WhipDestination open(String url, String token, CandidatePolicy candidates, AudioStreamTrack track) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new UserException("--to whip:URL needs an http:// or https:// URL, got '" + url + "': " + e.getReason());
        }
        WhipClient.Options options;
        try {
            options = WhipClient.options().token(token)
                    .session(WebRtcSession.options().candidates(candidates));
        } catch (IllegalArgumentException e) {
            throw new UserException("--token: " + e.getMessage());
        }
        WhipClient client;
        try {
            client = WhipClient.connect(uri, options);
        } catch (IllegalArgumentException e) {
            throw new UserException("--to whip:URL: " + e.getMessage());
        } catch (WebRtcUnavailableException e) {
            throw new UserException("WebRTC is not available here: " + e.getMessage(), EXIT_CALL_FAILED);
        } catch (WhipException e) {
            throw new UserException(e.getMessage(), EXIT_CALL_FAILED);
        }
        try {
            return new WhipDestination(client, track);
        } catch (RuntimeException e) {
            client.close();
            throw new UserException("--to whip: " + e.getMessage());
        }
    }

    @Override
    public void accept(AudioFrame frame) {
        sink.onFrame(frame);
    }

    @Override
    public void summarize(PrintWriter out) {
        RtcSendStats s = sent;
        out.printf(Locale.ROOT, "published to %s in %d WHIP session%s%s%n", resource, client.sessions(),
                client.sessions() == 1 ? "" : "s", s == null ? "" : String.format(Locale.ROOT,
                        ": %d packets sent%s", s.packetsSent(), s.remoteReports()
                                ? String.format(Locale.ROOT, ", far end reports %d lost, round trip %.0f ms",
                                s.remotePacketsLost(), s.roundTripTime().toNanos() / 1e6) : ""));
    }

    @Override
    public void close() {
        boolean connected;
        String state;
        RuntimeException failure;
        try {
            try {
                Thread.sleep(300); // the last frames are still on their way: let them arrive before DELETE
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            WebRtcSession session = client.session();
            connected = session != null && session.isConnected();
            state = session == null ? "gone" : String.valueOf(session.connectionState());
            failure = client.lastFailure();
            if (session != null) {
                resource = String.valueOf(client.resource());
                try {
                    sent = session.sendStats(Duration.ofSeconds(2));
                } catch (RuntimeException e) {
                    sent = null; // the summary goes without them
                }
            }
        } finally {
            client.close();
        }
        if (!connected) {
            throw new UserException("the WHIP session's connection failed (ICE " + state
                    + ") and was not re-established before the input ended"
                    + (failure == null ? "" : "; last attempt: " + failure.getMessage()), EXIT_CALL_FAILED);
        }
    }
}
