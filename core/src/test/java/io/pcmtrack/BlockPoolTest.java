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
    void blocksAreEmptyWindowsOfOneLargeArrayOfTheirSampleFormat() {
        BlockPool pool = smallPool();
        Block first = pool.take();
        Block second = pool.take();
        assertThat(first.shorts).hasSize(4 * Block.SIZE).isSameAs(second.shorts);
        assertThat(first.floats).isNull();
        assertThat(second.start).isEqualTo(first.start + Block.SIZE);
        assertThat(first.pos).isEqualTo(first.start);
        assertThat(first.limit).isEqualTo(first.start);
        assertThat(first.writable()).isEqualTo(Block.SIZE);
        assertThat(first.next).isEqualTo(Block.NONE);
        Block f = new BlockPool(false, 2 * Block.SIZE * Float.BYTES, 0).take();
        assertThat(f.floats).hasSize(2 * Block.SIZE);
        assertThat(f.shorts).isNull();
    }

    @Test
    void theSharedPoolsUseSlabsThatG1AllocatesOutsideTheYoungGeneration() {
        // Humongous means at least half a region; G1's default regions are 1-4 MiB for maximum
        // heaps under 16 GiB. With its array header a slab must still fit in a 4 MiB region, or
        // most of a second one is wasted.
        assertThat(BlockPool.SLAB_BYTES).isGreaterThan(2 << 20).isLessThanOrEqualTo((4 << 20) - 16);
        assertThat(BlockPool.S16.blocksPerSlab() * Block.SIZE * Short.BYTES).isEqualTo(BlockPool.SLAB_BYTES);
        assertThat(BlockPool.F32.blocksPerSlab() * Block.SIZE * Float.BYTES).isEqualTo(BlockPool.SLAB_BYTES);
    }

    @Test
    void blocksAreFoundByTheirIdAndAGivenUpSlabsIdsGoToTheNextSlab() {
        BlockPool pool = new BlockPool(true, 4 * S16_BLOCK_BYTES, 0);
        List<Block> taken = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            taken.add(pool.take());
        }
        for (Block b : taken) {
            assertThat(pool.block(b.id)).isSameAs(b);
        }
        assertThat(taken).extracting(b -> b.id).containsExactly(0, 1, 2, 3, 4, 5, 6, 7);
        for (Block b : taken.subList(0, 4)) {
            pool.recycle(b); // the first slab is wholly free, and nothing is to be kept: given up
        }
        assertThat(pool.slabs()).isEqualTo(1);
        assertThat(pool.blockOrNull(0)).as("a given-up slab's blocks leave the table").isNull();
        assertThat(pool.blockOrNull(-1)).isNull();
        assertThat(pool.blockOrNull(1 << 20)).isNull();
        Block fresh = pool.take();
        assertThat(fresh.id).as("the new slab takes the free slot").isEqualTo(0);
        assertThat(fresh.shorts).isNotSameAs(taken.get(0).shorts);
        assertThat(pool.block(fresh.id)).isSameAs(fresh);
        assertThat(pool.block(5)).isSameAs(taken.get(5));
    }

    @Test
    void aNewSlabComesOnlyWhenEveryBlockOfTheOthersIsInUse() {
        BlockPool pool = smallPool();
        List<Block> taken = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            taken.add(pool.take());
        }
        assertThat(pool.slabs()).isEqualTo(1);
        assertThat(pool.freeBlocks()).isZero();
        taken.add(pool.take());
        assertThat(pool.slabs()).isEqualTo(2);
        assertThat(pool.freeBlocks()).isEqualTo(3);
        assertThat(taken.get(4).shorts).isNotSameAs(taken.get(0).shorts);
    }

    @Test
    void aRecycledBlockComesBackEmptyAndUnlinked() {
        BlockPool pool = smallPool();
        Block b = pool.take();
        b.pos = b.start + 100;
        b.limit = b.start + 700;
        pool.recycle(b);
        Block again = pool.take();
        assertThat(again).isSameAs(b);
        assertThat(again.pos).isEqualTo(again.start);
        assertThat(again.limit).isEqualTo(again.start);
        assertThat(again.next).isEqualTo(Block.NONE);
    }

    @Test
    void blocksComeBackLastInFirstOutAcrossSlabs() {
        BlockPool pool = smallPool();
        List<Block> taken = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            taken.add(pool.take());
        }
        Block fromFirstSlab = taken.get(1);
        Block fromSecondSlab = taken.get(6);
        pool.recycle(fromSecondSlab);
        pool.recycle(fromFirstSlab);
        assertThat(pool.take()).isSameAs(fromFirstSlab);
        Block next = pool.take();
        assertThat(next).isSameAs(fromSecondSlab);
        assertThat(next.next).as("the stack's link is cut before the block leaves").isEqualTo(Block.NONE);
    }

    @Test
    void aWhollyFreeSlabIsGivenUpOnceMoreThanTheMaximumIsFree() {
        BlockPool pool = smallPool(); // 4 blocks per slab, at most 6 free
        List<Block> taken = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            taken.add(pool.take());
        }
        assertThat(pool.slabs()).isEqualTo(3);
        for (Block b : taken) {
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
        Block kept = pool.take();
        Block other = pool.take();
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
        Block linked = pool.take();
        linked.next = pool.take().id;
        int free = pool.freeBlocks();
        assertThatThrownBy(() -> pool.recycle(linked)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("linked");
        assertThat(pool.freeBlocks()).isEqualTo(free);
    }

    @Test
    void aSecondRecycleAndARecycleIntoAnotherPoolAreRefusedAndLoseNothing() {
        BlockPool pool = smallPool();
        BlockPool other = smallPool();
        Block b = pool.take();
        other.take();
        assertThatThrownBy(() -> other.recycle(b)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("block " + b.id);
        pool.recycle(b);
        int free = pool.freeBlocks();
        assertThatThrownBy(() -> pool.recycle(b)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("not in use");
        assertThat(pool.freeBlocks()).isEqualTo(free);
        assertThat(pool.take()).isSameAs(b);
        assertThat(pool.take()).as("a block handed out once, not twice").isNotSameAs(b);
    }

    @Test
    void aBlockOfAGivenUpSlabIsRefusedAndTheNewSlabsBlocksStayTheirs() {
        BlockPool pool = new BlockPool(true, 4 * S16_BLOCK_BYTES, 0);
        Block gone = pool.take();
        pool.recycle(gone); // wholly free, nothing kept: the slab is given up
        assertThat(pool.slabs()).isZero();
        Block fresh = pool.take(); // a new slab in the same slot, the same ids
        assertThat(fresh.id).isEqualTo(gone.id);
        assertThatThrownBy(() -> pool.recycle(gone)).isInstanceOf(IllegalStateException.class);
        assertThat(pool.freeBlocks()).isEqualTo(3);
        assertThat(pool.block(fresh.id)).isSameAs(fresh);
    }

    @Test
    void aBlockWithAnArrayOfItsOwnIsRefused() {
        assertThatThrownBy(() -> smallPool().recycle(Block.ofShorts())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not from a pool");
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
        java.util.Set<Block> outstanding = java.util.concurrent.ConcurrentHashMap.newKeySet();
        java.util.concurrent.atomic.AtomicInteger doubles = new java.util.concurrent.atomic.AtomicInteger();
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread w = new Thread(() -> {
                Block[] held = new Block[4];
                for (int r = 0; r < rounds; r++) {
                    for (int i = 0; i < held.length; i++) {
                        held[i] = pool.take();
                        if (!outstanding.add(held[i])) {
                            doubles.incrementAndGet();
                        }
                    }
                    for (Block b : held) {
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
}
