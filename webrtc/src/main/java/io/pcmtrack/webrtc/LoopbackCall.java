package io.pcmtrack.webrtc;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import dev.onvoid.webrtc.CreateSessionDescriptionObserver;
import dev.onvoid.webrtc.PeerConnectionObserver;
import dev.onvoid.webrtc.PortAllocatorConfig;
import dev.onvoid.webrtc.RTCAnswerOptions;
import dev.onvoid.webrtc.RTCConfiguration;
import dev.onvoid.webrtc.RTCIceCandidate;
import dev.onvoid.webrtc.RTCOfferOptions;
import dev.onvoid.webrtc.RTCPeerConnection;
import dev.onvoid.webrtc.RTCPeerConnectionState;
import dev.onvoid.webrtc.RTCRtpReceiver;
import dev.onvoid.webrtc.RTCRtpSender;
import dev.onvoid.webrtc.RTCRtpTransceiver;
import dev.onvoid.webrtc.RTCSessionDescription;
import dev.onvoid.webrtc.RTCStats;
import dev.onvoid.webrtc.RTCStatsReport;
import dev.onvoid.webrtc.RTCStatsType;
import dev.onvoid.webrtc.SetSessionDescriptionObserver;
import dev.onvoid.webrtc.media.MediaStreamTrack;
import dev.onvoid.webrtc.media.audio.AudioTrack;
import dev.onvoid.webrtc.media.audio.CustomAudioSource;
import io.pcmtrack.AudioStreamTrack;
import io.pcmtrack.FrameScheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real libwebrtc audio call between two peer connections in this JVM, over UDP on 127.0.0.1:
 * a sending peer whose audio track is backed by a {@link CustomAudioSource}, and a receiving peer
 * whose remote track feeds a {@link WebRtcAudioReceiver}. Audio goes through everything a remote
 * call has (Opus encoding, RTP/SRTP over ICE and DTLS, NetEq's jitter buffer, decoding), so it is
 * the way to test publishing code, to run demos and to measure delay.
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
 * <p>Setup (about 25 ms with warm factories; the first call in a JVM also loads the native
 * library, about 300 ms): shared factories ({@link WebRtcFactories}), offer/answer, ICE candidates
 * exchanged in-process through one Java thread (never from a native callback thread) and queued
 * until both descriptions are set (libwebrtc drops earlier ones), only IPv4 host candidates
 * rewritten to 127.0.0.1 with sockets bound to the any-address; then both peers must reach
 * CONNECTED within {@link Options#connectTimeout(Duration)}.
 *
 * <p>Teardown ({@link #close()}, 25-50 ms): stops the publisher (or scheduler attachment) so that
 * nothing pushes any more, removes the receiver's sink, removes and disposes the local track,
 * closes both peer connections, disposes the source, gives back the factory leases. Every
 * callback from libwebrtc is guarded: an exception escaping into native code aborts the JVM.
 *
 * <p>One publisher per call: the source must be pushed from one thread. Methods are thread-safe;
 * {@link #close()} is idempotent. Not closing a call keeps the JVM alive: native threads attached
 * to it stay non-daemon until the shared factories are disposed, {@link WebRtcFactories#linger()}
 * after the last call closed.
 */
public final class LoopbackCall implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LoopbackCall.class);
    private static final AtomicInteger CALLS = new AtomicInteger();

    private final Options options;
    private final int id = CALLS.incrementAndGet();
    private final ExecutorService signaling;
    private final Peer sender = new Peer("sender");
    private final Peer receiverPeer = new Peer("receiver");
    private final CompletableFuture<RTCRtpTransceiver> remoteTransceiver = new CompletableFuture<>();
    private WebRtcFactories.Lease senderLease;
    private WebRtcFactories.Lease receiverLease;
    private CustomAudioSource source;
    private AudioTrack localTrack;
    private RTCRtpSender rtpSender;
    private AudioTrack remoteTrack;
    private RTCRtpReceiver rtpReceiver;
    private WebRtcAudioReceiver receiver;
    private Duration setupTime;

    // Guarded by this.
    private WebRtcPublisher publisher;
    private FrameScheduler.Attachment attachment;
    private boolean closed;

    private LoopbackCall(Options options) {
        this.options = options;
        this.signaling = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "pcmtrack-webrtc-signaling-" + id);
            t.setDaemon(true);
            return t;
        });
        sender.remote = receiverPeer;
        receiverPeer.remote = sender;
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
        senderLease = WebRtcFactories.sender();
        receiverLease = WebRtcFactories.receiver();
        sender.pc = senderLease.factory().createPeerConnection(configuration(), sender);
        receiverPeer.pc = receiverLease.factory().createPeerConnection(configuration(), receiverPeer);
        source = new CustomAudioSource();
        localTrack = senderLease.factory().createAudioTrack(options.trackId, source);
        rtpSender = sender.pc.addTrack(localTrack, List.of(options.streamId));

        RTCSessionDescription offer = await("create the offer", deadline, describe(sender.pc, true));
        await("set the offer as the sender's local description", deadline, apply(sender.pc, offer, true));
        onSignaling(deadline, () -> sender.localSet = true);
        await("set the offer as the receiver's remote description", deadline, apply(receiverPeer.pc, offer, false));
        onSignaling(deadline, () -> receiverPeer.remoteSet = true);
        RTCSessionDescription answer = await("create the answer", deadline, describe(receiverPeer.pc, false));
        await("set the answer as the receiver's local description", deadline, apply(receiverPeer.pc, answer, true));
        onSignaling(deadline, () -> {
            receiverPeer.localSet = true;
            receiverPeer.drainIfReady();
        });
        await("set the answer as the sender's remote description", deadline, apply(sender.pc, answer, false));
        onSignaling(deadline, () -> {
            sender.remoteSet = true;
            sender.drainIfReady();
        });

        RTCRtpTransceiver transceiver = await("receive the remote audio track", deadline, remoteTransceiver);
        MediaStreamTrack track = transceiver.getReceiver().getTrack();
        if (!(track instanceof AudioTrack audio)) {
            throw new WebRtcCallException("the receiving peer got a " + track.getKind() + " track, expected audio", null);
        }
        remoteTrack = audio;
        rtpReceiver = transceiver.getReceiver();
        receiver = WebRtcAudioReceiver.attach(remoteTrack, options.receiver);

        await("connect (both peers CONNECTED)", deadline, sender.connected);
        await("connect (both peers CONNECTED)", deadline, receiverPeer.connected);
        setupTime = Duration.ofNanos(System.nanoTime() - start);
        LOG.debug("loopback call {} connected in {} ms", id, setupTime.toMillis());
    }

    /** The source behind the sending peer's track: push 10 ms chunks into it from one thread, or use {@link #publish}. */
    public CustomAudioSource audioSource() {
        return source;
    }

    /** The sending peer's local audio track. */
    public AudioTrack localTrack() {
        return localTrack;
    }

    /** The receiving peer's remote audio track. */
    public AudioTrack remoteTrack() {
        return remoteTrack;
    }

    public RTCPeerConnection senderConnection() {
        return sender.pc;
    }

    public RTCPeerConnection receiverConnection() {
        return receiverPeer.pc;
    }

    /** The remote audio, as {@link io.pcmtrack.PcmData} in {@link Options#receiveFormat(io.pcmtrack.PcmFormat)}. */
    public WebRtcAudioReceiver receiver() {
        return receiver;
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
        return publish(track, WebRtcPublisher.DEFAULT_MAX_CATCH_UP);
    }

    /** {@link #publish(AudioStreamTrack)} with a custom {@link WebRtcPublisher#maxCatchUp()}. */
    public synchronized WebRtcPublisher publish(AudioStreamTrack track, Duration maxCatchUp) {
        checkCanPublish();
        publisher = WebRtcPublisher.start(track, AudioPush.of(source), maxCatchUp);
        return publisher;
    }

    /**
     * Publishes {@code track} by attaching a {@link WebRtcAudioSink} to {@code scheduler}; the
     * attachment is closed by {@link #close()} (or by the caller, earlier).
     *
     * @throws IllegalStateException    if the call already publishes, or is closed
     * @throws IllegalArgumentException if the track's format cannot be pushed
     */
    public synchronized FrameScheduler.Attachment attach(FrameScheduler scheduler, AudioStreamTrack track) {
        Objects.requireNonNull(scheduler, "scheduler");
        checkCanPublish();
        attachment = scheduler.attach(track, new WebRtcAudioSink(track, source));
        return attachment;
    }

    private void checkCanPublish() {
        if (closed) {
            throw new IllegalStateException("loopback call " + id + " is closed");
        }
        if (publisher != null || attachment != null) {
            throw new IllegalStateException("loopback call " + id
                    + " already publishes a track: its source must be pushed from one thread");
        }
    }

    /**
     * Reads the receiving side's {@code inbound-rtp} statistics.
     *
     * @throws WebRtcCallException if libwebrtc did not deliver them within {@code timeout} or
     *                             reported no inbound audio stream
     */
    public RtcAudioStats stats(Duration timeout) {
        CompletableFuture<RTCStatsReport> report = new CompletableFuture<>();
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("loopback call " + id + " is closed");
            }
            receiverPeer.pc.getStats(rtpReceiver, r -> {
                try {
                    report.complete(r);
                } catch (Throwable t) {
                    // never into native code
                }
            });
        }
        RTCStatsReport r = await("deliver stats", System.nanoTime() + timeout.toNanos(), report);
        for (RTCStats s : r.getStats().values()) {
            if (s.getType() == RTCStatsType.INBOUND_RTP) {
                return RtcAudioStats.of(s);
            }
        }
        throw new WebRtcCallException("the stats report of loopback call " + id + " has no inbound-rtp entry", null);
    }

    /** Tears the call down in the order libwebrtc needs (see the class comment). Idempotent. */
    @Override
    public void close() {
        WebRtcPublisher p;
        FrameScheduler.Attachment a;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            p = publisher;
            a = attachment;
        }
        long start = System.nanoTime();
        // Nothing may push into the source once it is disposed.
        step("stop the publisher", p == null ? null : p::close);
        step("detach from the scheduler", a == null ? null : a::close);
        step("remove the receiver's sink", receiver == null ? null : receiver::close);
        step("remove the local track", rtpSender == null ? null : () -> sender.pc.removeTrack(rtpSender));
        // Disposing a track after its peer connection is closed throws java.lang.Error: before.
        step("dispose the local track", localTrack == null ? null : localTrack::dispose);
        step("close the sending peer", sender.pc == null ? null : sender.pc::close);
        step("close the receiving peer", receiverPeer.pc == null ? null : receiverPeer.pc::close);
        step("dispose the source", source == null ? null : source::dispose);
        step("release the sender factory", senderLease == null ? null : senderLease::close);
        step("release the receiver factory", receiverLease == null ? null : receiverLease::close);
        signaling.shutdownNow();
        LOG.debug("loopback call {} torn down in {} ms", id, (System.nanoTime() - start) / 1_000_000);
    }

    private static void step(String what, Runnable action) {
        if (action == null) {
            return;
        }
        try {
            action.run();
        } catch (RuntimeException | Error e) {
            LOG.warn("teardown step '{}' failed; going on with the next", what, e);
        }
    }

    private RTCConfiguration configuration() {
        RTCConfiguration c = new RTCConfiguration();
        PortAllocatorConfig ports = new PortAllocatorConfig();
        ports.setDisableTcp(true).setDisableStun(true).setDisableRelay(true);
        // Sockets on the any-address, so that a candidate rewritten to 127.0.0.1 is reachable.
        ports.setDisableAdapterEnumeration(true).setEnableAnyAddressPorts(true);
        c.portAllocatorConfig = ports;
        return c;
    }

    private void onSignaling(long deadline, Runnable action) {
        await("update the signaling state", deadline, CompletableFuture.runAsync(action, signaling));
    }

    private <T> T await(String step, long deadline, CompletableFuture<T> future) {
        long left = deadline - System.nanoTime();
        try {
            return future.get(Math.max(0, left), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new WebRtcCallException("loopback call " + id + " did not " + step + " within "
                    + options.connectTimeout.toMillis() + " ms: " + states(), e);
        } catch (ExecutionException e) {
            throw new WebRtcCallException("loopback call " + id + " failed to " + step + ": "
                    + e.getCause().getMessage() + "; " + states(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new WebRtcCallException("interrupted while waiting for loopback call " + id + " to " + step, e);
        }
    }

    private String states() {
        return sender.state() + ", " + receiverPeer.state();
    }

    private static CompletableFuture<RTCSessionDescription> describe(RTCPeerConnection pc, boolean offer) {
        CompletableFuture<RTCSessionDescription> f = new CompletableFuture<>();
        CreateSessionDescriptionObserver observer = new CreateSessionDescriptionObserver() {
            @Override
            public void onSuccess(RTCSessionDescription description) {
                f.complete(description);
            }

            @Override
            public void onFailure(String error) {
                f.completeExceptionally(new WebRtcCallException(error, null));
            }
        };
        if (offer) {
            pc.createOffer(new RTCOfferOptions(), observer);
        } else {
            pc.createAnswer(new RTCAnswerOptions(), observer);
        }
        return f;
    }

    private static CompletableFuture<Void> apply(RTCPeerConnection pc, RTCSessionDescription d, boolean local) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        SetSessionDescriptionObserver observer = new SetSessionDescriptionObserver() {
            @Override
            public void onSuccess() {
                f.complete(null);
            }

            @Override
            public void onFailure(String error) {
                f.completeExceptionally(new WebRtcCallException(error, null));
            }
        };
        if (local) {
            pc.setLocalDescription(d, observer);
        } else {
            pc.setRemoteDescription(d, observer);
        }
        return f;
    }

    /** Host candidate address to 127.0.0.1; null for IPv6 or anything that is not a UDP host candidate line. */
    static String toLoopback(String candidateSdp) {
        String[] f = candidateSdp.split(" ");
        if (f.length < 8 || f[4].contains(":") || !f[2].equalsIgnoreCase("udp")) {
            return null;
        }
        f[4] = "127.0.0.1";
        return String.join(" ", f);
    }

    /**
     * One peer's observer. libwebrtc calls it on its native threads: every method catches
     * everything, and anything touching the other peer goes through the signaling thread.
     */
    private final class Peer implements PeerConnectionObserver {
        final String name;
        final CompletableFuture<Void> connected = new CompletableFuture<>();
        final AtomicInteger candidatesSent = new AtomicInteger();
        volatile RTCPeerConnection pc;
        volatile Peer remote;
        volatile RTCPeerConnectionState lastState = RTCPeerConnectionState.NEW;
        // Touched only on the signaling thread.
        boolean localSet;
        boolean remoteSet;
        final List<RTCIceCandidate> pending = new ArrayList<>();

        Peer(String name) {
            this.name = name;
        }

        @Override
        public void onIceCandidate(RTCIceCandidate candidate) {
            try {
                String sdp = toLoopback(candidate.sdp);
                if (sdp == null) {
                    return;
                }
                RTCIceCandidate c = new RTCIceCandidate(candidate.sdpMid, candidate.sdpMLineIndex, sdp);
                candidatesSent.incrementAndGet();
                signaling.execute(() -> remote.deliver(c));
            } catch (Throwable t) {
                guard("onIceCandidate", t);
            }
        }

        /** On the signaling thread: add now, or queue until both descriptions are set. */
        void deliver(RTCIceCandidate c) {
            try {
                if (localSet && remoteSet) {
                    pc.addIceCandidate(c);
                } else {
                    pending.add(c);
                }
            } catch (RuntimeException | Error e) {
                LOG.warn("loopback call {}: adding an ICE candidate to the {} failed", id, name, e);
            }
        }

        /** On the signaling thread. */
        void drainIfReady() {
            if (localSet && remoteSet) {
                for (RTCIceCandidate c : pending) {
                    pc.addIceCandidate(c);
                }
                pending.clear();
            }
        }

        @Override
        public void onConnectionChange(RTCPeerConnectionState state) {
            try {
                lastState = state;
                if (state == RTCPeerConnectionState.CONNECTED) {
                    connected.complete(null);
                } else if (state == RTCPeerConnectionState.FAILED) {
                    connected.completeExceptionally(new WebRtcCallException(name + " peer connection FAILED", null));
                }
            } catch (Throwable t) {
                guard("onConnectionChange", t);
            }
        }

        @Override
        public void onTrack(RTCRtpTransceiver transceiver) {
            try {
                if (this == receiverPeer) {
                    remoteTransceiver.complete(transceiver);
                }
            } catch (Throwable t) {
                guard("onTrack", t);
            }
        }

        String state() {
            RTCPeerConnection p = pc;
            if (p == null) {
                return name + "[not created]";
            }
            try {
                return name + "[pc=" + p.getConnectionState() + ", ice=" + p.getIceConnectionState() + ", gathering="
                        + p.getIceGatheringState() + ", candidates sent=" + candidatesSent.get() + "]";
            } catch (RuntimeException | Error e) {
                return name + "[pc=" + lastState + "]";
            }
        }

        private void guard(String callback, Throwable t) {
            try {
                LOG.warn("loopback call {}: {} callback of the {} failed", id, callback, name, t);
            } catch (Throwable ignored) {
                // nothing may reach native code
            }
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
