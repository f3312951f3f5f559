package io.pcmtrack.dsp;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Supplier;

/**
 * Scratch objects lent for the length of one call: arrays that hold nothing from one call to the next, such as a
 * resampler's block rows or a track's conversion pieces, are then not held by every instance but by about as many
 * scratches as there are threads working at the same instant, and a call finds arrays that the previous call of
 * any instance left in the cache. {@link #take} and {@link #give} are one compare-and-set each.
 *
 * <p>The pool keeps up to {@link #SLOTS} scratches. When every one is lent, {@link #take} makes a new one, and
 * {@link #give} drops a scratch when no slot is free: with at most {@link #SLOTS} lent at once nothing is
 * allocated in steady state. A scratch grows to the largest caller it has served; that is the caller's to do.
 *
 * @param <T> the scratch
 */
public final class ScratchPool<T> {
    /** Scratches kept: twice the processors, at least 8. */
    public static final int SLOTS = Math.max(8, 2 * Runtime.getRuntime().availableProcessors());

    private final AtomicReferenceArray<T> slots = new AtomicReferenceArray<>(SLOTS);
    private final Supplier<T> factory;

    /** @param factory makes a scratch when none is free */
    public ScratchPool(Supplier<T> factory) {
        this.factory = Objects.requireNonNull(factory, "factory");
    }

    /** A scratch for the caller alone until it {@link #give}s it back. */
    public T take() {
        for (int i = 0; i < SLOTS; i++) {
            T s = slots.get(i);
            if (s != null && slots.compareAndSet(i, s, null)) {
                return s;
            }
        }
        return factory.get();
    }

    /** Takes back a scratch from {@link #take}; the caller must not touch it afterwards. */
    public void give(T s) {
        for (int i = 0; i < SLOTS; i++) {
            if (slots.get(i) == null && slots.compareAndSet(i, null, s)) {
                return;
            }
        }
    }
}
