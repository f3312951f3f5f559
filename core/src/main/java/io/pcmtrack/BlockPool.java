package io.pcmtrack;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The free {@link Block}s of all tracks of one sample format, cut out of large shared arrays
 * (slabs), so that a steady stream reuses blocks instead of allocating (GC churn is an audible
 * glitch at scale).
 *
 * <p>Why slabs: a garbage collector copies what is young and alive, and buffered audio is both
 * right after calls start or after a stall made every buffer grow. With one small array per
 * block, 10,000 tracks made G1's young collections copy tens of megabytes, the pause made every
 * buffer grow again, and the next pause was longer. A slab is almost 4 MiB: G1 allocates it
 * outside the young generation, as a humongous object, with regions up to 4 MiB (maximum heaps
 * under 16 GiB; a larger region copies it once, then it is old). New blocks come out of slabs
 * that are usually old already, so a young collection copies at most a new slab's small free
 * stack, never the audio. The price: a process that plays anything holds one slab per sample
 * format it uses.
 *
 * <p>Blocks are {@code int} ids (see {@link Block}); the pool keeps, by slot, each slab's sample
 * array and its links (the next block of whatever chain a block is in: a queue, a free stack).
 *
 * <p>Each slab keeps its own stack of free blocks; slabs with a free block are chained, the one
 * that last had a block back at the head, and a take uses the head: last in, first out. A slab
 * whose blocks are all free is given up (to the GC) if, when its last block comes back, the pool
 * holds more than {@link #MAX_FREE_BYTES} free: caching never becomes a leak. A slab stays while any of its
 * blocks is in a buffer, so after a peak the memory kept can be up to a slab per block still
 * in use; a take uses the free blocks of existing slabs before a new slab is made.
 *
 * <p>Threads: any. {@link #take()} and {@link #recycle} hold this pool's spin lock for a few
 * field writes (a new slab is allocated outside it); the tracks' spare blocks keep a steady
 * stream away from them. A track's writer calls {@link #reserve} before taking the track's own
 * lock, so that a slab is not allocated under that lock either. A block's samples and link ({@link #shorts}, {@link #floats},
 * {@link #next}, {@link #setNext}) are read and written without it, by whoever holds the block.
 */
final class BlockPool extends SpinLock {
    /**
     * Bytes of samples per slab: more than half of a G1 region of up to 4 MiB (so humongous), and
     * one F32 block less than 4 MiB, so that with its header it wastes no region.
     */
    static final int SLAB_BYTES = (4 << 20) - Block.SIZE * Float.BYTES;
    /** Free blocks kept, in bytes: one slab's worth. */
    static final int MAX_FREE_BYTES = SLAB_BYTES;

    static final BlockPool S16 = new BlockPool(true);
    static final BlockPool F32 = new BlockPool(false);

    private final boolean shorts;
    private final int blocksPerSlab;
    private final int maxFreeBlocks;
    /** Whether a thread is adding a slab in {@link #reserve}: racing writers then add one slab, not one each. */
    private final AtomicBoolean growing = new AtomicBoolean();

    // By slot. Replaced (grown) and written under the lock; read without it by holders of a block
    // id, which they got from take() under the lock or from a queue under its own lock, so the
    // arrays they read hold their slot. A given-up slab's entries are cleared, its slot reused.
    private volatile short[][] shortArrays = new short[0][];
    private volatile float[][] floatArrays = new float[0][];
    private volatile int[][] links = new int[0][];

    // Guarded by the lock.
    /** The slabs by slot. */
    private Slab[] slots = new Slab[0];
    /** Slabs with at least one free block, most recently added first. */
    private Slab withFree;
    /** Written under the lock; volatile for {@link #reserve}, which reads it without. */
    private volatile int freeBlocks;
    private int slabs;

    private BlockPool(boolean shorts) {
        this(shorts, SLAB_BYTES, MAX_FREE_BYTES);
    }

    /** A pool of its own, with other sizes (tests). */
    BlockPool(boolean shorts, int slabBytes, int maxFreeBytes) {
        int blockBytes = Block.SIZE * (shorts ? Short.BYTES : Float.BYTES);
        if (slabBytes < blockBytes || slabBytes / blockBytes > Block.MASK + 1 || maxFreeBytes < 0) {
            throw new IllegalArgumentException("a slab must hold 1.." + (Block.MASK + 1) + " blocks of " + blockBytes
                    + " bytes and the free bytes kept must be >= 0, got " + slabBytes + " and " + maxFreeBytes);
        }
        this.shorts = shorts;
        this.blocksPerSlab = slabBytes / blockBytes;
        this.maxFreeBlocks = maxFreeBytes / blockBytes;
    }

    static BlockPool of(SampleFormat format) {
        return switch (format) {
            case S16 -> S16;
            case F32 -> F32;
            default -> throw new IllegalArgumentException("blocks hold S16 or F32 samples, got " + format);
        };
    }

    /** The 16-bit array of a block the caller holds (its samples from {@link Block#start}); S16 pools. */
    short[] shorts(int id) {
        return shortArrays[Block.slot(id)];
    }

    /** The float array of a block the caller holds (its samples from {@link Block#start}); F32 pools. */
    float[] floats(int id) {
        return floatArrays[Block.slot(id)];
    }

    /** The block after this one in its chain, or {@link Block#NONE}. */
    int next(int id) {
        return links[Block.slot(id)][id & Block.MASK];
    }

    /** Links a block the caller holds to the next one of its chain ({@link Block#NONE} to end it). */
    void setNext(int id, int next) {
        links[Block.slot(id)][id & Block.MASK] = next;
    }

    /**
     * One sample of a block, for racy reads ({@code prefetch}) of an id and an index that may be
     * stale or meaningless: never throws, and the value means nothing.
     */
    long peek(int id, int index) {
        if (id < 0 || index < 0) {
            return 0;
        }
        int slot = Block.slot(id);
        if (shorts) {
            short[][] arrays = shortArrays;
            short[] a = slot < arrays.length ? arrays[slot] : null;
            return a != null && index < a.length ? a[index] : 0;
        }
        float[][] arrays = floatArrays;
        float[] a = slot < arrays.length ? arrays[slot] : null;
        return a != null && index < a.length ? (long) a[index] : 0;
    }

    boolean holdsShorts() {
        return shorts;
    }

    /** An empty, unlinked block. */
    int take() {
        while (true) {
            lock();
            try {
                Slab slab = withFree;
                if (slab != null) {
                    int id = pop(slab);
                    freeBlocks--;
                    if (slab.free == 0) {
                        unlink(slab);
                    }
                    return id;
                }
            } finally {
                unlock();
            }
            grow();
        }
    }

    /**
     * A hint for a writer about to take a lock of its own (a track's): if fewer than {@code blocks} blocks
     * are free, adds a slab now, so that the takes under that lock find blocks instead of allocating and
     * zeroing 4 MiB while holding it (a scheduler that wants that track's frame meanwhile would spin for
     * it). Costs a volatile read when enough are free. Best effort: another thread may take the blocks
     * first, and a writer that finds another one already adding a slab goes on without waiting; at most
     * one slab more than was needed is added.
     */
    void reserve(int blocks) {
        if (freeBlocks >= blocks || !growing.compareAndSet(false, true)) {
            return;
        }
        try {
            if (freeBlocks < blocks) {
                grow();
            }
        } finally {
            growing.set(false);
        }
    }

    /** Adds a slab; it is allocated and zeroed outside the lock (another thread may add one meanwhile, which is fine). */
    private void grow() {
        short[] s = shorts ? new short[blocksPerSlab * Block.SIZE] : null;
        float[] f = shorts ? null : new float[blocksPerSlab * Block.SIZE];
        int[] slabLinks = new int[blocksPerSlab];
        lock();
        try {
            add(s, f, slabLinks);
        } finally {
            unlock();
        }
    }

    /** Gives a block back; it must no longer be linked into any chain. */
    void recycle(int id) {
        lock();
        try {
            int slot = Block.slot(id);
            Slab slab = id >= 0 && slot < slots.length ? slots[slot] : null;
            int index = id & Block.MASK;
            if (slab == null || index >= slab.blocks || slab.isFree[index]) {
                // Recycled twice, never taken, or into another pool: two owners would mix their audio.
                throw new IllegalStateException("block " + id + " is not in use in this pool");
            }
            if (next(id) != Block.NONE) {
                throw new IllegalStateException("a linked block cannot be recycled");
            }
            push(slab, id);
            freeBlocks++;
            if (slab != withFree) {
                // To the head: the next take gets this block, whose samples are likely still in the cache.
                if (slab.free > 1) {
                    unlink(slab);
                }
                link(slab);
            }
            if (slab.free == slab.blocks && freeBlocks > maxFreeBlocks) {
                unlink(slab); // all free, and more than enough free elsewhere: let the GC have it
                remove(slab);
            }
        } finally {
            unlock();
        }
    }

    /** Free blocks the pool holds (tests and diagnostics). */
    int freeBlocks() {
        lock();
        try {
            return freeBlocks;
        } finally {
            unlock();
        }
    }

    /** Slabs the pool has not given up: in use or kept free (tests and diagnostics). */
    int slabs() {
        lock();
        try {
            return slabs;
        } finally {
            unlock();
        }
    }

    int blocksPerSlab() {
        return blocksPerSlab;
    }

    /** Puts a new slab in the lowest free slot and all its blocks on its free stack. */
    private void add(short[] s, float[] f, int[] slabLinks) {
        int slot = 0;
        while (slot < slots.length && slots[slot] != null) {
            slot++;
        }
        if (slot == 1 << (Integer.SIZE - 1 - Block.SHIFT)) {
            // Ids must stay positive; a heap that held this many slabs (4 TiB) is not in sight.
            throw new OutOfMemoryError("block pool: " + slot + " slabs, the most ids can name");
        }
        if (slot == slots.length) {
            int capacity = Math.max(4, 2 * slots.length);
            slots = java.util.Arrays.copyOf(slots, capacity);
            shortArrays = java.util.Arrays.copyOf(shortArrays, capacity);
            floatArrays = java.util.Arrays.copyOf(floatArrays, capacity);
            links = java.util.Arrays.copyOf(links, capacity);
        }
        Slab slab = new Slab(slot, blocksPerSlab);
        slots[slot] = slab;
        shortArrays[slot] = s;
        floatArrays[slot] = f;
        links[slot] = slabLinks;
        // Pushed from the end, so the first blocks taken are the first in memory.
        for (int i = blocksPerSlab - 1; i >= 0; i--) {
            slabLinks[i] = Block.NONE;
            push(slab, (slot << Block.SHIFT) | i);
        }
        slabs++;
        freeBlocks += blocksPerSlab;
        link(slab);
    }

    /** Forgets a wholly free slab, so that the GC can have its array; its slot goes to the next one. */
    private void remove(Slab slab) {
        slots[slab.slot] = null;
        shortArrays[slab.slot] = null;
        floatArrays[slab.slot] = null;
        links[slab.slot] = null;
        freeBlocks -= slab.blocks;
        slabs--;
    }

    private int pop(Slab slab) {
        int id = slab.top;
        slab.top = next(id);
        setNext(id, Block.NONE);
        slab.isFree[id & Block.MASK] = false;
        slab.free--;
        return id;
    }

    private void push(Slab slab, int id) {
        setNext(id, slab.top);
        slab.isFree[id & Block.MASK] = true;
        slab.top = id;
        slab.free++;
    }

    private void link(Slab slab) {
        slab.prevWithFree = null;
        slab.nextWithFree = withFree;
        if (withFree != null) {
            withFree.prevWithFree = slab;
        }
        withFree = slab;
    }

    private void unlink(Slab slab) {
        if (slab.prevWithFree != null) {
            slab.prevWithFree.nextWithFree = slab.nextWithFree;
        } else {
            withFree = slab.nextWithFree;
        }
        if (slab.nextWithFree != null) {
            slab.nextWithFree.prevWithFree = slab.prevWithFree;
        }
        slab.prevWithFree = null;
        slab.nextWithFree = null;
    }

    /** The free-block stack of one slab. Guarded by the pool's lock. */
    private static final class Slab {
        final int slot;
        final int blocks;
        /** Which blocks are on the free stack: a second recycle is refused. */
        final boolean[] isFree;
        /** The top free block, the others linked below it; {@link Block#NONE} if none. */
        int top = Block.NONE;
        int free;
        Slab prevWithFree;
        Slab nextWithFree;

        Slab(int slot, int blocks) {
            this.slot = slot;
            this.blocks = blocks;
            this.isFree = new boolean[blocks];
        }
    }
}
