package io.pcmtrack;

import io.pcmtrack.dsp.Resampler;

/**
 * The ingest of a track: turns each {@code write} into the track's format and appends it to the
 * {@link FrameBuffer}. Owns the write lock, which serializes writers and marks, and the
 * {@link ConversionChain} of the current input format, which only the lock holder touches.
 *
 * <p>A write first reserves its whole converted length in the buffer, under the flush epoch it
 * read, then appends in pieces; a flush that moves the epoch meanwhile makes the buffer refuse the
 * rest, and the next write finds the chain stale and resets it. Same-format chunks skip the chain
 * and are copied in pieces of {@link #PIECE_FRAMES}, to keep each hold of the buffer's spin lock short.
 */
final class Converter extends WriteLock implements ConversionChain.Output {
    /** Samples per channel copied per lock hold when writing a long same-format chunk. */
    private static final int PIECE_FRAMES = 4096;

    private final PcmFormat format;
    private final FrameBuffer buffer;
    private final boolean mayWait;

    private final Resampler.Quality resampling;
    // Guarded by the write lock.
    private ConversionChain chain;
    private long chainEpoch;
    private long writeEpoch;
    /** Interleaved samples the write under way has appended (or dropped at once), for its exception. */
    private final long[] appended = new long[1];

    Converter(PcmFormat format, FrameBuffer buffer, OverflowPolicy overflow, Resampler.Quality resampling) {
        this.format = format;
        this.resampling = resampling;
        this.buffer = buffer;
        this.mayWait = overflow == OverflowPolicy.BLOCK;
    }

    /** See {@link AudioStreamTrack#write(PcmData, boolean)}. */
    void write(PcmData pcm, boolean last) {
        lockForWrite();
        appended[0] = 0;
        try {
            writeLocked(pcm, last);
        } catch (InterruptedException e) {
            buffer.abandonReservation(writeEpoch);
            if (chain != null) {
                chain.reset();
            }
            Thread.currentThread().interrupt();
            throw new WriteInterruptedException(appended[0] / format.channels(), e);
        } finally {
            unlockWrites();
        }
    }

    /** See {@link AudioStreamTrack#mark(String)}: ordered with writes by the write lock. */
    Mark mark(String label) {
        lockWrites();
        try {
            return buffer.mark(label);
        } finally {
            unlockWrites();
        }
    }

    private void lockForWrite() {
        if (!mayWait) {
            // A drop-oldest write never waits for room, so it has no reason to be interruptible.
            lockWrites();
            return;
        }
        try {
            lockWritesInterruptibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new WriteInterruptedException(0, "interrupted while waiting for another writer", e);
        }
    }

    private void writeLocked(PcmData pcm, boolean last) throws InterruptedException {
        PcmFormat in = pcm.format();
        boolean direct = in.equals(format);
        while (true) {
            if (direct && chain == null) {
                // The common case: nothing to convert, no chain state to check against the epoch.
                int count = pcm.sampleCount();
                if (!mayWait && count > 0 && count <= PIECE_FRAMES * format.channels()) {
                    // One piece that never waits for room: reserved and appended in one lock hold.
                    writeEpoch = buffer.reserveAndAppend(pcm.shortArray(), pcm.floatArray(), pcm.byteArray(),
                            count, pcm.samplesPerChannel(), appended);
                    if (last) {
                        buffer.release(writeEpoch);
                    }
                    return;
                }
                writeEpoch = buffer.reserveNow(pcm.samplesPerChannel());
                break;
            }
            writeEpoch = buffer.epoch();
            if (chain != null && chainEpoch != writeEpoch) {
                chain.reset(); // a flush came in since the chain last ran: its state is stale
            }
            chainEpoch = writeEpoch;
            if (chain != null && (direct || !chain.input().equals(in))) {
                // The input format changed: end the old stream (its tail plays), then start anew.
                finishChain();
                chain = null;
                continue; // the finish may have raced a flush: read the epoch again
            }
            if (chain == null) {
                // A writer that may wait for room would hold borrowed arrays while it waits: it keeps its own.
                chain = new ConversionChain(in, format.sampleRate(), format.channels(),
                        format.sampleFormat() == SampleFormat.S16, resampling, !mayWait);
            }
            if (buffer.reserve(chain.outputFor(pcm.samplesPerChannel()), writeEpoch)) {
                break;
            }
        }
        boolean kept = direct ? writeDirect(pcm) : chain.convert(pcm, this);
        if (kept && last) {
            if (chain != null && !finishChain()) {
                return;
            }
            buffer.release(writeEpoch);
        }
    }

    /** Drains the chain's tail into the buffer; false if a flush cut it. */
    private boolean finishChain() throws InterruptedException {
        if (!buffer.reserve(chain.finishExtra(), writeEpoch)) {
            chain.reset();
            return false;
        }
        return chain.finish(this);
    }

    /** Same format as the track: copy straight into the buffer, in pieces to keep lock holds short. */
    private boolean writeDirect(PcmData pcm) throws InterruptedException {
        short[] shorts = pcm.shortArray();
        float[] floats = pcm.floatArray();
        byte[] bytes = pcm.byteArray();
        int total = pcm.sampleCount();
        int piece = PIECE_FRAMES * format.channels();
        for (int off = 0; off < total; off += piece) {
            if (!buffer.append(shorts, floats, bytes, off, Math.min(piece, total - off), writeEpoch, appended)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public boolean accept(float[] samples, int offset, int count) throws InterruptedException {
        return buffer.append(null, samples, null, offset, count, writeEpoch, appended);
    }

    @Override
    public boolean accept(short[] samples, int offset, int count) throws InterruptedException {
        return buffer.append(samples, null, null, offset, count, writeEpoch, appended);
    }
}
