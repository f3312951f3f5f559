package io.pcmtrack;

/**
 * A fixed-size run of samples in a {@link BlockQueue}: a window {@code [start, end)} of a
 * sample array, readable from {@code pos} to {@code limit}, writable from {@code limit} to
 * {@code end}. Indices are positions in the array, not in the window. Holds 16-bit or float
 * samples, never both. Blocks circulate through a {@link BlockPool}, which cuts them out of large
 * shared arrays (slabs), so a steady stream allocates none.
 */
final class Block {
    /** Samples per block: 21 ms of 48 kHz mono, 2 KiB as 16-bit; small so idle-ish tracks hold little. */
    static final int SIZE = 1024;

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
    Block next;

    Block(BlockPool.Slab slab, short[] shorts, float[] floats, int start) {
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
        return new Block(null, new short[SIZE], null, 0);
    }

    /** A block with an array of its own (tests). */
    static Block ofFloats() {
        return new Block(null, null, new float[SIZE], 0);
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
