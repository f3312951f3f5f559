package io.pcmtrack;

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
 * that are usually old already, so a young collection copies at most the small {@code Block}
 * objects, never the audio. The price: a process that plays anything holds one slab per sample
 * format it uses.
 *
 * <p>Each slab keeps its own stack of free blocks; slabs with a free block are chained, the one
 * that last had a block back at the head, and a take uses the head: last in, first out. A slab
 * whose blocks are all free is given up (to the GC) once the pool holds more than
 * {@link #MAX_FREE_BYTES} free: caching never becomes a leak. A slab stays while any of its
 * blocks is in a buffer, so after a peak the memory kept can be up to a slab per block still
 * in use; a take uses the free blocks of existing slabs before a new slab is made.
 *
 * <p>Threads: any; every method holds this pool's spin lock for a few field writes (a new
 * slab is allocated outside it). The tracks' spare blocks keep a steady stream away from here.
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

    /**
     * Every block of this pool's slabs by id ({@code slot * blocksPerSlab + index}); null where no
     * slab is. Replaced (grown) and written under the lock; read without it by holders of an id,
     * which they got from {@link #take()} under the lock or from a queue under its own.
     */
    private volatile Block[] table = new Block[0];

    // Guarded by the lock.
    /** The slabs by slot; a given-up slab's slot is reused by the next new one. */
    private Slab[] slots = new Slab[0];
    /** Slabs with at least one free block, most recently added first. */
    private Slab withFree;
    private int freeBlocks;
    private int slabs;

    private BlockPool(boolean shorts) {
        this(shorts, SLAB_BYTES, MAX_FREE_BYTES);
    }

    /** A pool of its own, with other sizes (tests). */
    BlockPool(boolean shorts, int slabBytes, int maxFreeBytes) {
        int blockBytes = Block.SIZE * (shorts ? Short.BYTES : Float.BYTES);
        if (slabBytes < blockBytes || maxFreeBytes < 0) {
            throw new IllegalArgumentException("a slab must hold a block (" + blockBytes + " bytes) and the free bytes kept"
                    + " must be >= 0, got " + slabBytes + " and " + maxFreeBytes);
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

    /** The block with this id, which the caller holds (taken and not yet recycled). */
    Block block(int id) {
        return table[id];
    }

    /**
     * The block with this id, or null if there is none: for racy reads ({@code prefetch}) of an id
     * that may be stale or {@link Block#NONE}.
     */
    Block blockOrNull(int id) {
        Block[] t = table;
        return id >= 0 && id < t.length ? t[id] : null;
    }

    /** An empty block ({@code pos == limit == start}). */
    Block take() {
        while (true) {
            lock();
            try {
                Slab slab = withFree;
                if (slab != null) {
                    Block b = pop(slab);
                    freeBlocks--;
                    if (slab.free == 0) {
                        unlink(slab);
                    }
                    b.reset();
                    return b;
                }
            } finally {
                unlock();
            }
            // Allocated and zeroed outside the lock; another thread may add one meanwhile, which is fine.
            short[] s = shorts ? new short[blocksPerSlab * Block.SIZE] : null;
            float[] f = shorts ? null : new float[blocksPerSlab * Block.SIZE];
            lock();
            try {
                add(new Slab(s, f, blocksPerSlab));
            } finally {
                unlock();
            }
        }
    }

    /** Gives a block back; it must no longer be linked into any buffer. */
    void recycle(Block block) {
        Slab slab = block.slab;
        if (slab == null) {
            throw new IllegalArgumentException("block " + block + " is not from a pool");
        }
        lock();
        try {
            if (block.free || slab.slot >= slots.length || slots[slab.slot] != slab || table[block.id] != block) {
                // Recycled twice, or into another pool: two owners of one block would mix their audio.
                throw new IllegalStateException("block " + block.id + " is not in use in this pool");
            }
            if (block.next != Block.NONE) {
                throw new IllegalStateException("a linked block cannot be recycled");
            }
            push(slab, block);
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

    /** Gives the slab the lowest free slot, its blocks their ids, and puts them on its free stack. */
    private void add(Slab slab) {
        int slot = 0;
        while (slot < slots.length && slots[slot] != null) {
            slot++;
        }
        if (slot == slots.length) {
            slots = java.util.Arrays.copyOf(slots, Math.max(4, 2 * slots.length));
            table = java.util.Arrays.copyOf(table, slots.length * blocksPerSlab);
        }
        slots[slot] = slab;
        slab.slot = slot;
        Block[] t = table;
        int first = slot * blocksPerSlab;
        // Pushed from the end, so the first blocks taken are the first in memory.
        for (int i = slab.blocks - 1; i >= 0; i--) {
            Block b = new Block(first + i, slab, slab.shorts, slab.floats, i * Block.SIZE);
            t[b.id] = b;
            push(slab, b);
        }
        slabs++;
        freeBlocks += slab.blocks;
        link(slab);
    }

    /** Forgets a wholly free slab: its blocks leave the table, so the GC can have its array. */
    private void remove(Slab slab) {
        java.util.Arrays.fill(table, slab.slot * blocksPerSlab, (slab.slot + 1) * blocksPerSlab, null);
        slots[slab.slot] = null;
        freeBlocks -= slab.blocks;
        slabs--;
    }

    private Block pop(Slab slab) {
        Block b = table[slab.top];
        slab.top = b.next;
        b.next = Block.NONE;
        b.free = false;
        slab.free--;
        return b;
    }

    private void push(Slab slab, Block b) {
        b.next = slab.top;
        b.free = true;
        slab.top = b.id;
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

    /** One large sample array cut into blocks, with the stack of its free ones. Guarded by the pool's lock. */
    static final class Slab {
        final int blocks;
        final short[] shorts;
        final float[] floats;
        /** This slab's place in the pool: its blocks' ids are {@code slot * blocksPerSlab + index}. */
        int slot;
        /** Id of the top free block, the rest linked through {@link Block#next}; {@link Block#NONE} if none. */
        int top = Block.NONE;
        int free;
        Slab prevWithFree;
        Slab nextWithFree;

        Slab(short[] shorts, float[] floats, int blocks) {
            this.shorts = shorts;
            this.floats = floats;
            this.blocks = blocks;
        }
    }
}
