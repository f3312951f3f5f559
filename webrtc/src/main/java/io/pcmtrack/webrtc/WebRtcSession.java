package io.pcmtrack.webrtc;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Consumer;
import java.util.function.Supplier;

import dev.onvoid.webrtc.CreateSessionDescriptionObserver;
import dev.onvoid.webrtc.PeerConnectionObserver;
import dev.onvoid.webrtc.PortAllocatorConfig;
import dev.onvoid.webrtc.RTCAnswerOptions;
import dev.onvoid.webrtc.RTCConfiguration;
import dev.onvoid.webrtc.RTCIceCandidate;
import dev.onvoid.webrtc.RTCIceGatheringState;
import dev.onvoid.webrtc.RTCIceServer;
import dev.onvoid.webrtc.RTCOfferOptions;
import dev.onvoid.webrtc.RTCPeerConnection;
import dev.onvoid.webrtc.RTCPeerConnectionState;
import dev.onvoid.webrtc.RTCRtpReceiver;
import dev.onvoid.webrtc.RTCRtpSender;
import dev.onvoid.webrtc.RTCRtpTransceiver;
import dev.onvoid.webrtc.RTCRtpTransceiverDirection;
import dev.onvoid.webrtc.RTCRtpTransceiverInit;
import dev.onvoid.webrtc.RTCSdpType;
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
 * One WebRTC peer connection carrying one audio stream, and everything it owns: the shared
 * factory's lease, the connection, the audio source and local track (sending) or the
 * {@link WebRtcAudioReceiver} on the remote track (receiving), and the {@link WebRtcPublisher} or
 * scheduler attachment that pushes into it. {@link #close()} tears all of it down in the one
 * order libwebrtc survives, so try-with-resources is all a caller needs.
 *
 * <pre>{@code
 * try (WebRtcSession session = WebRtcSession.sending(WebRtcSession.options());
 *      AudioStreamTrack track = AudioStreamTrack.create()) {
 *     session.publish(track);                               // pushes in real time from now on
 *     session.accept(signaling.exchange(session.offer()));  // e.g. a WHIP POST (see WhipClient)
 *     session.awaitConnected(Duration.ofSeconds(10));
 *     track.write(speech, true);
 *     track.playout().get();
 * }
 * }</pre>
 *
 * <p><b>Direction.</b> A session either sends ({@link #sending}) or receives ({@link #receiving})
 * audio: with webrtc-java 0.14.0 a sending factory needs the dummy audio device and a receiving
 * one the headless device (see {@link WebRtcFactories}), so one connection cannot do both. Use two
 * sessions for a two-way call, as SFUs do anyway.
 *
 * <p><b>Signaling.</b> Either side may offer. {@link #offer()} then {@link #accept(String)}, or
 * {@link #answer(String)}; each blocks until the description is set and, by default, until ICE
 * gathering is complete, and returns the complete SDP with every candidate in it (what WHIP and
 * WHEP exchange). With {@link Options#trickle(boolean) trickle} they return at once and local
 * candidates go to {@link #onLocalCandidate}; remote ones come in through
 * {@link #addRemoteCandidate} (queued until both descriptions are set, since libwebrtc silently
 * drops earlier ones). SDP returned by this class has CRLF line endings.
 *
 * <p><b>Candidates.</b> libwebrtc gathers on every interface it finds, never on a loopback one:
 * {@link CandidatePolicy} chooses between 127.0.0.1 only ({@link CandidatePolicy#LOOPBACK}),
 * host candidates, and everything with {@link Options#iceServers STUN and TURN servers}.
 *
 * <p><b>Threads.</b> Methods are thread-safe. libwebrtc's callbacks are all guarded (an exception
 * reaching native code aborts the JVM) and listeners registered here are called on the session's
 * own Java thread, never on a native one; a listener may call this session (not block on it for
 * long) and other sessions. Do not call a session from a libwebrtc callback of your own.
 *
 * <p><b>Teardown</b> ({@link #close()}, idempotent, from any thread): stop the publisher or
 * attachment and refuse further pushes, remove the receiver's sink, remove and dispose the local
 * track (disposing it after the connection closed throws {@code java.lang.Error}), close the
 * connection, drop the native references webrtc-java 0.14.0 takes and never gives back (the
 * connection itself, addTrack's sender, addTransceiver's transceiver: without this each closed
 * session kept about 90 KB of native memory and its factory's threads), dispose the source, give
 * back the factory lease. A session never closed keeps the JVM alive (see {@link WebRtcFactories}).
 */
public final class WebRtcSession implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WebRtcSession.class);
    private static final AtomicInteger SESSIONS = new AtomicInteger();

    /** What a session does with audio. */
    public enum Direction {
        /** Sends the audio pushed into its source; offers/answers {@code sendonly}. */
        SEND,
        /** Receives remote audio into a {@link WebRtcAudioReceiver}; offers/answers {@code recvonly}. */
        RECEIVE
    }

    /** Where negotiation stands. */
    private enum Phase { NEW, OFFERED, NEGOTIATED }

    private final int id = SESSIONS.incrementAndGet();
    private final Direction direction;
    /** "sending session 7": names this session in messages. */
    private final String who;
    private final Options options;
    private final ExecutorService events;
    private final Observer observer = new Observer();
    private final CompletableFuture<Void> gathered = new CompletableFuture<>();
    private final CompletableFuture<Void> connected = new CompletableFuture<>();
    private final CompletableFuture<Void> closing = new CompletableFuture<>();
    private final List<Consumer<RTCPeerConnectionState>> stateListeners = new CopyOnWriteArrayList<>();
    private final List<Consumer<LocalCandidate>> candidateListeners = new CopyOnWriteArrayList<>();
    private final long created = System.nanoTime();
    private final WebRtcFactories.Lease lease;
    private final RTCPeerConnection pc;
    /** libwebrtc's connection, kept to free it after close() (see NativeReferences). */
    private final long pcHandle;
    private final CustomAudioSource source;
    private final AudioTrack localTrack;
    private final GuardedPush push;
    /**
     * Held (shared) by every negotiation and every remote candidate while they call into
     * libwebrtc, and (exclusive) by {@link #close()} while it frees the connection: webrtc-java's
     * transceiver, receiver and track objects hold no reference of their own, so once the
     * connection is freed, a call through one of them would touch freed memory.
     */
    private final ReentrantReadWriteLock nativeCalls = new ReentrantReadWriteLock();
    /** How long {@link #close()} waits for a negotiation to let go before it leaves the connection allocated. */
    private static final long FREE_WAIT_SECONDS = 10;

    /** Touched only on the events thread. */
    private final RemoteCandidates remoteCandidates;

    // Guarded by this.
    private Phase phase = Phase.NEW;
    private RTCRtpSender rtpSender;
    private RTCRtpReceiver rtpReceiver;
    private AudioTrack remoteTrack;
    private WebRtcAudioReceiver receiver;
    private WebRtcPublisher publisher;
    private FrameScheduler.Attachment attachment;
    /**
     * The native references webrtc-java handed over with addTrack's sender or addTransceiver's
     * transceiver, which nothing else releases (see NativeReferences).
     */
    private final List<Long> ownedReferences = new ArrayList<>();
    private boolean connectionFreed;
    private volatile RTCPeerConnectionState state = RTCPeerConnectionState.NEW;
    private volatile Duration setupTime;
    private boolean closed;

    private WebRtcSession(Direction direction, Options options) {
        this.direction = direction;
        this.who = (direction == Direction.SEND ? "sending" : "receiving") + " session " + id;
        this.options = options;
        this.events = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "pcmtrack-webrtc-session-" + id);
            t.setDaemon(true);
            return t;
        });
        WebRtcFactories.Lease l = direction == Direction.SEND ? WebRtcFactories.sender() : WebRtcFactories.receiver();
        RTCPeerConnection c = null;
        CustomAudioSource s = null;
        AudioTrack t = null;
        try {
            c = l.factory().createPeerConnection(configuration(options), observer);
            if (c == null) {
                throw new WebRtcCallException("libwebrtc refused to create a peer connection for " + options, null);
            }
            WebRtcFactories.connectionCreated();
            // A receiving session offers through a recvonly transceiver, which needs a track to
            // be created with; it never sends, so its source is never pushed.
            s = new CustomAudioSource();
            t = l.factory().createAudioTrack(options.trackId, s);
        } catch (RuntimeException | Error e) {
            events.shutdownNow();
            if (t != null) {
                t.dispose();
            }
            if (c != null) {
                long handle = NativeReferences.handleOf(c);
                c.close();
                freeConnection(handle);
            }
            if (s != null) {
                s.dispose();
            }
            l.close();
            throw e;
        }
        this.lease = l;
        this.pc = c;
        this.pcHandle = NativeReferences.handleOf(c);
        RTCPeerConnection connection = c;
        this.remoteCandidates = new RemoteCandidates(
                candidate -> whileOpen(() -> connection.addIceCandidate(candidate)), who);
        this.source = s;
        this.localTrack = t;
        this.push = new GuardedPush(direction == Direction.SEND ? AudioPush.of(s) : null);
    }

    /** Default options: see {@link Options}. */
    public static Options options() {
        return new Options();
    }

    /**
     * A session that sends audio. Push into it with {@link #publish}, {@link #attach} or
     * {@link #audioPush()}, before or after negotiating (audio pushed before the connection is
     * up is dropped by libwebrtc, as in any call).
     *
     * @throws WebRtcUnavailableException if the native library cannot be loaded on this platform
     */
    public static WebRtcSession sending(Options options) {
        Objects.requireNonNull(options, "options");
        WebRtcNative.ensureAvailable();
        return new WebRtcSession(Direction.SEND, options.copy());
    }

    /**
     * A session that receives audio; once negotiated, {@link #receiver()} hands it out as
     * {@code PcmData} in {@link Options#receiver(WebRtcAudioReceiver.Options)}'s format.
     *
     * @throws WebRtcUnavailableException if the native library cannot be loaded on this platform
     */
    public static WebRtcSession receiving(Options options) {
        Objects.requireNonNull(options, "options");
        WebRtcNative.ensureAvailable();
        return new WebRtcSession(Direction.RECEIVE, options.copy());
    }

    public Direction direction() {
        return direction;
    }

    /**
     * Creates an offer ({@code sendonly} audio for a sending session, {@code recvonly} for a
     * receiving one), sets it as the local description, and returns it: complete with every
     * candidate once gathering finished (or {@link Options#gatherTimeout} passed), or at once with
     * trickle. Then pass the remote answer to {@link #accept(String)}.
     *
     * @throws IllegalStateException if this session already offered or answered, or is closed
     * @throws WebRtcCallException   if libwebrtc failed or took longer than
     *                               {@link Options#negotiationTimeout}, or gathered no candidate
     */
    public String offer() {
        return negotiating(this::offerNow);
    }

    private String offerNow() {
        long deadline = deadline();
        synchronized (this) {
            checkPhase(Phase.NEW, "offer");
            phase = Phase.OFFERED;
            if (direction == Direction.SEND) {
                rtpSender = pc.addTrack(localTrack, List.of(options.streamId));
                ownedReferences.add(NativeReferences.handleOf(rtpSender));
                setDirection(RTCRtpTransceiverDirection.SEND_ONLY);
            } else {
                RTCRtpTransceiverInit init = new RTCRtpTransceiverInit();
                init.direction = RTCRtpTransceiverDirection.RECV_ONLY;
                init.streamIds = List.of(options.streamId);
                RTCRtpTransceiver t = pc.addTransceiver(localTrack, init);
                ownedReferences.add(NativeReferences.handleOf(t));
                rtpSender = t.getSender();
                rtpReceiver = t.getReceiver();
            }
        }
        RTCSessionDescription offer = await("create the offer", deadline, describe(true));
        await("set the offer as local description", deadline, apply(offer, true));
        onEvents(deadline, remoteCandidates::localDescriptionSet);
        return localDescription(deadline);
    }

    /**
     * Takes the remote peer's answer to {@link #offer()}. For a receiving session the
     * {@link #receiver()} exists when this returns.
     *
     * @throws IllegalStateException    if {@link #offer()} was not called, the session already
     *                                  negotiated, or is closed
     * @throws IllegalArgumentException if {@code remoteAnswer} is not SDP, has no audio section
     *                                  this session can use, or libwebrtc rejects it (the message
     *                                  has libwebrtc's reason)
     * @throws WebRtcCallException      if libwebrtc took longer than {@link Options#negotiationTimeout}
     */
    public void accept(String remoteAnswer) {
        negotiating(() -> acceptNow(remoteAnswer));
    }

    private Void acceptNow(String remoteAnswer) {
        long deadline = deadline();
        checkRemote(remoteAnswer, "answer");
        synchronized (this) {
            checkPhase(Phase.OFFERED, "accept an answer");
            phase = Phase.NEGOTIATED;
        }
        try {
            setRemote(new RTCSessionDescription(RTCSdpType.ANSWER, remoteSdp(remoteAnswer)), "answer", deadline);
        } catch (IllegalArgumentException e) {
            backTo(Phase.OFFERED); // libwebrtc left the connection as it was: another answer may come
            throw e;
        }
        if (direction == Direction.RECEIVE) {
            attachReceiver(rtpReceiver);
        }
        return null;
    }

    /**
     * Answers a remote offer: sets it as the remote description, adds the local track (after it,
     * so that the offer's audio transceiver carries it) or attaches the receiver, creates the
     * answer, sets it as local description and returns it, complete with candidates unless trickle.
     *
     * @throws IllegalStateException    if this session already offered or answered, or is closed
     * @throws IllegalArgumentException if {@code remoteOffer} is not SDP, has no audio section this
     *                                  session can answer (a sending session needs one the remote
     *                                  receives, a receiving one one it sends), or libwebrtc rejects
     *                                  it (the message has libwebrtc's reason)
     * @throws WebRtcCallException      if libwebrtc failed or took longer than
     *                                  {@link Options#negotiationTimeout}, or gathered no candidate
     */
    public String answer(String remoteOffer) {
        return negotiating(() -> answerNow(remoteOffer));
    }

    private String answerNow(String remoteOffer) {
        long deadline = deadline();
        checkRemote(remoteOffer, "offer");
        synchronized (this) {
            checkPhase(Phase.NEW, "answer");
            phase = Phase.NEGOTIATED;
        }
        try {
            setRemote(new RTCSessionDescription(RTCSdpType.OFFER, remoteSdp(remoteOffer)), "offer", deadline);
        } catch (IllegalArgumentException e) {
            backTo(Phase.NEW); // libwebrtc left the connection as it was: another offer may come
            throw e;
        }
        RTCRtpTransceiver audio = firstAudioTransceiver();
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException(who + " was closed while it answered");
            }
            if (direction == Direction.SEND) {
                // After setRemoteDescription: addTrack then reuses the offer's audio transceiver.
                rtpSender = pc.addTrack(localTrack, List.of(options.streamId));
                ownedReferences.add(NativeReferences.handleOf(rtpSender));
                setDirection(RTCRtpTransceiverDirection.SEND_ONLY);
            } else {
                audio.setDirection(RTCRtpTransceiverDirection.RECV_ONLY);
                rtpReceiver = audio.getReceiver();
            }
        }
        if (direction == Direction.RECEIVE) {
            attachReceiver(rtpReceiver);
        }
        RTCSessionDescription answer = await("create the answer", deadline, describe(false));
        await("set the answer as local description", deadline, apply(answer, true));
        onEvents(deadline, remoteCandidates::localDescriptionSet);
        return localDescription(deadline);
    }

    /**
     * Waits until the connection is CONNECTED (ICE and DTLS done).
     *
     * @throws WebRtcCallException if it FAILED, was closed, or is not connected within
     *                             {@code timeout}; the message has the ICE and connection states
     */
    public void awaitConnected(Duration timeout) {
        if (timeout == null || timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must be >= 0, got " + timeout);
        }
        awaitFor("connect", System.nanoTime() + timeout.toNanos(), timeout, connected);
    }

    /** True once the connection reached CONNECTED and did not fail or close since. */
    public boolean isConnected() {
        return state == RTCPeerConnectionState.CONNECTED;
    }

    /** The connection's latest state as libwebrtc reported it. */
    public RTCPeerConnectionState connectionState() {
        return state;
    }

    /**
     * Calls {@code listener} with every later connection state change (CONNECTING, CONNECTED,
     * DISCONNECTED, FAILED, CLOSED), on the session's Java thread, in order. An exception from the
     * listener is logged.
     */
    public void onStateChange(Consumer<RTCPeerConnectionState> listener) {
        stateListeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /**
     * With {@link Options#trickle(boolean)}: calls {@code listener} with every local candidate
     * (filtered by the {@link CandidatePolicy}) on the session's Java thread, and once with
     * {@link LocalCandidate#END} when gathering is complete. Register before {@link #offer()} or
     * {@link #answer(String)}: candidates gathered before are not repeated.
     */
    public void onLocalCandidate(Consumer<LocalCandidate> listener) {
        candidateListeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /**
     * Adds a remote ICE candidate ({@code candidate:...}, with or without {@code a=}), queued
     * until both descriptions are set. Under {@link CandidatePolicy#LOOPBACK} one off
     * 127.0.0.0/8 is ignored.
     *
     * @throws IllegalArgumentException if {@code candidate} is not a candidate line
     */
    public void addRemoteCandidate(String mid, int mLineIndex, String candidate) {
        Objects.requireNonNull(candidate, "candidate");
        String c = candidate.startsWith("a=") ? candidate.substring(2) : candidate;
        if (!c.startsWith("candidate:") || c.split(" ").length < 8) {
            throw new IllegalArgumentException("not an ICE candidate line (candidate:FOUNDATION COMPONENT"
                    + " TRANSPORT PRIORITY ADDRESS PORT typ TYPE), got '" + Sdp.abbreviate(candidate) + "'");
        }
        if (options.policy == CandidatePolicy.LOOPBACK && !Sdp.isLoopback(c)) {
            return;
        }
        RTCIceCandidate ice = new RTCIceCandidate(mid, mLineIndex, c);
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException(who + " is closed: cannot add a remote candidate");
            }
        }
        dispatch(() -> remoteCandidates.offer(ice));
    }

    /**
     * Publishes {@code track} with a {@link WebRtcPublisher} (a pump thread of its own, real-time
     * push deadlines) until {@link #close()}; the track is not stopped by closing the session.
     *
     * @throws IllegalStateException    if the session receives, already publishes, or is closed
     * @throws IllegalArgumentException if the track's format cannot be pushed
     */
    public WebRtcPublisher publish(AudioStreamTrack track) {
        Objects.requireNonNull(track, "track");
        return publish(track, track.maxCatchUp() != null ? track.maxCatchUp() : WebRtcPublisher.DEFAULT_MAX_CATCH_UP);
    }

    /** {@link #publish(AudioStreamTrack)} with a custom {@link WebRtcPublisher#maxCatchUp()}. */
    public synchronized WebRtcPublisher publish(AudioStreamTrack track, Duration maxCatchUp) {
        checkCanPublish();
        publisher = WebRtcPublisher.start(track, push, maxCatchUp);
        return publisher;
    }

    /**
     * Publishes {@code track} by attaching a {@link WebRtcAudioSink} to {@code scheduler};
     * {@link #close()} closes the attachment (or the caller does, earlier).
     *
     * @throws IllegalStateException    if the session receives, already publishes, or is closed
     * @throws IllegalArgumentException if the track's format cannot be pushed
     */
    public synchronized FrameScheduler.Attachment attach(FrameScheduler scheduler, AudioStreamTrack track) {
        Objects.requireNonNull(scheduler, "scheduler");
        checkCanPublish();
        attachment = scheduler.attach(track, new WebRtcAudioSink(track.format(), track.samplesPerFrame(), push));
        return attachment;
    }

    /**
     * Where to push 10 ms chunks yourself (one thread, real-time deadlines, see {@link AudioPush}),
     * e.g. from a fan-out feeding many sessions, or a {@link WebRtcPublisher} that outlives this
     * session. Safe to call during and after {@link #close()}: pushes then are dropped (close
     * waits for a push in progress before disposing the source).
     *
     * @throws IllegalStateException if the session receives
     */
    public AudioPush audioPush() {
        if (direction != Direction.SEND) {
            throw new IllegalStateException(who + " receives audio; only a sending session takes pushes");
        }
        return push;
    }

    /**
     * The received audio.
     *
     * @throws IllegalStateException if the session sends, or has not negotiated yet
     */
    public synchronized WebRtcAudioReceiver receiver() {
        if (direction != Direction.RECEIVE) {
            throw new IllegalStateException(who + " sends audio; it has no receiver");
        }
        if (receiver == null) {
            throw new IllegalStateException(who + " has no receiver before answer() or accept()");
        }
        return receiver;
    }

    /** The remote audio track of a receiving session once negotiated; null before, and once closed. */
    public synchronized AudioTrack remoteTrack() {
        return closed ? null : remoteTrack; // once closed, libwebrtc's track is freed with the connection
    }

    /** The local audio track (backed by {@link #audioSource()}). */
    public AudioTrack localTrack() {
        return localTrack;
    }

    /**
     * The source behind the local track. Prefer {@link #audioPush()}, which is safe across
     * {@link #close()}; pushing here after close crashes the JVM.
     */
    public CustomAudioSource audioSource() {
        return source;
    }

    /**
     * The underlying connection, for what this class does not cover; do not close it yourself.
     * Transceivers, senders, receivers and tracks obtained through it must not be used after
     * {@link #close()}: libwebrtc frees them with the connection.
     */
    public RTCPeerConnection peerConnection() {
        return pc;
    }

    /** From the creation of this session to CONNECTED, or null before. */
    public Duration setupTime() {
        return setupTime;
    }

    /**
     * Reads the receiving side's {@code inbound-rtp} statistics.
     *
     * @throws IllegalStateException if the session sends, is not negotiated, or is closed
     * @throws WebRtcCallException   if libwebrtc did not deliver them within {@code timeout} or
     *                               reported no inbound audio stream
     */
    public RtcAudioStats receiveStats(Duration timeout) {
        RTCRtpReceiver r;
        synchronized (this) {
            if (direction != Direction.RECEIVE) {
                throw new IllegalStateException(who + " sends audio; use sendStats");
            }
            r = rtpReceiver;
        }
        RTCStatsReport report = stats(timeout, r, null);
        for (RTCStats s : report.getStats().values()) {
            if (s.getType() == RTCStatsType.INBOUND_RTP) {
                return RtcAudioStats.of(s);
            }
        }
        throw new WebRtcCallException("the stats report of " + who + " has no inbound-rtp entry", null);
    }

    /**
     * Reads the sending side's {@code outbound-rtp} statistics and what the far end reported.
     *
     * @throws IllegalStateException if the session receives, is not negotiated, or is closed
     * @throws WebRtcCallException   if libwebrtc did not deliver them within {@code timeout} or
     *                               reported no outbound audio stream
     */
    public RtcSendStats sendStats(Duration timeout) {
        RTCRtpSender s;
        synchronized (this) {
            if (direction != Direction.SEND) {
                throw new IllegalStateException(who + " receives audio; use receiveStats");
            }
            s = rtpSender;
        }
        RtcSendStats out = RtcSendStats.of(stats(timeout, null, s));
        if (out == null) {
            throw new WebRtcCallException("the stats report of " + who + " has no outbound-rtp audio entry", null);
        }
        return out;
    }

    private RTCStatsReport stats(Duration timeout, RTCRtpReceiver r, RTCRtpSender s) {
        CompletableFuture<RTCStatsReport> report = new CompletableFuture<>();
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException(who + " is closed");
            }
            if (r == null && s == null) {
                throw new IllegalStateException(who + " has not negotiated yet: no stats");
            }
            if (r != null) {
                pc.getStats(r, rep -> complete(report, rep));
            } else {
                pc.getStats(s, rep -> complete(report, rep));
            }
        }
        return awaitFor("deliver stats", System.nanoTime() + timeout.toNanos(), timeout, report);
    }

    private static <T> void complete(CompletableFuture<T> f, T value) {
        try {
            f.complete(value);
        } catch (Throwable t) {
            // never into native code
        }
    }

    /** Tears the session down in the order libwebrtc needs (see the class comment). Idempotent. */
    @Override
    public void close() {
        WebRtcPublisher p;
        FrameScheduler.Attachment a;
        WebRtcAudioReceiver rx;
        RTCRtpSender sender;
        List<Long> owned;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            p = publisher;
            a = attachment;
            rx = receiver;
            sender = rtpSender;
            owned = List.copyOf(ownedReferences);
        }
        closing.complete(null);
        long start = System.nanoTime();
        step("stop the publisher", p == null ? null : p::close);
        step("detach from the scheduler", a == null ? null : a::close);
        // Nothing may push into the source once it is disposed: waits for a push in progress.
        step("refuse further pushes", push::close);
        step("remove the receiver's sink", rx == null ? null : rx::close);
        step("remove the local track", sender == null ? null : () -> pc.removeTrack(sender));
        // Disposing a track after its peer connection is closed throws java.lang.Error: before.
        step("dispose the local track", localTrack::dispose);
        step("close the peer connection", pc::close);
        // close() leaves libwebrtc's connection allocated (webrtc-java never releases it): free it,
        // and the sender or transceiver webrtc-java handed over, while the factory's threads live,
        // once no negotiation or remote candidate is inside libwebrtc (they stop at `closing`).
        if (awaitNoNativeCalls()) {
            try {
                step("release the sender or transceiver", () -> owned.forEach(NativeReferences::release));
                step("free the peer connection", () -> {
                    boolean freed = freeConnection(pcHandle);
                    synchronized (this) {
                        connectionFreed = freed;
                    }
                });
            } finally {
                nativeCalls.writeLock().unlock();
            }
        }
        step("dispose the source", source::dispose);
        step("release the factory", lease::close);
        events.shutdown();
        state = RTCPeerConnectionState.CLOSED;
        connected.completeExceptionally(new WebRtcCallException(who + " was closed", null));
        LOG.debug("session {} torn down in {} ms", id, (System.nanoTime() - start) / 1_000_000);
    }

    /** Drops the reference webrtc-java kept to a closed connection; true if that freed it. */
    private static boolean freeConnection(long handle) {
        boolean freed = NativeReferences.release(handle);
        if (freed) {
            WebRtcFactories.connectionFreed();
        }
        return freed;
    }

    /**
     * Takes {@link #nativeCalls} exclusively; false (the connection then stays allocated, a leak
     * rather than a crash) if this thread is itself inside a native call of this session or a
     * negotiation did not let go within {@link #FREE_WAIT_SECONDS}.
     */
    private boolean awaitNoNativeCalls() {
        if (nativeCalls.getReadHoldCount() > 0) {
            LOG.warn("session {} closed from inside its own negotiation: its libwebrtc connection is not freed", id);
            return false;
        }
        try {
            if (nativeCalls.writeLock().tryLock(FREE_WAIT_SECONDS, TimeUnit.SECONDS)) {
                return true;
            }
            LOG.warn("session {}: a negotiation still runs {} s after close(); its libwebrtc connection is not freed",
                    id, FREE_WAIT_SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            LOG.warn("session {}: interrupted while closing; its libwebrtc connection is not freed", id);
        }
        return false;
    }

    /**
     * Runs a negotiation while holding {@link #nativeCalls} (shared), so that {@link #close()}
     * does not free the connection under it; a failure caused by a close running meanwhile
     * fails as closed.
     */
    private <T> T negotiating(Supplier<T> negotiation) {
        nativeCalls.readLock().lock();
        try {
            return negotiation.get();
        } catch (RuntimeException e) {
            throw closedWhileNegotiating(e);
        } finally {
            nativeCalls.readLock().unlock();
        }
    }

    /**
     * A negotiation that failed because {@link #close()} ran under it (libwebrtc's objects
     * answer a closed connection with exceptions of their own) fails as closed.
     */
    private RuntimeException closedWhileNegotiating(RuntimeException e) {
        if (isClosed() && !(e instanceof IllegalStateException) && !(e instanceof WebRtcCallException)) {
            return new IllegalStateException(who + " was closed while it negotiated", e);
        }
        return e;
    }

    /** Runs a call into libwebrtc unless the session is closed, never while {@link #close()} frees it. */
    private void whileOpen(Runnable nativeCall) {
        nativeCalls.readLock().lock();
        try {
            if (!isClosed()) {
                nativeCall.run();
            }
        } finally {
            nativeCalls.readLock().unlock();
        }
    }

    /** True once {@link #close()} freed libwebrtc's connection object (its last reference was dropped). */
    synchronized boolean connectionFreed() {
        return connectionFreed;
    }

    /** True once {@link #close()} was called. */
    public synchronized boolean isClosed() {
        return closed;
    }

    @Override
    public String toString() {
        return who + " (" + options.policy + ", " + states() + ")";
    }

    private void checkPhase(Phase expected, String what) {
        if (closed) {
            throw new IllegalStateException(who + " is closed: cannot " + what);
        }
        if (phase != expected) {
            throw new IllegalStateException(who + " cannot " + what + " now: "
                    + switch (phase) {
                        case NEW -> "it has not offered yet";
                        case OFFERED -> "it already offered and waits for an answer";
                        case NEGOTIATED -> "it already negotiated";
                    });
        }
    }

    private synchronized void backTo(Phase p) {
        phase = p;
    }

    private void checkCanPublish() {
        if (direction != Direction.SEND) {
            throw new IllegalStateException(who + " receives audio; only a sending session publishes");
        }
        if (closed) {
            throw new IllegalStateException(who + " is closed");
        }
        if (publisher != null || attachment != null) {
            throw new IllegalStateException(who
                    + " already publishes a track: its source must be pushed from one thread");
        }
    }

    /** Bad remote SDP is bad input: IllegalArgumentException naming what is wrong. */
    private void checkRemote(String sdp, String kind) {
        if (sdp == null || sdp.isBlank()) {
            throw new IllegalArgumentException("the remote " + kind + " is empty; expected an SDP session description");
        }
        String dir = Sdp.audioDirection(sdp);
        if (dir == null) {
            throw new IllegalArgumentException("the remote " + kind + " has no audio section (m=audio)");
        }
        boolean usable = direction == Direction.SEND
                ? dir.equals("recvonly") || dir.equals("sendrecv")
                : dir.equals("sendonly") || dir.equals("sendrecv");
        if (!usable) {
            throw new IllegalArgumentException("the remote " + kind + "'s audio is " + dir + ", but this session "
                    + (direction == Direction.SEND ? "sends (the remote must receive: recvonly or sendrecv)"
                    : "receives (the remote must send: sendonly or sendrecv)"));
        }
    }

    private String remoteSdp(String sdp) {
        return options.policy == CandidatePolicy.LOOPBACK ? Sdp.remoteForLoopback(sdp) : Sdp.join(Sdp.lines(sdp));
    }

    private void setRemote(RTCSessionDescription d, String kind, long deadline) {
        try {
            await("set the remote " + kind, deadline, apply(d, false));
        } catch (WebRtcCallException e) {
            if (e.getCause() instanceof Rejected r) {
                throw new IllegalArgumentException("the remote " + kind + " was rejected: " + r.getMessage(), e);
            }
            throw e;
        }
        onEvents(deadline, remoteCandidates::remoteDescriptionSet);
    }

    private RTCRtpTransceiver firstAudioTransceiver() {
        for (RTCRtpTransceiver t : pc.getTransceivers()) {
            MediaStreamTrack track = t.getReceiver().getTrack();
            if (track != null && MediaStreamTrack.AUDIO_TRACK_KIND.equals(track.getKind())) {
                return t;
            }
        }
        throw new IllegalArgumentException("the remote offer has no audio transceiver libwebrtc could use");
    }

    private void attachReceiver(RTCRtpReceiver r) {
        MediaStreamTrack track = r.getTrack();
        if (!(track instanceof AudioTrack audio)) {
            throw new WebRtcCallException(who + " got a " + (track == null ? "missing" : track.getKind())
                    + " remote track, expected audio", null);
        }
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException(who + " is closed");
            }
            remoteTrack = audio;
            receiver = WebRtcAudioReceiver.attach(audio, options.receiver);
        }
    }

    /** Sets the direction of the transceiver that carries the local track (addTrack does not return it). */
    private void setDirection(RTCRtpTransceiverDirection dir) {
        String trackId = localTrack.getId();
        for (RTCRtpTransceiver t : pc.getTransceivers()) {
            MediaStreamTrack sent = t.getSender().getTrack();
            if (sent != null && trackId.equals(sent.getId())) {
                t.setDirection(dir);
                return;
            }
        }
        LOG.warn("session {}: no transceiver carries the local track {}; its direction stays as libwebrtc chose",
                id, trackId);
    }

    private String localDescription(long deadline) {
        if (!options.trickle) {
            try {
                // Or until close(): which then waits for this negotiation to let go before it frees.
                CompletableFuture.anyOf(gathered, closing).get(
                        Math.max(0, Math.min(deadline - System.nanoTime(), options.gatherTimeout.toNanos())),
                        TimeUnit.NANOSECONDS);
                if (closing.isDone()) {
                    throw new IllegalStateException(who + " was closed while it gathered ICE candidates");
                }
            } catch (TimeoutException e) {
                LOG.info("session {}: ICE gathering not complete after {} ms; offering the candidates found so far",
                        id, options.gatherTimeout.toMillis());
            } catch (ExecutionException e) {
                throw new WebRtcCallException(who + " failed while gathering: " + e.getCause().getMessage(),
                        e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new WebRtcCallException("interrupted while " + who + " gathered ICE candidates", e);
            }
        }
        RTCSessionDescription d = pc.getLocalDescription();
        String sdp = options.policy == CandidatePolicy.LOOPBACK ? Sdp.localForLoopback(d.sdp) : Sdp.join(Sdp.lines(d.sdp));
        if (!options.trickle && Sdp.candidates(sdp) == 0) {
            throw new WebRtcCallException(who + " gathered no usable ICE candidate (policy " + options.policy
                    + (options.policy == CandidatePolicy.LOOPBACK
                    ? "; libwebrtc needs a default route: in a network namespace, "
                    + "'ip route add default dev lo src 127.0.0.1'" : "") + "); " + states(), null);
        }
        return sdp;
    }

    private long deadline() {
        return System.nanoTime() + options.negotiationTimeout.toNanos();
    }

    private void onEvents(long deadline, Runnable action) {
        await("update the signaling state", deadline, CompletableFuture.runAsync(action, events));
    }

    private <T> T await(String step, long deadline, CompletableFuture<T> future) {
        return awaitFor(step, deadline, options.negotiationTimeout, future);
    }

    private <T> T awaitFor(String step, long deadline, Duration limit, CompletableFuture<T> future) {
        long left = deadline - System.nanoTime();
        try {
            CompletableFuture.anyOf(future, closing).get(Math.max(0, left), TimeUnit.NANOSECONDS);
            if (!future.isDone()) {
                throw new WebRtcCallException(who + " was closed while waiting to " + step, null);
            }
            return future.get();
        } catch (TimeoutException e) {
            throw new WebRtcCallException(who + " did not " + step + " within " + limit.toMillis()
                    + " ms: " + states(), e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            throw new WebRtcCallException(who + " failed to " + step + ": " + cause.getMessage() + "; "
                    + states(), cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new WebRtcCallException("interrupted while waiting for " + who + " to " + step, e);
        }
    }

    private String states() {
        try {
            return "pc=" + pc.getConnectionState() + ", ice=" + pc.getIceConnectionState() + ", gathering="
                    + pc.getIceGatheringState();
        } catch (RuntimeException | Error e) {
            return "pc=" + state;
        }
    }

    private CompletableFuture<RTCSessionDescription> describe(boolean offer) {
        CompletableFuture<RTCSessionDescription> f = new CompletableFuture<>();
        CreateSessionDescriptionObserver o = new CreateSessionDescriptionObserver() {
            @Override
            public void onSuccess(RTCSessionDescription description) {
                complete(f, description);
            }

            @Override
            public void onFailure(String error) {
                try {
                    f.completeExceptionally(new WebRtcCallException(error, null));
                } catch (Throwable t) {
                    // never into native code
                }
            }
        };
        if (offer) {
            pc.createOffer(new RTCOfferOptions(), o);
        } else {
            pc.createAnswer(new RTCAnswerOptions(), o);
        }
        return f;
    }

    private CompletableFuture<Void> apply(RTCSessionDescription d, boolean local) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        SetSessionDescriptionObserver o = new SetSessionDescriptionObserver() {
            @Override
            public void onSuccess() {
                complete(f, null);
            }

            @Override
            public void onFailure(String error) {
                try {
                    f.completeExceptionally(new Rejected(error));
                } catch (Throwable t) {
                    // never into native code
                }
            }
        };
        if (local) {
            pc.setLocalDescription(d, o);
        } else {
            try {
                pc.setRemoteDescription(d, o);
            } catch (Error e) {
                // webrtc-java throws java.lang.Error when libwebrtc cannot parse the SDP at all.
                f.completeExceptionally(new Rejected(e.getMessage()));
            }
        }
        return f;
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

    private static RTCConfiguration configuration(Options o) {
        RTCConfiguration c = new RTCConfiguration();
        PortAllocatorConfig ports = new PortAllocatorConfig();
        switch (o.policy) {
            case LOOPBACK -> ports.setDisableTcp(true).setDisableStun(true).setDisableRelay(true)
                    // One socket on the any-address, announced as 127.0.0.1 (see Sdp.localForLoopback).
                    .setDisableAdapterEnumeration(true).setEnableAnyAddressPorts(true);
            case HOST -> ports.setDisableStun(true).setDisableRelay(true);
            case ALL -> {
                List<RTCIceServer> servers = new ArrayList<>();
                for (IceServer s : o.iceServers) {
                    RTCIceServer r = new RTCIceServer();
                    r.urls = new ArrayList<>(s.urls());
                    r.username = s.username();
                    r.password = s.credential();
                    servers.add(r);
                }
                c.iceServers = servers;
            }
        }
        c.portAllocatorConfig = ports;
        return c;
    }

    /** setRemoteDescription's failure: the remote SDP was refused, which is bad input. */
    private static final class Rejected extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Rejected(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * The session's source, closable: pushes after {@link #close()} are dropped, and close waits
     * for a push in progress, so that the source is never disposed under a push.
     */
    private static final class GuardedPush implements AudioPush {
        private final AudioPush target;
        private boolean closed;

        GuardedPush(AudioPush target) {
            this.target = target;
        }

        @Override
        public synchronized void push(byte[] data, int bitsPerSample, int sampleRate, int channels, int frames) {
            if (!closed && target != null) {
                target.push(data, bitsPerSample, sampleRate, channels, frames);
            }
        }

        synchronized void close() {
            closed = true;
        }
    }

    /** libwebrtc's callbacks: all guarded, all work handed to the events thread. */
    private final class Observer implements PeerConnectionObserver {
        @Override
        public void onIceCandidate(RTCIceCandidate candidate) {
            try {
                if (!options.trickle || candidateListeners.isEmpty()) {
                    return;
                }
                String c = options.policy == CandidatePolicy.LOOPBACK ? Sdp.toLoopback(candidate.sdp) : candidate.sdp;
                if (c != null) {
                    LocalCandidate lc = new LocalCandidate(candidate.sdpMid, candidate.sdpMLineIndex, c);
                    dispatch(() -> notifyCandidate(lc));
                }
            } catch (Throwable t) {
                guard("onIceCandidate", t);
            }
        }

        @Override
        public void onIceGatheringChange(RTCIceGatheringState s) {
            try {
                if (s == RTCIceGatheringState.COMPLETE) {
                    gathered.complete(null);
                    if (options.trickle) {
                        dispatch(() -> notifyCandidate(LocalCandidate.END));
                    }
                }
            } catch (Throwable t) {
                guard("onIceGatheringChange", t);
            }
        }

        @Override
        public void onConnectionChange(RTCPeerConnectionState s) {
            try {
                state = s;
                if (s == RTCPeerConnectionState.CONNECTED) {
                    if (setupTime == null) {
                        setupTime = Duration.ofNanos(System.nanoTime() - created);
                    }
                    connected.complete(null);
                } else if (s == RTCPeerConnectionState.FAILED) {
                    connected.completeExceptionally(new WebRtcCallException("ICE failed (peer connection FAILED)", null));
                }
                dispatch(() -> notifyState(s));
            } catch (Throwable t) {
                guard("onConnectionChange", t);
            }
        }

        private void guard(String callback, Throwable t) {
            try {
                LOG.warn("session {}: {} callback failed", id, callback, t);
            } catch (Throwable ignored) {
                // nothing may reach native code
            }
        }
    }

    /** Hands work to the events thread; after close there is none, and nothing to tell. */
    private void dispatch(Runnable r) {
        try {
            events.execute(r);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // closed
        }
    }

    private void notifyState(RTCPeerConnectionState s) {
        for (Consumer<RTCPeerConnectionState> l : stateListeners) {
            try {
                l.accept(s);
            } catch (RuntimeException | Error e) {
                LOG.warn("session {}: a state listener failed on {}", id, s, e);
            }
        }
    }

    private void notifyCandidate(LocalCandidate c) {
        for (Consumer<LocalCandidate> l : candidateListeners) {
            try {
                l.accept(c);
            } catch (RuntimeException | Error e) {
                LOG.warn("session {}: a candidate listener failed", id, e);
            }
        }
    }

    /**
     * A local ICE candidate for trickle signaling.
     *
     * @param mid        the media section's {@code a=mid}
     * @param mLineIndex the media section's index
     * @param candidate  {@code candidate:...} without {@code a=}; empty for {@link #END}
     */
    public record LocalCandidate(String mid, int mLineIndex, String candidate) {
        /** Gathering is complete: no more candidates ({@code a=end-of-candidates}). */
        public static final LocalCandidate END = new LocalCandidate(null, -1, "");

        public boolean isEnd() {
            return candidate.isEmpty();
        }
    }

    /** How to set up a {@link WebRtcSession}; every setter validates at once. */
    public static final class Options {
        private CandidatePolicy policy = CandidatePolicy.ALL;
        private List<IceServer> iceServers = List.of();
        private boolean trickle;
        private Duration gatherTimeout = Duration.ofSeconds(5);
        private Duration negotiationTimeout = Duration.ofSeconds(10);
        private WebRtcAudioReceiver.Options receiver = WebRtcAudioReceiver.options();
        private String trackId = "pcmtrack-audio";
        private String streamId = "pcmtrack";

        private Options() {
        }

        /** Which candidates to gather and offer; default {@link CandidatePolicy#ALL}. */
        public Options candidates(CandidatePolicy p) {
            this.policy = Objects.requireNonNull(p, "candidate policy");
            return this;
        }

        /** STUN and TURN servers, used with {@link CandidatePolicy#ALL}; default none. */
        public Options iceServers(List<IceServer> servers) {
            Objects.requireNonNull(servers, "iceServers");
            this.iceServers = List.copyOf(servers);
            return this;
        }

        /**
         * False (default): {@link #offer()} and {@link #answer(String)} wait for ICE gathering and
         * return complete SDP. True: they return at once; see {@link #onLocalCandidate}.
         */
        public Options trickle(boolean trickle) {
            this.trickle = trickle;
            return this;
        }

        /**
         * Longest wait for ICE gathering before offering or answering with the candidates found so
         * far (an unreachable STUN server makes gathering slow); &gt; 0, default 5 s.
         */
        public Options gatherTimeout(Duration d) {
            this.gatherTimeout = positive(d, "gatherTimeout");
            return this;
        }

        /** Longest time for each of offer, answer and accept; &gt; 0, default 10 s. */
        public Options negotiationTimeout(Duration d) {
            this.negotiationTimeout = positive(d, "negotiationTimeout");
            return this;
        }

        /** Format and buffering of received audio (receiving sessions). */
        public Options receiver(WebRtcAudioReceiver.Options o) {
            this.receiver = Objects.requireNonNull(o, "receiver options").copy();
            return this;
        }

        /** Id of the local audio track; default {@code pcmtrack-audio}. */
        public Options trackId(String id) {
            this.trackId = nonBlank(id, "trackId");
            return this;
        }

        /** Id of the media stream the track belongs to ({@code a=msid}); default {@code pcmtrack}. */
        public Options streamId(String id) {
            this.streamId = nonBlank(id, "streamId");
            return this;
        }

        public CandidatePolicy candidates() {
            return policy;
        }

        public List<IceServer> iceServers() {
            return iceServers;
        }

        public boolean trickle() {
            return trickle;
        }

        public Duration gatherTimeout() {
            return gatherTimeout;
        }

        public Duration negotiationTimeout() {
            return negotiationTimeout;
        }

        public WebRtcAudioReceiver.Options receiver() {
            return receiver.copy();
        }

        public String trackId() {
            return trackId;
        }

        public String streamId() {
            return streamId;
        }

        public Options copy() {
            Options o = new Options();
            o.policy = policy;
            o.iceServers = iceServers;
            o.trickle = trickle;
            o.gatherTimeout = gatherTimeout;
            o.negotiationTimeout = negotiationTimeout;
            o.receiver = receiver.copy();
            o.trackId = trackId;
            o.streamId = streamId;
            return o;
        }

        @Override
        public String toString() {
            return "candidates " + policy + ", ice servers " + iceServers + (trickle ? ", trickle" : "");
        }

        private static Duration positive(Duration d, String name) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + " must be > 0, got " + d);
            }
            return d;
        }

        private static String nonBlank(String s, String name) {
            if (s == null || s.isBlank()) {
                throw new IllegalArgumentException(name + " must not be blank, got '" + s + "'");
            }
            return s;
        }
    }
}
