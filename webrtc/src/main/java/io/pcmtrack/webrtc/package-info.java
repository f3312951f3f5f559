/**
 * Real libwebrtc calls for pcmtrack (webrtc-java 0.14.0): one peer connection with everything it
 * owns, negotiated with complete SDP and closed in the safe order ({@link io.pcmtrack.webrtc.WebRtcSession});
 * publish an
 * {@link io.pcmtrack.AudioStreamTrack} into a peer connection ({@link io.pcmtrack.webrtc.WebRtcPublisher},
 * {@link io.pcmtrack.webrtc.WebRtcAudioSink}), receive remote audio as {@link io.pcmtrack.PcmData}
 * ({@link io.pcmtrack.webrtc.WebRtcAudioReceiver}), and run both ends in one JVM
 * ({@link io.pcmtrack.webrtc.LoopbackCall}).
 *
 * <p>Everything that touches libwebrtc first calls {@link io.pcmtrack.webrtc.WebRtcNative#ensureAvailable()},
 * which turns a missing native jar or system library into a {@link io.pcmtrack.webrtc.WebRtcUnavailableException}.
 * Factories come from {@link io.pcmtrack.webrtc.WebRtcFactories} (shared and reference-counted:
 * a factory is costly to create and dispose). {@link io.pcmtrack.webrtc.WebRtcSession#close()}
 * frees the native peer connection, which webrtc-java 0.14.0's own {@code close()} leaves
 * allocated. Every callback from native code is guarded:
 * an exception escaping into libwebrtc aborts the JVM.
 */
package io.pcmtrack.webrtc;
