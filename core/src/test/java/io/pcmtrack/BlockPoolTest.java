package io.pcmtrack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The shared free list of blocks: what it hands out, what it keeps, what it refuses. */
class BlockPoolTest {
    /** A shard no track in this test touches between its steps (tests run one at a time). */
    private static final int SHARD = BlockPool.SHARDS - 1;

    /** Takes more than a shard can ever cache, so that it is empty afterwards. */
    private static void emptyShard(BlockPool pool) {
        for (int i = 0; i < BlockPool.MAX_BLOCKS_PER_SHARD * 2; i++) {
            pool.take(SHARD);
        }
    }

    @Test
    void anEmptyShardHandsOutFreshEmptyBlocksOfItsSampleFormat() {
        emptyShard(BlockPool.S16);
        emptyShard(BlockPool.F32);
        Block s = BlockPool.S16.take(SHARD);
        Block f = BlockPool.F32.take(SHARD);
        assertThat(s.shorts).hasSize(Block.SIZE);
        assertThat(s.floats).isNull();
        assertThat(f.floats).hasSize(Block.SIZE);
        assertThat(f.shorts).isNull();
        assertThat(s.pos).isZero();
        assertThat(s.limit).isZero();
        assertThat(s.next).isNull();
    }

    @Test
    void aRecycledBlockComesBackEmptyAndUnlinked() {
        emptyShard(BlockPool.S16);
        Block b = Block.ofShorts(Block.SIZE);
        b.pos = 100;
        b.limit = 700;
        BlockPool.S16.recycle(SHARD, b);
        Block again = BlockPool.S16.take(SHARD);
        assertThat(again).isSameAs(b);
        assertThat(again.pos).isZero();
        assertThat(again.limit).isZero();
        assertThat(again.next).isNull();
    }

    @Test
    void blocksComeBackLastInFirstOut() {
        emptyShard(BlockPool.S16);
        Block first = Block.ofShorts(Block.SIZE);
        Block second = Block.ofShorts(Block.SIZE);
        BlockPool.S16.recycle(SHARD, first);
        BlockPool.S16.recycle(SHARD, second);
        assertThat(BlockPool.S16.take(SHARD)).isSameAs(second);
        Block third = BlockPool.S16.take(SHARD);
        assertThat(third).isSameAs(first);
        assertThat(third.next).as("the stack's link is cut before the block leaves").isNull();
    }

    @Test
    void aShardKeepsAtMostItsMaximumAndLetsTheRestGo() {
        emptyShard(BlockPool.F32);
        List<Block> recycled = new ArrayList<>();
        for (int i = 0; i < BlockPool.MAX_BLOCKS_PER_SHARD + 36; i++) {
            Block b = Block.ofFloats(Block.SIZE);
            recycled.add(b);
            BlockPool.F32.recycle(SHARD, b);
        }
        for (int i = BlockPool.MAX_BLOCKS_PER_SHARD - 1; i >= 0; i--) {
            assertThat(BlockPool.F32.take(SHARD)).as("cached block %d", i).isSameAs(recycled.get(i));
        }
        Block beyond = BlockPool.F32.take(SHARD);
        assertThat(recycled).as("blocks past the maximum were not kept").doesNotContain(beyond);
    }

    @Test
    void shardsAreSeparate() {
        emptyShard(BlockPool.S16);
        Block b = Block.ofShorts(Block.SIZE);
        BlockPool.S16.recycle(SHARD - 1, b);
        assertThat(BlockPool.S16.take(SHARD)).isNotSameAs(b);
        assertThat(BlockPool.S16.take(SHARD - 1)).isSameAs(b);
    }

    @Test
    void aLinkedBlockIsRefusedAndNotCached() {
        emptyShard(BlockPool.S16);
        Block linked = Block.ofShorts(Block.SIZE);
        linked.next = Block.ofShorts(Block.SIZE);
        assertThatThrownBy(() -> BlockPool.S16.recycle(SHARD, linked)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("linked");
        assertThat(BlockPool.S16.take(SHARD)).isNotSameAs(linked).isNotSameAs(linked.next);
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
                        held[i] = BlockPool.S16.take(SHARD);
                        if (!outstanding.add(held[i])) {
                            doubles.incrementAndGet();
                        }
                    }
                    for (Block b : held) {
                        outstanding.remove(b);
                        BlockPool.S16.recycle(SHARD, b);
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
    }
}
