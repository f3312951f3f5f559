package io.pcmtrack;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.pcmtrack.dsp.SampleCodec;

/** The linked blocks of one track: reads, drops, cuts, fades, release boundaries and the blocks it holds. */
class BlockQueueTest {
    private static short[] ramp(int start, int n) {
        short[] s = new short[n];
        for (int i = 0; i < n; i++) {
            s[i] = (short) (start + i);
        }
        return s;
    }

    private static short[] read(BlockQueue q, int n) {
        short[] out = new short[n];
        q.read(out, 0, n);
        return out;
    }

    private static int chainLength(BlockQueue q, int chain) {
        int n = 0;
        for (int id = chain; id != Block.NONE; id = q.next(id)) {
            n++;
        }
        return n;
    }

    @Test
    void samplesComeOutInOrderAcrossBlockBoundaries() {
        BlockQueue q = new BlockQueue(SampleFormat.S16);
        q.append(ramp(0, 1000), 0, 1000);
        q.append(ramp(1000, 2000), 0, 2000);
        assertThat(q.size()).isEqualTo(3000);
        assertThat(read(q, 1500)).containsExactly(ramp(0, 1500));
        assertThat(read(q, 1500)).containsExactly(ramp(1500, 1500));
        assertThat(q.size()).isZero();
    }

    @Test
    void appendTakesAnOffsetIntoTheSource() {
        BlockQueue q = new BlockQueue(SampleFormat.S16);
        q.append(ramp(0, 10), 4, 3);
        assertThat(read(q, 3)).containsExactly((short) 4, (short) 5, (short) 6);
    }

    @Test
    void readAndWritePositionsAreAbsoluteAndCountDropsAsRead() {
        BlockQueue q = new BlockQueue(SampleFormat.S16);
        q.append(ramp(0, 2500), 0, 2500);
        read(q, 700);
        q.skip(1100);
        assertThat(q.headPosition()).isEqualTo(1800);
        assertThat(q.endPosition()).isEqualTo(2500);
        assertThat(q.size()).isEqualTo(700);
        assertThat(read(q, 700)).containsExactly(ramp(1800, 700));
    }

    @Test
    void floatsAppendedToA16BitQueueAreEncoded() {
        // they come scaled to 16-bit full scale, as a 16-bit track's conversion chain hands them over
        BlockQueue q = new BlockQueue(SampleFormat.S16);
        float[] samples = {0.5f, -1f, 2f, Float.NaN, 0.25f, -0.25f};
        SampleCodec.scaleForS16(samples, 0, samples.length);
        q.append(samples, 0, samples.length);
        assertThat(read(q, 6)).containsExactly((short) 16384, (short) -32767, (short) 32767, (short) 0,
                (short) 8192, (short) -8192);
    }

    @Test
    void littleEndianBytesAreDecodedBitExact() {
        BlockQueue s = new BlockQueue(SampleFormat.S16);
        s.appendLittleEndian(new byte[] {0x34, 0x12, (byte) 0xff, (byte) 0xff}, 0, 2);
        assertThat(read(s, 2)).containsExactly((short) 0x1234, (short) -1);
        BlockQueue f = new BlockQueue(SampleFormat.F32);
        int bits = Float.floatToIntBits(0.25f);
        f.appendLittleEndian(new byte[] {(byte) bits, (byte) (bits >> 8), (byte) (bits >> 16), (byte) (bits >> 24)}, 0, 1);
        float[] out = new float[1];
        f.read(out, 0, 1);
        assertThat(out[0]).isEqualTo(0.25f);
    }

    @Test
    void truncateKeepsTheOldestAndLaterAppendsFollowThem() {
        BlockQueue q = new BlockQueue(SampleFormat.S16);
        q.append(ramp(0, 3000), 0, 3000);
        read(q, 100);
        q.truncate(1200);
        assertThat(q.size()).isEqualTo(1200);
        assertThat(q.endPosition()).isEqualTo(1300);
        q.append(ramp(5000, 10), 0, 10);
        short[] out = read(q, 1210);
        assertThat(java.util.Arrays.copyOf(out, 1200)).containsExactly(ramp(100, 1200));
        assertThat(java.util.Arrays.copyOfRange(out, 1200, 1210)).containsExactly(ramp(5000, 10));
    }

    @Test
    void truncateAtABlockBoundaryCutsTheFollowingBlocks() {
        BlockQueue q = new BlockQueue(SampleFormat.S16);
        q.append(ramp(0, 3 * Block.SIZE), 0, 3 * Block.SIZE);
        q.truncate(Block.SIZE);
        assertThat(q.heldBlocks()).isEqualTo(1);
        assertThat(chainLength(q, q.takeDrained())).isEqualTo(2);
        assertThat(read(q, Block.SIZE)).containsExactly(ramp(0, Block.SIZE));
    }

    @Test
    void truncateInsideAPartlyReadHeadBlockMakesItTheTailAndWritingGoesOnFromThere() {
        BlockQueue q = new BlockQueue(SampleFormat.S16);
        q.append(ramp(0, 3 * Block.SIZE), 0, 3 * Block.SIZE);
        read(q, 100);
        q.truncate(200); // ends at 300, inside the head block
        assertThat(q.heldBlocks()).isEqualTo(1);
        assertThat(chainLength(q, q.takeDrained())).isEqualTo(2);
        q.fadeOut(0, 1);
        q.append(ramp(5000, 2 * Block.SIZE), 0, 2 * Block.SIZE); // fills the rest of that block, then a new one
        assertThat(q.heldBlocks()).isEqualTo(3);
        assertThat(read(q, 200)).containsExactly(ramp(100, 200));
        assertThat(read(q, 2 * Block.SIZE)).containsExactly(ramp(5000, 2 * Block.SIZE));
        assertThat(q.size()).isZero();
    }

    @Test
    void aPartlyWrittenTailDrainedWhileASpareIsHeldGoesToTheDrainedChain() {
        BlockQueue q = new BlockQueue(SampleFormat.S16);
        q.append(ramp(0, Block.SIZE + 10), 0, Block.SIZE + 10);
        read(q, Block.SIZE); // the first block drains: the spare
        assertThat(q.takeDrained()).isEqualTo(Block.NONE);
        read(q, 10); // the tail, written only 10 samples in, drains too
        assertThat(q.heldBlocks()).as("the spare only").isEqualTo(1);
        assertThat(chainLength(q, q.takeDrained())).isEqualTo(1);
        q.append(ramp(7, 3), 0, 3);
        assertThat(read(q, 3)).containsExactly(ramp(7, 3));
    }

    @Test
    void aFadeAfterATruncateThatLeftOneBlockStopsAtItsEnd() {
        BlockQueue q = new BlockQueue(SampleFormat.S16);
        short[] full = new short[3 * Block.SIZE];
        java.util.Arrays.fill(full, (short) 10_000);
        q.append(full, 0, full.length);
        read(q, Block.SIZE + 500);
        q.truncate(4); // the head block is now the tail, 4 samples left in it
        q.fadeOut(4, 1);
        assertThat(read(q, 4)).containsExactly((short) 8536, (short) 5000, (short) 1464, (short) 0);
        assertThat(q.size()).isZero();
    }

    @Test
    void truncateToNothingEmptiesTheQueueAndItsReleases() {
        BlockQueue q = new BlockQueue(SampleFormat.S16);
        q.append(ramp(0, 500), 0, 500);
        q.markRelease();
        q.truncate(0);
        assertThat(q.size()).isZero();
        assertThat(q.headPosition()).isEqualTo(500);
        q.append(ramp(0, 2000), 0, 2000);
        assertThat(q.samplesToRelease(5000)).as("the old boundary is gone").isEqualTo(-1);
    }

    @Test
    void truncateForgetsReleaseBoundariesPastTheNewEndAndKeepsTheOthers() {
        BlockQueue q = new BlockQueue(SampleFormat.S16);
        q.append(ramp(0, 300), 0, 300);
        q.markRelease(); // at 300
        q.append(ramp(0, 700), 0, 700);
        q.markRelease(); // at 1000
        q.truncate(600);
        assertThat(q.samplesToRelease(960)).isEqualTo(300);
        read(q, 300);
        assertThat(q.samplesToRelease(960)).isEqualTo(-1);
    }

    @Test
    void aReleaseBoundaryIsReportedOnlyWithinTheLimitAndForgottenOncePassed() {
        BlockQueue q = new BlockQueue(SampleFormat.S16);
        q.append(ramp(0, 1500), 0, 1500);
        q.markRelease();
        assertThat(q.samplesToRelease(960)).isEqualTo(-1);
        assertThat(q.samplesToRelease(1500)).isEqualTo(1500);
        read(q, 960);
        assertThat(q.samplesToRelease(960)).isEqualTo(540);
        read(q, 540);
        q.append(ramp(0, 100), 0, 100);
        assertThat(q.samplesToRelease(960)).isEqualTo(-1);
    }

    @Test
    void aReleaseOnAnEmptyQueueOrTwiceAtOneEndIsIgnored() {
        BlockQueue q = new BlockQueue(SampleFormat.S16);
        q.markRelease();
        q.append(ramp(0, 100), 0, 100);
        assertThat(q.samplesToRelease(960)).as("no boundary at 0").isEqualTo(-1);
        q.markRelease();
        q.markRelease();
        read(q, 100);
        q.append(ramp(0, 50), 0, 50);
        q.markRelease();
        assertThat(q.samplesToRelease(960)).isEqualTo(50);
    }

    @Test
    void manyReleaseBoundariesAreKeptInOrder() {
        BlockQueue q = new BlockQueue(SampleFormat.S16);
        for (int i = 0; i < 10; i++) {
            q.append(ramp(0, 10), 0, 10);
            q.markRelease();
        }
        for (int i = 0; i < 10; i++) {
            assertThat(q.samplesToRelease(960)).as("boundary %d", i).isEqualTo(10);
            read(q, 10);
        }
        assertThat(q.samplesToRelease(960)).isEqualTo(-1);
    }

    @Test
    void fadeOutIsARaisedCosineThatEndsSilentOnEveryChannel() {
        BlockQueue q = new BlockQueue(SampleFormat.F32);
        int frames = 700; // spans a block boundary in stereo
        float[] ones = new float[frames * 2 + 20];
        java.util.Arrays.fill(ones, 1f);
        q.append(ones, 0, ones.length);
        q.fadeOut(frames, 2);
        float[] out = new float[ones.length];
        q.read(out, 0, out.length);
        for (int i = 0; i < frames; i++) {
            float gain = (float) (0.5 * (1 + Math.cos(Math.PI * (i + 1) / frames)));
            assertThat(out[2 * i]).as("left %d", i).isEqualTo(gain);
            assertThat(out[2 * i + 1]).as("right %d", i).isEqualTo(gain);
        }
        assertThat(out[2 * frames - 1]).isZero();
        assertThat(out[2 * frames]).as("samples past the fade are untouched").isEqualTo(1f);
    }

    @Test
    void fadeOutStartsAtTheReadPosition() {
        BlockQueue q = new BlockQueue(SampleFormat.S16);
        short[] full = new short[2000];
        java.util.Arrays.fill(full, (short) 10_000);
        q.append(full, 0, full.length);
        read(q, Block.SIZE - 2); // the fade starts two samples before a block boundary
        q.fadeOut(4, 1);
        assertThat(read(q, 5)).containsExactly((short) 8536, (short) 5000, (short) 1464, (short) 0, (short) 10_000);
    }

    @Test
    void memoryFollowsContentAndAnEmptyQueueKeepsOnlyItsSpare() {
        BlockQueue q = new BlockQueue(SampleFormat.S16);
        assertThat(q.heldBlocks()).isZero();
        q.append(ramp(0, 10 * Block.SIZE), 0, 10 * Block.SIZE);
        assertThat(q.heldBlocks()).isEqualTo(10);
        read(q, 10 * Block.SIZE);
        assertThat(q.heldBlocks()).as("the spare").isEqualTo(1);
        assertThat(chainLength(q, q.takeDrained())).isEqualTo(9);
        q.releaseSpare();
        assertThat(q.heldBlocks()).isZero();
        assertThat(chainLength(q, q.takeDrained())).isEqualTo(1);
    }

    @Test
    void aSteadyStreamCyclesTheSpareWithoutDrainingAnything() {
        BlockQueue q = new BlockQueue(SampleFormat.S16);
        q.append(ramp(0, Block.SIZE), 0, Block.SIZE);
        read(q, Block.SIZE);
        q.takeDrained();
        for (int i = 0; i < 5; i++) {
            q.append(ramp(0, Block.SIZE), 0, Block.SIZE);
            read(q, Block.SIZE);
            assertThat(q.takeDrained()).as("round %d", i).isEqualTo(Block.NONE);
            assertThat(q.heldBlocks()).isEqualTo(1);
        }
    }

    @Test
    void takeDrainedHandsOverTheChainOnceAndRecycleGivesItToThePool() {
        BlockPool pool = new BlockPool(true, 8 * Block.SIZE * Short.BYTES, 8 * Block.SIZE * Short.BYTES);
        BlockQueue q = new BlockQueue(pool);
        q.append(ramp(0, 4 * Block.SIZE), 0, 4 * Block.SIZE);
        q.skip(4 * Block.SIZE);
        int chain = q.takeDrained();
        assertThat(chainLength(q, chain)).isEqualTo(3);
        assertThat(q.takeDrained()).isEqualTo(Block.NONE);
        int[] blocks = {chain, q.next(chain), q.next(q.next(chain))};
        int free = pool.freeBlocks();
        q.recycle(chain);
        q.recycle(Block.NONE); // nothing to give back is fine
        assertThat(pool.freeBlocks()).isEqualTo(free + 3);
        assertThat(pool.take()).isEqualTo(blocks[2]);
        assertThat(pool.take()).isEqualTo(blocks[1]);
        assertThat(pool.take()).isEqualTo(blocks[0]);
    }

    @Test
    void clearDropsEverythingAndKeepsCounting() {
        BlockQueue q = new BlockQueue(SampleFormat.S16);
        q.append(ramp(0, 1500), 0, 1500);
        q.markRelease();
        q.clear();
        assertThat(q.size()).isZero();
        assertThat(q.headPosition()).isEqualTo(1500);
        q.append(ramp(0, 3000), 0, 3000);
        assertThat(q.samplesToRelease(3000)).isEqualTo(-1);
    }
}
