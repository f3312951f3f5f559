package io.pcmtrack.webrtc;

import java.util.Objects;

import dev.onvoid.webrtc.media.audio.CustomAudioSource;

/**
 * Where 10 ms chunks of 16-bit PCM go: the signature of
 * {@link CustomAudioSource#pushAudio(byte[], int, int, int, int)}, so that the publishing code can
 * be driven, measured and tested without the native library.
 *
 * <p>Contract: {@code data} holds exactly {@code frames * channels} little-endian 16-bit samples,
 * interleaved, and {@code frames == sampleRate / 100}. The array is reused for the next chunk as
 * soon as the call returns: copy it if you keep it (libwebrtc copies synchronously).
 */
@FunctionalInterface
public interface AudioPush {
    void push(byte[] data, int bitsPerSample, int sampleRate, int channels, int frames);

    /** Pushes into {@code source}; the source must outlive every push (dispose it after the pushing stops). */
    static AudioPush of(CustomAudioSource source) {
        Objects.requireNonNull(source, "source");
        return source::pushAudio;
    }
}
