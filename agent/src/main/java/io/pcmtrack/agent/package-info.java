/**
 * A voice agent independent of its transport: {@link io.pcmtrack.agent.ParrotAgent} listens to
 * the caller's audio (energy-based voice activity, {@link io.pcmtrack.agent.VadOptions}), answers
 * into an {@link io.pcmtrack.AudioStreamTrack} the way a TTS engine writes, is cut by a barge-in
 * with a fade, and keeps a {@link io.pcmtrack.agent.Timeline} of the conversation, also as
 * {@link io.pcmtrack.agent.AgentEvent}s and plain maps for JSON.
 *
 * <p>Public: the agent, its options, listener, events and timeline records. Package-private and
 * free to change: the caller's side ({@code CallerListener}, {@code VoiceActivityDetector},
 * {@code NoiseFloor}, {@code UtteranceRecorder}) and the answer being written ({@code Answer}).
 */
package io.pcmtrack.agent;
