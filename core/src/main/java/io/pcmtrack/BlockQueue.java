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
    // Block ids, not references (see Block): linking and unlinking stores no reference.
    private int head = Block.NONE;
    private int tail = Block.NONE;
    private int spare = Block.NONE;
    /** Drained blocks waiting to go back to the pool, linked through {@link Block#next}. */
    private int drained = Block.NONE;
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

    /** The oldest block, or null; read without the lock only by {@link FrameBuffer#prefetch()}: may be stale. */
    Block headBlock() {
        return pool.blockOrNull(head);
    }

    /** The newest block, or null; read without the lock only by {@link FrameBuffer#prefetchForWrite()}: may be stale. */
    Block tailBlock() {
        return pool.blockOrNull(tail);
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
            Block b = pool.block(head);
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
            Block b = pool.block(head);
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
            Block b = pool.block(head);
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
        Block b = pool.block(head);
        long blockStart = readCount - (b.pos - b.start); // absolute position of b's first sample
        while (blockStart + (b.limit - b.start) < end) {
            blockStart += b.limit - b.start; // every block but the head is read from its start
            b = pool.block(b.next);
        }
        b.limit = b.start + (int) (end - blockStart);
        int cut = b.next;
        b.next = Block.NONE;
        tail = b.id;
        while (cut != Block.NONE) {
            Block c = pool.block(cut);
            cut = c.next;
            c.next = drained;
            drained = c.id;
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
        Block b = pool.block(head);
        int index = b.pos;
        for (int i = 0; i < frames; i++) {
            float gain = (float) (0.5 * (1 + Math.cos(Math.PI * (i + 1) / frames)));
            for (int c = 0; c < channels; c++) {
                while (index == b.limit) {
                    b = pool.block(b.next);
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
        if (spare != Block.NONE) {
            pool.block(spare).next = drained;
            drained = spare;
            spare = Block.NONE;
        }
    }

    /**
     * The chain of drained blocks (the id of its first, or {@link Block#NONE}), now owned by the
     * caller, for {@link #recycle} outside the lock.
     */
    int takeDrained() {
        int chain = drained;
        drained = Block.NONE;
        return chain;
    }

    /** Gives a chain from {@link #takeDrained()} back to the pool. Touches no queue state. */
    void recycle(int chain) {
        while (chain != Block.NONE) {
            Block b = pool.block(chain);
            chain = b.next;
            b.next = Block.NONE;
            pool.recycle(b);
        }
    }

    /** The block with this id, which this queue holds or handed out by {@link #takeDrained()} (tests). */
    Block block(int id) {
        return pool.block(id);
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
        int n = spare != Block.NONE ? 1 : 0;
        for (int id = head; id != Block.NONE; id = pool.block(id).next) {
            n++;
        }
        return n;
    }

    private long lastRelease() {
        return releases[(releaseFirst + releaseCount - 1) % releases.length];
    }

    private Block writableTail() {
        Block last = tail == Block.NONE ? null : pool.block(tail);
        if (last != null && last.writable() > 0) {
            return last;
        }
        Block b;
        if (spare != Block.NONE) {
            b = pool.block(spare);
            spare = Block.NONE;
            b.reset();
        } else {
            b = pool.take();
        }
        if (last == null) {
            head = b.id;
        } else {
            last.next = b.id;
        }
        tail = b.id;
        return b;
    }

    private void consumed(Block b, int n) {
        b.pos += n;
        size -= n;
        readCount += n;
        // Only the tail can be partly written, so a drained block is done with: detach it.
        if (b.pos == b.limit) {
            head = b.next;
            if (head == Block.NONE) {
                tail = Block.NONE;
            }
            if (spare == Block.NONE) {
                b.next = Block.NONE;
                spare = b.id;
            } else {
                b.next = drained;
                drained = b.id;
            }
        }
    }

    @Override
    public String toString() {
        return "BlockQueue[size=" + size + ", blocks=" + heldBlocks() + ", releases=" + releaseCount + "]";
    }
}
