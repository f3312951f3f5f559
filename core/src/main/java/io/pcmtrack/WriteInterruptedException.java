package io.pcmtrack;

/**
 * Thrown by {@link AudioStreamTrack#write} when its thread is interrupted while it waits for room
 * ({@link OverflowPolicy#BLOCK}). The thread's interrupt status is set again. The audio before
 * {@link #samplesWritten()} is in the buffer; the rest of the chunk was not written.
 */
public final class WriteInterruptedException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final long samplesWritten;

    WriteInterruptedException(long samplesWritten, InterruptedException cause) {
        super("write interrupted while waiting for buffer room; " + samplesWritten
                + " samples per channel of this chunk were written (in the track's rate)", cause);
        this.samplesWritten = samplesWritten;
    }

    /** Samples per channel of the interrupted chunk that were written, in the track's sample rate. */
    public long samplesWritten() {
        return samplesWritten;
    }
}
