package io.pcmtrack.agent;

/**
 * The lowest window level of the last {@code capacity} windows: a sliding minimum kept in a
 * monotonic ring (levels rise from its head to its tail), so each window costs O(1) amortized
 * and nothing is allocated after construction. Single-threaded.
 */
final class NoiseFloor {
    private final double[] levels;
    private final long[] indices;
    private int head;
    private int size;
    private long windows;

    NoiseFloor(int capacity) {
        this.levels = new double[capacity];
        this.indices = new long[capacity];
    }

    /** Adds a window's level in dBFS and returns the floor including it. */
    double add(double level) {
        int cap = levels.length;
        // Older windows that are no quieter than this one can never be the minimum again.
        while (size > 0 && levels[(head + size - 1) % cap] >= level) {
            size--;
        }
        long index = windows++;
        if (size > 0 && indices[head] <= index - cap) {
            head = (head + 1) % cap;
            size--;
        }
        int tail = (head + size) % cap;
        levels[tail] = level;
        indices[tail] = index;
        size++;
        return levels[head];
    }
}
