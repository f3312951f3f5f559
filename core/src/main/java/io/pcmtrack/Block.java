package io.pcmtrack;

/**
 * A fixed-size run of samples in a {@link BlockQueue}: a window {@code [start, end)} of a
 * sample array, readable from {@code pos} to {@code limit}, writable from {@code limit} to
 * {@code end}. Indices are positions in the array, not in the window. Holds 16-bit or float
 * samples, never both. Blocks circulate through a {@link BlockPool}, which cuts them out of large
 * shared arrays (slabs), so a steady stream allocates none.
 *
 * <p>Blocks are linked by {@link #id}, an index into their pool's table, never by reference: a
 * queue that links, unlinks and keeps a spare block on every frame then stores only {@code int}s,
 * which no collector's write barrier sees. A reference stored from one G1 region into another
 * queues a card for G1's concurrent refinement, and 10,000 tracks doing that several times a frame
 * kept a refinement thread at a quarter of a core.
 */
final class Block {
    /** Samples per block: 21 ms of 48 kHz mono, 2 KiB as 16-bit; small so idle-ish tracks hold little. */
    static final int SIZE = 1024;
    /** The {@link #next} of the last block of a chain, and the id of a block not from a pool. */
    static final int NONE = -1;

    /** Index in the pool's table ({@link BlockPool#block}); {@link #NONE} for a block with an array of its own. */
    final int id;
    /** The slab this block is cut from; null for a block with an array of its own. */
    final BlockPool.Slab slab;
    final short[] shorts;
    final float[] floats;
    /** First index of this block's window in its array. */
    final int start;
    /** One past the last index of the window. */
    final int end;
    int pos;
    int limit;
    /** Id of the next block in the chain this block is in (a queue, a free stack), or {@link #NONE}. */
    int next = NONE;
    /** On its slab's free stack (guarded by the pool's lock): a second recycle is refused. */
    boolean free;

    Block(int id, BlockPool.Slab slab, short[] shorts, float[] floats, int start) {
        this.id = id;
        this.slab = slab;
        this.shorts = shorts;
        this.floats = floats;
        this.start = start;
        this.end = start + SIZE;
        this.pos = start;
        this.limit = start;
    }

    /** A block with an array of its own (tests). */
    static Block ofShorts() {
        return new Block(NONE, null, new short[SIZE], null, 0);
    }

    /** A block with an array of its own (tests). */
    static Block ofFloats() {
        return new Block(NONE, null, null, new float[SIZE], 0);
    }

    int readable() {
        return limit - pos;
    }

    int writable() {
        return end - limit;
    }

    /** Empties the block: nothing readable, the whole window writable. */
    void reset() {
        pos = start;
        limit = start;
    }
}
