/**
 * Audio files in and out of pcmtrack: {@link io.pcmtrack.io.WavReader} and
 * {@link io.pcmtrack.io.WavWriter} for RIFF/WAVE (PCM and IEEE float, plain or
 * WAVE_FORMAT_EXTENSIBLE; RF64 on reading), and {@link io.pcmtrack.io.JavaSound} to exchange
 * {@link io.pcmtrack.PcmData} with {@code javax.sound.sampled}.
 *
 * <p>The readers treat every file as untrusted input: sizes in a header are claims, checked
 * against what actually arrives, so a damaged or hostile file costs memory in proportion to its
 * real length, and anything that cannot be read fails with a
 * {@link io.pcmtrack.io.WavFormatException} whose one-line message names the bad value. Whole
 * reads return audio in the file's own sample format, bit for bit; a whole write of that audio
 * reproduces the samples exactly.
 */
package io.pcmtrack.io;
