package io.pcmtrack;

import io.pcmtrack.dsp.SampleCodec;

/**
 * The samples of one track waiting to be played: a linked list of pooled {@link Block}s, read
 * from the head and written at the tail. Consuming moves the head block's read index and
 * recycles a block once it is drained; it never copies what remains. Memory follows what is
 * buffered: an empty buffer holds no block at all.
 *
 * <p>Counts are in interleaved samples ({@code frames * channels}). Also keeps the release
 * boundaries set by {@code write(pcm, true)}: positions where a held partial frame ends and
 * must be padded rather than joined with later audio. Not thread-safe: the track guards it.
 *
 * <p>A drained block is kept as this buffer's one spare before anything goes back to the shared
 * pool: a steady stream then cycles one block without touching the pool's atomics (at 10,000
 * tracks the cross-thread traffic on the pool costs more than the copies). The owner gives the
 * spare back with {@link #releaseSpare()} once the track has been idle for a while.
 */
final class FrameBuffer {
    private final BlockPool pool;
    private final int shard;
    private Block head;
    private Block tail;
    private Block spare;
    private long size;
    /** Samples ever read or dropped; the absolute position of the head. */
    private long readCount;
    /** Release boundaries (absolute positions) in increasing order, as a ring; allocated on first use. */
    private long[] releases;
    private int releaseFirst;
    private int releaseCount;

    FrameBuffer(SampleFormat format, int shard) {
        this.pool = BlockPool.of(format);
        this.shard = shard;
    }

    /** Interleaved samples buffered. */
    long size() {
        return size;
    }

    /** Absolute position of the oldest buffered sample: samples ever read or dropped. */
    long readPosition() {
        return readCount;
    }

    /** Absolute position just past the newest buffered sample. */
    long writePosition() {
        return readCount + size;
    }

    /** Appends 16-bit samples (16-bit buffer). */
    void append(short[] src, int offset, int count) {
        while (count > 0) {
            Block b = writableTail();
            int n = Math.min(count, b.writable());
            System.arraycopy(src, offset, b.shorts, b.limit, n);
            b.limit += n;
            offset += n;
            count -= n;
            size += n;
        }
    }

    /** Appends float samples: copied to a float buffer, encoded to a 16-bit one. */
    void append(float[] src, int offset, int count) {
        while (count > 0) {
            Block b = writableTail();
            int n = Math.min(count, b.writable());
            if (b.floats != null) {
                System.arraycopy(src, offset, b.floats, b.limit, n);
            } else {
                SampleCodec.encode(src, offset, b.shorts, b.limit, n);
            }
            b.limit += n;
            offset += n;
            count -= n;
            size += n;
        }
    }

    /** Appends little-endian samples already in this buffer's format (S16 or F32), bit-exact. */
    void appendLittleEndian(byte[] src, int srcSample, int count) {
        while (count > 0) {
            Block b = writableTail();
            int n = Math.min(count, b.writable());
            if (b.floats != null) {
                SampleCodec.decodeF32(src, srcSample, b.floats, b.limit, n);
            } else {
                SampleCodec.decodeS16(src, srcSample, b.shorts, b.limit, n);
            }
            b.limit += n;
            srcSample += n;
            count -= n;
            size += n;
        }
    }

    /** Moves {@code count <= size()} samples from the head into {@code dst} (16-bit buffer). */
    void read(short[] dst, int offset, int count) {
        while (count > 0) {
            Block b = head;
            int n = Math.min(count, b.readable());
            System.arraycopy(b.shorts, b.pos, dst, offset, n);
            offset += n;
            count -= n;
            consumed(b, n);
        }
    }

    /** Moves {@code count <= size()} samples from the head into {@code dst} (float buffer). */
    void read(float[] dst, int offset, int count) {
        while (count > 0) {
            Block b = head;
            int n = Math.min(count, b.readable());
            System.arraycopy(b.floats, b.pos, dst, offset, n);
            offset += n;
            count -= n;
            consumed(b, n);
        }
    }

    /** Drops the oldest {@code count <= size()} samples. */
    void skip(long count) {
        while (count > 0) {
            Block b = head;
            int n = (int) Math.min(count, b.readable());
            count -= n;
            consumed(b, n);
        }
    }

    /** Drops everything, release boundaries included; keeps at most the spare block. */
    void clear() {
        skip(size);
        releaseCount = 0;
    }

    /** Gives the spare block back to the pool: the buffer then holds no memory while empty. */
    void releaseSpare() {
        if (spare != null) {
            pool.recycle(shard, spare);
            spare = null;
        }
    }

    /** Marks the current end as a release boundary: the audio before it is complete. */
    void markRelease() {
        long end = writePosition();
        if (size == 0 || (releaseCount > 0 && lastRelease() == end)) {
            return;
        }
        if (releases == null) {
            releases = new long[4];
        } else if (releaseCount == releases.length) {
            long[] grown = new long[releases.length * 2];
            for (int i = 0; i < releaseCount; i++) {
                grown[i] = releases[(releaseFirst + i) % releases.length];
            }
            releases = grown;
            releaseFirst = 0;
        }
        releases[(releaseFirst + releaseCount) % releases.length] = end;
        releaseCount++;
    }

    /**
     * Samples from the head to the next release boundary if it lies within {@code limit}
     * samples, else -1. Boundaries already passed are forgotten.
     */
    int samplesToRelease(int limit) {
        while (releaseCount > 0 && releases[releaseFirst] <= readCount) {
            releaseFirst = (releaseFirst + 1) % releases.length;
            releaseCount--;
        }
        if (releaseCount == 0) {
            return -1;
        }
        long distance = releases[releaseFirst] - readCount;
        return distance <= limit ? (int) distance : -1;
    }

    /** Blocks this buffer holds, the spare included (for tests of memory behaviour). */
    int heldBlocks() {
        int n = spare != null ? 1 : 0;
        for (Block b = head; b != null; b = b.next) {
            n++;
        }
        return n;
    }

    private long lastRelease() {
        return releases[(releaseFirst + releaseCount - 1) % releases.length];
    }

    private Block writableTail() {
        if (tail != null && tail.writable() > 0) {
            return tail;
        }
        Block b = spare;
        if (b != null) {
            spare = null;
            b.pos = 0;
            b.limit = 0;
        } else {
            b = pool.take(shard);
        }
        if (tail == null) {
            head = b;
        } else {
            tail.next = b;
        }
        tail = b;
        return b;
    }

    private void consumed(Block b, int n) {
        b.pos += n;
        size -= n;
        readCount += n;
        // Only the tail can be partly written, so a drained block is done with: give it back.
        if (b.pos == b.limit) {
            head = b.next;
            if (head == null) {
                tail = null;
            }
            b.next = null;
            if (spare == null) {
                spare = b;
            } else {
                pool.recycle(shard, b);
            }
        }
    }

    @Override
    public String toString() {
        return "FrameBuffer[size=" + size + ", blocks=" + heldBlocks() + ", releases=" + releaseCount + "]";
    }
}
