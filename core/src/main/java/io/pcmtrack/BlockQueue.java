package io.pcmtrack;

import io.pcmtrack.dsp.SampleCodec;

/**
 * The samples of one track waiting to be played: a linked list of pooled {@link Block}s, read
 * from the head and written at the tail. Consuming moves the head block's read index and
 * detaches a block once it is drained; it never copies what remains. Memory follows what is
 * buffered: an empty queue holds no block but its spare.
 *
 * <p>Counts and positions are in interleaved samples ({@code frames * channels}). Also keeps the
 * release boundaries set by {@code write(pcm, true)} and by a fading flush: positions where a
 * held partial frame ends and must be padded rather than joined with later audio. Not
 * thread-safe: the {@link FrameBuffer} guards it with the lock word this class inherits.
 *
 * <p>Layout: {@code SpinLock <- BlockQueue <- FrameBuffer} is one object per track, the way
 * Agrona and the Disruptor lay out hot state through inheritance: a frame at 10,000 tracks then
 * misses the cache on one object, not three. The classes stay separate in the source.
 *
 * <p>Drained blocks are not given back to the pool here: the owner holds a spin lock, and
 * recycling a 30 s buffer is about 1,400 pool operations. The first drained block becomes this
 * queue's one spare (a steady stream then cycles one block without touching the pool's lock);
 * the others are chained for {@link #takeDrained()}, which the owner calls under its lock and
 * hands to {@link #recycle} after releasing it.
 */
class BlockQueue extends SpinLock {
    private final BlockPool pool;
    private Block head;
    private Block tail;
    private Block spare;
    /** Drained blocks waiting to go back to the pool, linked through {@link Block#next}. */
    private Block drained;
    private long size;
    /** Samples ever read or dropped; the absolute position of the head. */
    private long readCount;
    /** Release boundaries (absolute positions) in increasing order, as a ring; allocated on first use. */
    private long[] releases;
    private int releaseFirst;
    private int releaseCount;

    BlockQueue(SampleFormat format) {
        this(BlockPool.of(format));
    }

    /** A queue on a pool of its own (tests). */
    BlockQueue(BlockPool pool) {
        this.pool = pool;
    }

    /** The oldest block, or null; read without the lock only by {@link FrameBuffer#prefetch()}. */
    Block headBlock() {
        return head;
    }

    /** The newest block, or null; read without the lock only by {@link FrameBuffer#prefetchForWrite()}. */
    Block tailBlock() {
        return tail;
    }

    /** Interleaved samples buffered. */
    long size() {
        return size;
    }

    /** Absolute position of the oldest buffered sample: samples ever read or dropped. */
    long headPosition() {
        return readCount;
    }

    /** Absolute position just past the newest buffered sample. */
    long endPosition() {
        return readCount + size;
    }

    /** Appends 16-bit samples (16-bit queue). */
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

    /** Appends float samples: copied to a float queue, encoded to a 16-bit one. */
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

    /** Appends little-endian samples already in this queue's format (S16 or F32), bit-exact. */
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

    /** Moves {@code count <= size()} samples from the head into {@code dst} (16-bit queue). */
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

    /** Moves {@code count <= size()} samples from the head into {@code dst} (float queue). */
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

    /** Drops everything, release boundaries included. */
    void clear() {
        skip(size);
        releaseCount = 0;
    }

    /**
     * Keeps the oldest {@code keep <= size()} samples and drops the rest, with the release
     * boundaries beyond the new end. The dropped blocks go to {@link #takeDrained()}.
     */
    void truncate(long keep) {
        if (keep == 0) {
            clear();
            return;
        }
        long end = readCount + keep;
        Block b = head;
        long blockStart = readCount - (b.pos - b.start); // absolute position of b's first sample
        while (blockStart + (b.limit - b.start) < end) {
            blockStart += b.limit - b.start; // every block but the head is read from its start
            b = b.next;
        }
        b.limit = b.start + (int) (end - blockStart);
        Block cut = b.next;
        b.next = null;
        tail = b;
        while (cut != null) {
            Block next = cut.next;
            cut.next = drained;
            drained = cut;
            cut = next;
        }
        size = keep;
        while (releaseCount > 0 && lastRelease() > end) {
            releaseCount--;
        }
    }

    /**
     * Multiplies the oldest {@code frames} frames by a raised-cosine ramp from 1 down to 0: frame
     * {@code i} of {@code n} gets {@code (1 + cos(pi * (i + 1) / n)) / 2}, so the last is silent.
     */
    void fadeOut(int frames, int channels) {
        Block b = head;
        int index = b.pos;
        for (int i = 0; i < frames; i++) {
            float gain = (float) (0.5 * (1 + Math.cos(Math.PI * (i + 1) / frames)));
            for (int c = 0; c < channels; c++) {
                while (index == b.limit) {
                    b = b.next;
                    index = b.pos;
                }
                if (b.shorts != null) {
                    b.shorts[index] = (short) Math.round(b.shorts[index] * gain);
                } else {
                    b.floats[index] *= gain;
                }
                index++;
            }
        }
    }

    /** Gives the spare block up: the queue then holds no memory while empty. Recycle via {@link #takeDrained()}. */
    void releaseSpare() {
        if (spare != null) {
            spare.next = drained;
            drained = spare;
            spare = null;
        }
    }

    /** The chain of drained blocks, now owned by the caller, for {@link #recycle} outside the lock. */
    Block takeDrained() {
        Block chain = drained;
        drained = null;
        return chain;
    }

    /** Gives a chain from {@link #takeDrained()} back to the pool. Touches no queue state. */
    void recycle(Block chain) {
        while (chain != null) {
            Block next = chain.next;
            chain.next = null;
            pool.recycle(chain);
            chain = next;
        }
    }

    /** Marks the current end as a release boundary: the audio before it is complete. */
    void markRelease() {
        long end = endPosition();
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

    /** Blocks this queue holds, the spare included, drained ones not yet taken excluded (tests). */
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
            b.reset();
        } else {
            b = pool.take();
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
        // Only the tail can be partly written, so a drained block is done with: detach it.
        if (b.pos == b.limit) {
            head = b.next;
            if (head == null) {
                tail = null;
            }
            if (spare == null) {
                b.next = null;
                spare = b;
            } else {
                b.next = drained;
                drained = b;
            }
        }
    }

    @Override
    public String toString() {
        return "BlockQueue[size=" + size + ", blocks=" + heldBlocks() + ", releases=" + releaseCount + "]";
    }
}
