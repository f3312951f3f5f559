package io.pcmtrack.io;

import java.io.IOException;

/**
 * A WAV file or stream that pcmtrack cannot read: not RIFF/WAVE, a header that is cut off or
 * inconsistent, or a codec other than PCM and IEEE float.
 *
 * <p>The message is one self-contained line naming the problem and the offending value, for
 * example {@code unsupported WAV codec: format tag 0x0055 (MP3); pcmtrack reads PCM and IEEE float}.
 * It does not name the file, so a caller reporting it should prefix the file name.
 */
public final class WavFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message one line naming the problem and the value found
     */
    public WavFormatException(String message) {
        super(message);
    }
}
