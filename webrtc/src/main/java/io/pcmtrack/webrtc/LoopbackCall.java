package io.pcmtrack.webrtc;

import java.time.Duration;
import java.util.Objects;

import dev.onvoid.webrtc.RTCPeerConnection;
import dev.onvoid.webrtc.media.audio.AudioTrack;
import dev.onvoid.webrtc.media.audio.CustomAudioSource;
import io.pcmtrack.AudioStreamTrack;
import io.pcmtrack.FrameScheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real libwebrtc audio call between two {@link WebRtcSession}s in this JVM, over UDP on
 * 127.0.0.1: a sending session whose audio track is backed by a {@link CustomAudioSource}, and a
 * receiving session whose remote track feeds a {@link WebRtcAudioReceiver}. Audio goes through
 * everything a remote call has (Opus encoding, RTP/SRTP over ICE and DTLS, NetEq's jitter buffer,
 * decoding), so it is the way to test publishing code, to run demos and to measure delay.
 *
 * <pre>{@code
 * try (LoopbackCall call = LoopbackCall.open(LoopbackCall.options()
 *             .receiveFormat(PcmFormat.s16(16_000, 1)));
 *      AudioStreamTrack track = AudioStreamTrack.create()) {
 *     call.publish(track);                           // a pump thread pushes the track in real time
 *     track.write(speech, true);
 *     PcmData heard = call.receiver().read(Duration.ofSeconds(1));
 *     RtcAudioStats stats = call.stats(Duration.ofSeconds(2));
 * }                                                  // tears everything down in the right order
 * }</pre>
 *
 * <p>Setup: both sessions with {@link CandidatePolicy#LOOPBACK}; the sender offers, the receiver
 * answers, both with complete SDP (non-trickle); then both must reach CONNECTED within
 * {@link Options#connectTimeout(Duration)}. Teardown ({@link #close()}): the sending session
 * first (its publisher stops before its source goes), then the receiving one, each in the order
 * {@link WebRtcSession#close()} documents.
 *
 * <p>One publisher per call: the source must be pushed from one thread. Methods are thread-safe;
 * {@link #close()} is idempotent. Not closing a call keeps the JVM alive: native threads attached
 * to it stay non-daemon until the shared factories are disposed, {@link WebRtcFactories#linger()}
 * after the last call closed.
 */
public final class LoopbackCall implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LoopbackCall.class);

    private final Options options;
    private WebRtcSession sender;
    private WebRtcSession receiverSession;
    private Duration setupTime;

    private LoopbackCall(Options options) {
        this.options = options;
    }

    /** Default options: 10 s to connect, remote audio as 48 kHz mono S16 with a 10 s buffer. */
    public static Options options() {
        return new Options();
    }

    /** {@code open(options())}. */
    public static LoopbackCall open() {
        return open(options());
    }

    /**
     * Sets up the call and waits until both peers are connected.
     *
     * @throws WebRtcUnavailableException if the native library cannot be loaded on this platform
     * @throws WebRtcCallException        if a setup step failed or the peers did not connect in
     *                                    time; everything created so far is torn down
     */
    public static LoopbackCall open(Options options) {
        Objects.requireNonNull(options, "options");
        WebRtcNative.ensureAvailable();
        LoopbackCall call = new LoopbackCall(options.copy());
        try {
            call.setUp();
            return call;
        } catch (RuntimeException | Error e) {
            call.close();
            throw e;
        }
    }

    private void setUp() {
        long start = System.nanoTime();
        long deadline = start + options.connectTimeout.toNanos();
        WebRtcSession.Options common = WebRtcSession.options().candidates(CandidatePolicy.LOOPBACK)
                .negotiationTimeout(options.connectTimeout).gatherTimeout(options.connectTimeout);
        sender = WebRtcSession.sending(common.copy().trackId(options.trackId));
        receiverSession = WebRtcSession.receiving(common.copy().receiver(options.receiver));
        String offer = sender.offer();
        String answer = receiverSession.answer(offer);
        sender.accept(answer);
        sender.awaitConnected(left(deadline));
        receiverSession.awaitConnected(left(deadline));
        setupTime = Duration.ofNanos(System.nanoTime() - start);
        LOG.debug("loopback call connected in {} ms", setupTime.toMillis());
    }

    private static Duration left(long deadline) {
        return Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
    }

    /** The source behind the sending peer's track: push 10 ms chunks into it from one thread, or use {@link #publish}. */
    public CustomAudioSource audioSource() {
        return sender.audioSource();
    }

    /** The sending peer's local audio track. */
    public AudioTrack localTrack() {
        return sender.localTrack();
    }

    /** The receiving peer's remote audio track. */
    public AudioTrack remoteTrack() {
        return receiverSession.remoteTrack();
    }

    public RTCPeerConnection senderConnection() {
        return sender.peerConnection();
    }

    public RTCPeerConnection receiverConnection() {
        return receiverSession.peerConnection();
    }

    /** The sending session. */
    public WebRtcSession senderSession() {
        return sender;
    }

    /** The receiving session. */
    public WebRtcSession receiverSession() {
        return receiverSession;
    }

    /** The remote audio, as {@link io.pcmtrack.PcmData} in {@link Options#receiveFormat(io.pcmtrack.PcmFormat)}. */
    public WebRtcAudioReceiver receiver() {
        return receiverSession.receiver();
    }

    /** From {@link #open} to both peers CONNECTED. */
    public Duration setupTime() {
        return setupTime;
    }

    /**
     * Publishes {@code track} with a {@link WebRtcPublisher} (its own pump thread, 10 ms push
     * deadlines); stopped by {@link #close()}.
     *
     * @throws IllegalStateException    if the call already publishes, or is closed
     * @throws IllegalArgumentException if the track's format cannot be pushed
     */
    public WebRtcPublisher publish(AudioStreamTrack track) {
        return sender.publish(track);
    }

    /** {@link #publish(AudioStreamTrack)} with a custom {@link WebRtcPublisher#maxCatchUp()}. */
    public WebRtcPublisher publish(AudioStreamTrack track, Duration maxCatchUp) {
        return sender.publish(track, maxCatchUp);
    }

    /**
     * Publishes {@code track} by attaching a {@link WebRtcAudioSink} to {@code scheduler}; the
     * attachment is closed by {@link #close()} (or by the caller, earlier).
     *
     * @throws IllegalStateException    if the call already publishes, or is closed
     * @throws IllegalArgumentException if the track's format cannot be pushed
     */
    public FrameScheduler.Attachment attach(FrameScheduler scheduler, AudioStreamTrack track) {
        return sender.attach(scheduler, track);
    }

    /**
     * Reads the receiving side's {@code inbound-rtp} statistics.
     *
     * @throws WebRtcCallException if libwebrtc did not deliver them within {@code timeout} or
     *                             reported no inbound audio stream
     */
    public RtcAudioStats stats(Duration timeout) {
        return receiverSession.receiveStats(timeout);
    }

    /** Tears the call down: the sending session, then the receiving one. Idempotent. */
    @Override
    public void close() {
        if (sender != null) {
            sender.close();
        }
        if (receiverSession != null) {
            receiverSession.close();
        }
    }

    /** How to set up a {@link LoopbackCall}; every setter validates at once. */
    public static final class Options {
        private Duration connectTimeout = Duration.ofSeconds(10);
        private WebRtcAudioReceiver.Options receiver = WebRtcAudioReceiver.options();
        private String trackId = "pcmtrack-audio";
        private String streamId = "pcmtrack";

        private Options() {
        }

        /** Longest time from {@link #open} to both peers CONNECTED, &gt; 0; default 10 s. */
        public Options connectTimeout(Duration d) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("connectTimeout must be > 0, got " + d);
            }
            this.connectTimeout = d;
            return this;
        }

        /** Format of the received audio, e.g. {@code PcmFormat.s16(16_000, 1)}; default 48 kHz mono S16. */
        public Options receiveFormat(io.pcmtrack.PcmFormat format) {
            receiver.format(format);
            return this;
        }

        /** Most received audio queued before the oldest is dropped; default 10 s. */
        public Options receiveBufferLimit(Duration d) {
            receiver.bufferLimit(d);
            return this;
        }

        /** Id of the sending peer's audio track; default {@code pcmtrack-audio}. */
        public Options trackId(String id) {
            if (id == null || id.isBlank()) {
                throw new IllegalArgumentException("trackId must not be blank, got '" + id + "'");
            }
            this.trackId = id;
            return this;
        }

        public Duration connectTimeout() {
            return connectTimeout;
        }

        public WebRtcAudioReceiver.Options receiver() {
            return receiver.copy();
        }

        Options copy() {
            Options o = new Options();
            o.connectTimeout = connectTimeout;
            o.receiver = receiver.copy();
            o.trackId = trackId;
            o.streamId = streamId;
            return o;
        }
    }
}
