package io.pcmtrack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The shared free list of blocks: what it hands out, what it keeps, what it refuses. */
class BlockPoolTest {
    private static final int S16_BLOCK_BYTES = Block.SIZE * Short.BYTES;

    /** A pool of 4-block slabs that keeps at most 6 free blocks. */
    private static BlockPool smallPool() {
        return new BlockPool(true, 4 * S16_BLOCK_BYTES, 6 * S16_BLOCK_BYTES);
    }

    @Test
    void blocksAreUnlinkedWindowsOfOneLargeArrayOfTheirSampleFormat() {
        BlockPool pool = smallPool();
        int first = pool.take();
        int second = pool.take();
        assertThat(pool.shorts(first)).hasSize(4 * Block.SIZE).isSameAs(pool.shorts(second));
        assertThat(Block.start(second)).isEqualTo(Block.start(first) + Block.SIZE);
        assertThat(Block.end(first)).isEqualTo(Block.start(first) + Block.SIZE);
        assertThat(pool.next(first)).isEqualTo(Block.NONE);
        BlockPool floats = new BlockPool(false, 2 * Block.SIZE * Float.BYTES, 0);
        int f = floats.take();
        assertThat(floats.floats(f)).hasSize(2 * Block.SIZE);
        assertThat(floats.holdsShorts()).isFalse();
    }

    @Test
    void theSharedPoolsUseSlabsThatG1AllocatesOutsideTheYoungGeneration() {
        // Humongous means at least half a region; G1's default regions are 1-4 MiB for maximum
        // heaps under 16 GiB. With its array header a slab must still fit in a 4 MiB region, or
        // most of a second one is wasted.
        assertThat(BlockPool.SLAB_BYTES).isGreaterThan(2 << 20).isLessThanOrEqualTo((4 << 20) - 16);
        assertThat(BlockPool.S16.blocksPerSlab() * Block.SIZE * Short.BYTES).isEqualTo(BlockPool.SLAB_BYTES);
        assertThat(BlockPool.F32.blocksPerSlab() * Block.SIZE * Float.BYTES).isEqualTo(BlockPool.SLAB_BYTES);
        assertThat(BlockPool.S16.blocksPerSlab()).isLessThanOrEqualTo(Block.MASK + 1);
    }

    @Test
    void aSlabTooLargeForTheIdsIsRefused() {
        assertThatThrownBy(() -> new BlockPool(true, (Block.MASK + 2) * S16_BLOCK_BYTES, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("2048 blocks");
    }

    @Test
    void idsNameASlotAndAnIndexAndAGivenUpSlabsSlotGoesToTheNextSlab() {
        BlockPool pool = new BlockPool(true, 4 * S16_BLOCK_BYTES, 0);
        List<Integer> taken = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            taken.add(pool.take());
        }
        int slot1 = 1 << Block.SHIFT;
        assertThat(taken).containsExactly(0, 1, 2, 3, slot1, slot1 + 1, slot1 + 2, slot1 + 3);
        short[] firstArray = pool.shorts(0);
        for (int id : taken.subList(0, 4)) {
            pool.recycle(id); // the first slab is wholly free, and nothing is to be kept: given up
        }
        assertThat(pool.slabs()).isEqualTo(1);
        assertThat(pool.peek(0, 0)).as("a given-up slab reads as nothing").isZero();
        int fresh = pool.take();
        assertThat(fresh).as("the new slab takes the free slot").isZero();
        assertThat(pool.shorts(fresh)).isNotSameAs(firstArray);
        assertThat(pool.shorts(slot1 + 1)).hasSize(4 * Block.SIZE);
    }

    @Test
    void peekNeverThrowsOnStaleOrMeaninglessIdsAndIndices() {
        BlockPool pool = smallPool();
        int id = pool.take();
        pool.shorts(id)[Block.start(id) + 5] = 1234;
        assertThat(pool.peek(id, Block.start(id) + 5)).isEqualTo(1234);
        assertThat(pool.peek(Block.NONE, 0)).isZero();
        assertThat(pool.peek(id, -1)).isZero();
        assertThat(pool.peek(id, 1 << 30)).isZero();
        assertThat(pool.peek(7 << Block.SHIFT, 0)).isZero();
        assertThat(pool.peek(Integer.MAX_VALUE, 0)).isZero();
    }

    @Test
    void aNewSlabComesOnlyWhenEveryBlockOfTheOthersIsInUse() {
        BlockPool pool = smallPool();
        List<Integer> taken = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            taken.add(pool.take());
        }
        assertThat(pool.slabs()).isEqualTo(1);
        assertThat(pool.freeBlocks()).isZero();
        taken.add(pool.take());
        assertThat(pool.slabs()).isEqualTo(2);
        assertThat(pool.freeBlocks()).isEqualTo(3);
        assertThat(pool.shorts(taken.get(4))).isNotSameAs(pool.shorts(taken.get(0)));
    }

    @Test
    void aRecycledBlockComesBackUnlinked() {
        BlockPool pool = smallPool();
        int b = pool.take();
        int c = pool.take();
        pool.recycle(c);
        pool.recycle(b); // b's link now points at c on the free stack
        assertThat(pool.take()).isEqualTo(b);
        assertThat(pool.next(b)).isEqualTo(Block.NONE);
    }

    @Test
    void blocksComeBackLastInFirstOutAcrossSlabs() {
        BlockPool pool = smallPool();
        List<Integer> taken = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            taken.add(pool.take());
        }
        int fromFirstSlab = taken.get(1);
        int fromSecondSlab = taken.get(6);
        pool.recycle(fromSecondSlab);
        pool.recycle(fromFirstSlab);
        assertThat(pool.take()).isEqualTo(fromFirstSlab);
        int next = pool.take();
        assertThat(next).isEqualTo(fromSecondSlab);
        assertThat(pool.next(next)).as("the stack's link is cut before the block leaves").isEqualTo(Block.NONE);
    }

    @Test
    void aWhollyFreeSlabIsGivenUpOnceMoreThanTheMaximumIsFree() {
        BlockPool pool = smallPool(); // 4 blocks per slab, at most 6 free
        List<Integer> taken = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            taken.add(pool.take());
        }
        assertThat(pool.slabs()).isEqualTo(3);
        for (int b : taken) {
            pool.recycle(b);
        }
        // The first slab to become wholly free stays (4 free); the next two find 8 free, more than 6, and go.
        assertThat(pool.freeBlocks()).isLessThanOrEqualTo(6);
        assertThat(pool.slabs()).isEqualTo(1);
        assertThat(pool.freeBlocks()).isEqualTo(4);
    }

    @Test
    void aSlabWithABlockInUseStays() {
        BlockPool pool = new BlockPool(true, 4 * S16_BLOCK_BYTES, 0);
        int kept = pool.take();
        int other = pool.take();
        pool.recycle(other);
        assertThat(pool.slabs()).isEqualTo(1);
        assertThat(pool.freeBlocks()).isEqualTo(3);
        pool.recycle(kept);
        assertThat(pool.slabs()).as("wholly free and nothing is to be kept").isZero();
        assertThat(pool.freeBlocks()).isZero();
    }

    @Test
    void aLinkedBlockIsRefusedAndNotCached() {
        BlockPool pool = smallPool();
        int linked = pool.take();
        pool.setNext(linked, pool.take());
        int free = pool.freeBlocks();
        assertThatThrownBy(() -> pool.recycle(linked)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("linked");
        assertThat(pool.freeBlocks()).isEqualTo(free);
    }

    @Test
    void aSecondRecycleAndARecycleIntoAnotherPoolAreRefusedAndLoseNothing() {
        BlockPool pool = smallPool();
        BlockPool other = new BlockPool(true, 4 * S16_BLOCK_BYTES, 6 * S16_BLOCK_BYTES);
        int b = pool.take();
        pool.take();
        assertThatThrownBy(() -> other.recycle(b)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("block " + b);
        pool.recycle(b);
        int free = pool.freeBlocks();
        assertThatThrownBy(() -> pool.recycle(b)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("not in use");
        assertThat(pool.freeBlocks()).isEqualTo(free);
        assertThat(pool.take()).isEqualTo(b);
        assertThat(pool.take()).as("a block handed out once, not twice").isNotEqualTo(b);
        assertThatThrownBy(() -> pool.recycle(Block.NONE)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aBlockOfAGivenUpSlabIsRefusedAndTheNewSlabsBlocksStayTheirs() {
        BlockPool pool = new BlockPool(true, 4 * S16_BLOCK_BYTES, 0);
        int gone = pool.take();
        pool.recycle(gone); // wholly free, nothing kept: the slab is given up
        assertThat(pool.slabs()).isZero();
        assertThatThrownBy(() -> pool.recycle(gone)).isInstanceOf(IllegalStateException.class);
        int fresh = pool.take(); // a new slab in the same slot: the same id, now the new slab's
        assertThat(fresh).isEqualTo(gone);
        assertThat(pool.freeBlocks()).isEqualTo(3);
    }

    @Test
    void onlyS16AndF32HavePools() {
        assertThat(BlockPool.of(SampleFormat.S16)).isSameAs(BlockPool.S16);
        assertThat(BlockPool.of(SampleFormat.F32)).isSameAs(BlockPool.F32);
        assertThatThrownBy(() -> BlockPool.of(SampleFormat.S24)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("S24");
    }

    @Test
    void concurrentTakesAndRecyclesNeverHandOutOneBlockTwice() throws Exception {
        BlockPool pool = smallPool();
        int threads = 4;
        int rounds = 20_000;
        java.util.Set<Integer> outstanding = java.util.concurrent.ConcurrentHashMap.newKeySet();
        java.util.concurrent.atomic.AtomicInteger doubles = new java.util.concurrent.atomic.AtomicInteger();
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread w = new Thread(() -> {
                int[] held = new int[4];
                for (int r = 0; r < rounds; r++) {
                    for (int i = 0; i < held.length; i++) {
                        held[i] = pool.take();
                        if (!outstanding.add(held[i])) {
                            doubles.incrementAndGet();
                        }
                    }
                    for (int b : held) {
                        outstanding.remove(b);
                        pool.recycle(b);
                    }
                }
            });
            workers.add(w);
            w.start();
        }
        for (Thread w : workers) {
            w.join();
        }
        assertThat(doubles.get()).isZero();
        assertThat(pool.freeBlocks()).isLessThanOrEqualTo(6 + 4);
    }

    @Test
    void reserveAddsASlabOnlyWhenTooFewBlocksAreFree() {
        BlockPool pool = new BlockPool(true, 4 * S16_BLOCK_BYTES, 8 * S16_BLOCK_BYTES);
        pool.reserve(2);
        assertThat(pool.slabs()).isEqualTo(1);
        assertThat(pool.freeBlocks()).isEqualTo(4);
        pool.reserve(4);
        assertThat(pool.slabs()).as("four are free").isEqualTo(1);
        List<Integer> taken = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            taken.add(pool.take());
        }
        assertThat(pool.slabs()).as("the takes found blocks").isEqualTo(1);
        pool.reserve(1);
        assertThat(pool.slabs()).isEqualTo(1);
        pool.reserve(2);
        assertThat(pool.slabs()).as("one free, two asked for").isEqualTo(2);
        assertThat(pool.freeBlocks()).isEqualTo(5);
        taken.forEach(pool::recycle);
        assertThat(pool.freeBlocks()).isEqualTo(8);
    }
}
