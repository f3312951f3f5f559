package io.pcmtrack;

/**
 * A block is a fixed-size window of a slab, a large sample array of a {@link BlockPool}, named by
 * an {@code int} id: the slab's slot in the pool in the high bits, the block's index in the slab in
 * the low {@link #SHIFT} bits. A block has no object of its own; what a queue needs of it (where
 * reading starts in its head block, where writing goes on in its tail block) is in the queue, and
 * the links between blocks are {@code int}s in the pool.
 *
 * <p>Why ids and not objects: a queue links, unlinks and keeps a spare block on nearly every
 * frame. Stored as references, each of those stores from one G1 region into another queued a card
 * for G1's concurrent refinement (10,000 tracks kept a refinement thread at a fifth of a core);
 * and a block object was one more cache miss between a track and its samples.
 */
final class Block {
    /** Samples per block: 21 ms of 48 kHz mono, 2 KiB as 16-bit; small so idle-ish tracks hold little. */
    static final int SIZE = 1024;
    /** No block: the end of a chain, an empty queue's head. */
    static final int NONE = -1;
    /** Bits of a block id that hold its index in its slab; a slab holds at most {@code 1 << SHIFT} blocks. */
    static final int SHIFT = 11;
    static final int MASK = (1 << SHIFT) - 1;

    private Block() {
    }

    /** Index in its slab's array of the block's first sample. */
    static int start(int id) {
        return (id & MASK) * SIZE;
    }

    /** Index in its slab's array one past the block's last sample. */
    static int end(int id) {
        return start(id) + SIZE;
    }

    static int slot(int id) {
        return id >>> SHIFT;
    }
}
