package io.pcmtrack;

import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * A bounded free list of {@link Block}s shared by all tracks of one sample format, so that a
 * steady stream reuses blocks instead of allocating (GC churn is an audible glitch at scale).
 *
 * <p>After Okio's SegmentPool: each shard is a stack whose head is taken with
 * {@code getAndSet(LOCK)}, which cannot suffer ABA the way a CAS on a recycled node can. The
 * critical section is two field writes, so a contended caller spins briefly, then gives up
 * (allocates, or lets the block go to the GC) rather than wait. A track always uses the same
 * shard, from its producer and its consumer thread alike, so takes and recycles balance per shard.
 * The pool never keeps more than {@link #MAX_BLOCKS_PER_SHARD} per shard: caching never becomes a leak.
 */
final class BlockPool {
    static final int SHARDS = 8;
    static final int MAX_BLOCKS_PER_SHARD = 64;
    private static final int SPINS = 64;

    static final BlockPool S16 = new BlockPool(true);
    static final BlockPool F32 = new BlockPool(false);

    /** Shard {@code s} lives at index {@code s * STRIDE}: a cache line apart, so shards do not contend. */
    private static final int STRIDE = 16;

    private final boolean shorts;
    private final Block lock;
    private final AtomicReferenceArray<Block> heads = new AtomicReferenceArray<>(SHARDS * STRIDE);
    private final int[] counts = new int[SHARDS * STRIDE];

    private BlockPool(boolean shorts) {
        this.shorts = shorts;
        this.lock = newBlock(0);
    }

    static BlockPool of(SampleFormat format) {
        return switch (format) {
            case S16 -> S16;
            case F32 -> F32;
            default -> throw new IllegalArgumentException("blocks hold S16 or F32 samples, got " + format);
        };
    }

    /** An empty block ({@code pos == limit == 0}), from the pool if it has one. */
    Block take(int shard) {
        int i = shard * STRIDE;
        Block first = acquire(i);
        if (first == lock) {
            return newBlock(Block.SIZE);
        }
        if (first == null) {
            heads.set(i, null);
            return newBlock(Block.SIZE);
        }
        counts[i]--;
        heads.set(i, first.next);
        first.next = null;
        first.pos = 0;
        first.limit = 0;
        return first;
    }

    /** Gives a block back; it must no longer be linked into any buffer. */
    void recycle(int shard, Block block) {
        if (block.next != null) {
            throw new IllegalStateException("a linked block cannot be recycled");
        }
        int i = shard * STRIDE;
        Block first = acquire(i);
        if (first == lock) {
            return;
        }
        if (counts[i] >= MAX_BLOCKS_PER_SHARD) {
            heads.set(i, first);
            return;
        }
        counts[i]++;
        block.next = first;
        heads.set(i, block);
    }

    /** Blocks cached in all shards (racy; for tests and diagnostics). */
    int cachedBlocks() {
        int n = 0;
        for (int i = 0; i < SHARDS * STRIDE; i += STRIDE) {
            Block first = acquire(i);
            if (first != lock) {
                n += counts[i];
                heads.set(i, first);
            }
        }
        return n;
    }

    /** The head of the stack, with the shard locked; or {@code lock} if it stayed busy. */
    private Block acquire(int index) {
        for (int i = 0; i < SPINS; i++) {
            Block first = heads.getAndSet(index, lock);
            if (first != lock) {
                return first;
            }
            Thread.onSpinWait();
        }
        return lock;
    }

    private Block newBlock(int size) {
        return shorts ? Block.ofShorts(size) : Block.ofFloats(size);
    }
}
