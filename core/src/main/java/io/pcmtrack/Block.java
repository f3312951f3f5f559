package io.pcmtrack;

/**
 * A fixed-size run of samples in a {@link BlockQueue}: readable from {@code pos} to
 * {@code limit}, writable from {@code limit} to {@link #SIZE}. Holds 16-bit or float samples,
 * never both. Blocks circulate through a {@link BlockPool}, so a steady stream allocates none.
 */
final class Block {
    /** Samples per block: 21 ms of 48 kHz mono, 2 KiB as 16-bit; small so idle-ish tracks hold little. */
    static final int SIZE = 1024;

    final short[] shorts;
    final float[] floats;
    int pos;
    int limit;
    Block next;

    private Block(short[] shorts, float[] floats) {
        this.shorts = shorts;
        this.floats = floats;
    }

    static Block ofShorts(int size) {
        return new Block(new short[size], null);
    }

    static Block ofFloats(int size) {
        return new Block(null, new float[size]);
    }

    int readable() {
        return limit - pos;
    }

    int writable() {
        return capacity() - limit;
    }

    int capacity() {
        return shorts != null ? shorts.length : floats.length;
    }
}
