package io.pcmtrack;

/**
 * Thrown by {@link AudioStreamTrack#write} of an {@link OverflowPolicy#BLOCK} track when its
 * thread is interrupted while it waits for room or for another writer (a drop-oldest write never
 * waits, and ignores the interrupt status). The thread's interrupt status is set again. The audio before
 * {@link #samplesWritten()} is in the buffer; the rest of the chunk was not written.
 */
public final class WriteInterruptedException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final long samplesWritten;

    WriteInterruptedException(long samplesWritten, InterruptedException cause) {
        this(samplesWritten, "interrupted while waiting for buffer room", cause);
    }

    WriteInterruptedException(long samplesWritten, String what, InterruptedException cause) {
        super("write " + what + "; " + samplesWritten
                + " samples per channel of this chunk were written (in the track's rate)", cause);
        this.samplesWritten = samplesWritten;
    }

    /** Samples per channel of the interrupted chunk that were written, in the track's sample rate. */
    public long samplesWritten() {
        return samplesWritten;
    }
}
