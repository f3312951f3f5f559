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
    private final boolean shorts;
    // Blocks by id (see Block): linking and unlinking stores no reference.
    private int head = Block.NONE;
    /** Where reading goes on in the head block's array. */
    private int headPos;
    private int tail = Block.NONE;
    /** Where writing goes on in the tail block's array; only the tail block can be partly written. */
    private int tailLimit;
    private int spare = Block.NONE;
    /** Drained blocks waiting to go back to the pool, linked in the pool. */
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
        this.shorts = pool.holdsShorts();
    }

    /**
     * Before the owner's lock is taken: asks the pool for enough free blocks for {@code values} more
     * samples, so that writing them under the lock does not allocate a slab ({@link BlockPool#reserve}).
     */
    void reserveFor(int values) {
        if (values > 0) {
            pool.reserve(values / Block.SIZE + 2);
        }
    }

    /** The next sample to read, or anything; without the lock, only for {@link FrameBuffer#prefetch()}. */
    long peekHead() {
        return pool.peek(head, headPos);
    }

    /** Where the next sample goes, or anything; without the lock, only for {@link FrameBuffer#prefetchForWrite()}. */
    long peekTail() {
        return pool.peek(tail, tailLimit);
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
            int n = Math.min(count, writableTail());
            System.arraycopy(src, offset, pool.shorts(tail), tailLimit, n);
            appended(n);
            offset += n;
            count -= n;
        }
    }

    /**
     * Appends float samples: copied to a float queue. To a 16-bit queue they come already clamped and scaled to
     * 16-bit full scale ({@link SampleCodec#scaleForS16}, as the {@link ConversionChain} of a 16-bit track hands
     * them over: the only source of floats for such a queue) and are rounded here.
     */
    void append(float[] src, int offset, int count) {
        while (count > 0) {
            int n = Math.min(count, writableTail());
            if (!shorts) {
                System.arraycopy(src, offset, pool.floats(tail), tailLimit, n);
            } else {
                SampleCodec.encodeScaled(src, offset, pool.shorts(tail), tailLimit, n);
            }
            appended(n);
            offset += n;
            count -= n;
        }
    }

    /** Appends little-endian samples already in this queue's format (S16 or F32), bit-exact. */
    void appendLittleEndian(byte[] src, int srcSample, int count) {
        while (count > 0) {
            int n = Math.min(count, writableTail());
            if (!shorts) {
                SampleCodec.decodeF32(src, srcSample, pool.floats(tail), tailLimit, n);
            } else {
                SampleCodec.decodeS16(src, srcSample, pool.shorts(tail), tailLimit, n);
            }
            appended(n);
            srcSample += n;
            count -= n;
        }
    }

    /** Moves {@code count <= size()} samples from the head into {@code dst} (16-bit queue). */
    void read(short[] dst, int offset, int count) {
        while (count > 0) {
            int n = Math.min(count, headLimit() - headPos);
            System.arraycopy(pool.shorts(head), headPos, dst, offset, n);
            offset += n;
            count -= n;
            consumed(n);
        }
    }

    /** Moves {@code count <= size()} samples from the head into {@code dst} (float queue). */
    void read(float[] dst, int offset, int count) {
        while (count > 0) {
            int n = Math.min(count, headLimit() - headPos);
            System.arraycopy(pool.floats(head), headPos, dst, offset, n);
            offset += n;
            count -= n;
            consumed(n);
        }
    }

    /** Drops the oldest {@code count <= size()} samples. */
    void skip(long count) {
        while (count > 0) {
            int n = (int) Math.min(count, headLimit() - headPos);
            count -= n;
            consumed(n);
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
        int b = head;
        long blockStart = readCount - (headPos - Block.start(b)); // absolute position of b's first sample
        while (blockStart + limitOf(b) - Block.start(b) < end) {
            blockStart += limitOf(b) - Block.start(b); // every block but the head is read from its start
            b = pool.next(b);
        }
        tailLimit = Block.start(b) + (int) (end - blockStart);
        int cut = b == tail ? Block.NONE : pool.next(b);
        pool.setNext(b, Block.NONE);
        tail = b;
        while (cut != Block.NONE) {
            int next = pool.next(cut);
            pool.setNext(cut, drained);
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
        int b = head;
        int index = headPos;
        int limit = headLimit();
        short[] s = shorts ? pool.shorts(b) : null;
        float[] f = shorts ? null : pool.floats(b);
        for (int i = 0; i < frames; i++) {
            float gain = (float) (0.5 * (1 + Math.cos(Math.PI * (i + 1) / frames)));
            for (int c = 0; c < channels; c++) {
                while (index == limit) {
                    b = pool.next(b);
                    index = Block.start(b);
                    limit = limitOf(b);
                    s = shorts ? pool.shorts(b) : null;
                    f = shorts ? null : pool.floats(b);
                }
                if (s != null) {
                    s[index] = (short) Math.round(s[index] * gain);
                } else {
                    f[index] *= gain;
                }
                index++;
            }
        }
    }

    /** Gives the spare block up: the queue then holds no memory while empty. Recycle via {@link #takeDrained()}. */
    void releaseSpare() {
        if (spare != Block.NONE) {
            pool.setNext(spare, drained);
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
            int next = pool.next(chain);
            pool.setNext(chain, Block.NONE);
            pool.recycle(chain);
            chain = next;
        }
    }

    /** The block after {@code id} in a chain this queue holds or handed out by {@link #takeDrained()} (tests). */
    int next(int id) {
        return pool.next(id);
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
        for (int id = head; id != Block.NONE; id = id == tail ? Block.NONE : pool.next(id)) {
            n++;
        }
        return n;
    }

    private long lastRelease() {
        return releases[(releaseFirst + releaseCount - 1) % releases.length];
    }

    /** Where reading stops in the head block: its end, or in the tail block where writing goes on. */
    private int headLimit() {
        return limitOf(head);
    }

    private int limitOf(int id) {
        return id == tail ? tailLimit : Block.end(id);
    }

    /** Room in the tail block, after linking a fresh one if it has none. */
    private int writableTail() {
        if (tail != Block.NONE && tailLimit < Block.end(tail)) {
            return Block.end(tail) - tailLimit;
        }
        int b;
        if (spare != Block.NONE) {
            b = spare;
            spare = Block.NONE;
        } else {
            b = pool.take();
        }
        if (tail == Block.NONE) {
            head = b;
            headPos = Block.start(b);
        } else {
            pool.setNext(tail, b);
        }
        tail = b;
        tailLimit = Block.start(b);
        return Block.SIZE;
    }

    private void appended(int n) {
        tailLimit += n;
        size += n;
    }

    private void consumed(int n) {
        headPos += n;
        size -= n;
        readCount += n;
        // Only the tail can be partly written, so a drained block is done with: detach it.
        if (headPos == headLimit()) {
            int b = head;
            if (b == tail) {
                head = Block.NONE;
                tail = Block.NONE;
            } else {
                head = pool.next(b);
                headPos = Block.start(head);
                pool.setNext(b, Block.NONE);
            }
            if (spare == Block.NONE) {
                spare = b;
            } else {
                pool.setNext(b, drained);
                drained = b;
            }
        }
    }

    @Override
    public String toString() {
        return "BlockQueue[size=" + size + ", blocks=" + heldBlocks() + ", releases=" + releaseCount + "]";
    }
}
