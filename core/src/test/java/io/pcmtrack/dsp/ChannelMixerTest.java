package io.pcmtrack.dsp;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Every channel rule of {@link ChannelMixer}, for float and 16-bit samples. */
class ChannelMixerTest {

    private static float[] mix(float[] in, int inChannels, int outChannels) {
        int frames = in.length / inChannels;
        float[] out = new float[frames * outChannels];
        ChannelMixer.mix(in, 0, inChannels, out, 0, outChannels, frames);
        return out;
    }

    private static short[] mix(short[] in, int inChannels, int outChannels) {
        int frames = in.length / inChannels;
        short[] out = new short[frames * outChannels];
        ChannelMixer.mix(in, 0, inChannels, out, 0, outChannels, frames);
        return out;
    }

    @Test
    void sameCountIsACopy() {
        assertThat(mix(new float[] {0.1f, -0.2f, 0.3f, -0.4f}, 2, 2)).containsExactly(0.1f, -0.2f, 0.3f, -0.4f);
        assertThat(mix(new short[] {1, -2, 3, -4}, 2, 2)).containsExactly(1, -2, 3, -4);
    }

    @Test
    void monoGoesToEveryChannel() {
        assertThat(mix(new float[] {0.5f, -0.25f}, 1, 3)).containsExactly(0.5f, 0.5f, 0.5f, -0.25f, -0.25f, -0.25f);
        assertThat(mix(new short[] {7, -9}, 1, 2)).containsExactly(7, 7, -9, -9);
    }

    @Test
    void manyToMonoIsTheAverageOfAllChannels() {
        assertThat(mix(new float[] {0.25f, 0.5f, 0.75f, -0.75f, 0f, 0f}, 3, 1)).containsExactly(0.5f, -0.25f);
        assertThat(mix(new short[] {100, 300, -1000, 0}, 2, 1)).containsExactly(200, -500);
    }

    @Test
    void sixteenBitAveragesRoundToNearest() {
        // 3 channels: (1 + 1 + 0) / 3 = 0.67 -> 1; (-1 - 1 + 0) / 3 = -0.67 -> -1; (1 + 0 + 0) / 3 = 0.33 -> 0
        assertThat(mix(new short[] {1, 1, 0, -1, -1, 0, 1, 0, 0}, 3, 1)).containsExactly(1, -1, 0);
    }

    @Test
    void sixteenBitAveragesOfFullScaleDoNotOverflow() {
        short[] in = new short[32];
        java.util.Arrays.fill(in, Short.MIN_VALUE);
        assertThat(mix(in, 32, 1)).containsExactly(Short.MIN_VALUE);
        java.util.Arrays.fill(in, Short.MAX_VALUE);
        assertThat(mix(in, 32, 1)).containsExactly(Short.MAX_VALUE);
    }

    @Test
    void fewerToMoreRepeatsTheInputChannelsInTurn() {
        // stereo to 4 channels: L R L R; 3 to 5: 0 1 2 0 1
        assertThat(mix(new float[] {0.1f, 0.2f}, 2, 4)).containsExactly(0.1f, 0.2f, 0.1f, 0.2f);
        assertThat(mix(new short[] {10, 20, 30, 40, 50, 60}, 3, 5)).containsExactly(10, 20, 30, 10, 20, 40, 50, 60, 40, 50);
    }

    @Test
    void moreToFewerAveragesTheInputChannelsCongruentModuloTheOutputCount() {
        // 4 to stereo: L = avg(0, 2), R = avg(1, 3)
        assertThat(mix(new float[] {0.125f, 0.25f, 0.375f, 0.75f}, 4, 2)).containsExactly(0.25f, 0.5f);
        // 5 to 2: L = avg(0, 2, 4), R = avg(1, 3)
        assertThat(mix(new short[] {30, 10, 60, 20, 90}, 5, 2)).containsExactly(60, 15);
    }

    @Test
    void aUniformSignalKeepsItsLevelWhateverTheCounts() {
        for (int in = 1; in <= 8; in++) {
            for (int out = 1; out <= 8; out++) {
                float[] f = new float[in * 3];
                java.util.Arrays.fill(f, 0.375f);
                short[] s = new short[in * 3];
                java.util.Arrays.fill(s, (short) -12_345);
                assertThat(mix(f, in, out)).as("%d -> %d", in, out).hasSize(out * 3).containsOnly(0.375f);
                assertThat(mix(s, in, out)).as("%d -> %d", in, out).hasSize(out * 3).containsOnly((short) -12_345);
            }
        }
    }

    @Test
    void offsetsSelectWhereToReadAndWrite() {
        float[] in = {9f, 9f, 0.25f, 0.75f, 9f};
        float[] out = {-1f, -1f, -1f};
        ChannelMixer.mix(in, 2, 2, out, 1, 1, 1);
        assertThat(out).containsExactly(-1f, 0.5f, -1f);
        short[] sin = {9, 4, 9};
        short[] sout = {-1, -1, -1, -1};
        ChannelMixer.mix(sin, 1, 1, sout, 1, 2, 1);
        assertThat(sout).containsExactly(-1, 4, 4, -1);
    }

    @Test
    void zeroFramesWriteNothing() {
        float[] out = {5f};
        ChannelMixer.mix(new float[0], 0, 2, out, 0, 1, 0);
        assertThat(out).containsExactly(5f);
    }
}
