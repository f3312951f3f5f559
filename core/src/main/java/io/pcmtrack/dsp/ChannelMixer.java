package io.pcmtrack.dsp;

/**
 * Maps interleaved audio from one channel count to another. The rule, for {@code in -> out}:
 * <ul>
 *   <li>{@code in == out}: copy;</li>
 *   <li>{@code 1 -> N}: the mono sample goes to every channel;</li>
 *   <li>{@code N -> 1}: the average of all channels;</li>
 *   <li>{@code in < out} (in &gt; 1): output channel {@code c} takes input channel {@code c % in}
 *       (stereo to 4 channels is L R L R);</li>
 *   <li>{@code in > out} (out &gt; 1): output channel {@code c} is the average of the input
 *       channels {@code i} with {@code i % out == c} (4 channels to stereo: L = avg(0, 2),
 *       R = avg(1, 3)).</li>
 * </ul>
 * The rule is deterministic and loses no level on a uniform signal. No method allocates.
 */
public final class ChannelMixer {
    private ChannelMixer() {
    }

    /** Maps {@code frames} sample frames of {@code inChannels} to {@code outChannels}. {@code in} and {@code out} must not overlap. */
    public static void mix(float[] in, int inOffset, int inChannels, float[] out, int outOffset, int outChannels, int frames) {
        if (inChannels == outChannels) {
            System.arraycopy(in, inOffset, out, outOffset, frames * inChannels);
        } else if (inChannels == 1) {
            for (int f = 0, o = outOffset; f < frames; f++) {
                float s = in[inOffset + f];
                for (int c = 0; c < outChannels; c++) {
                    out[o++] = s;
                }
            }
        } else if (inChannels < outChannels) {
            for (int f = 0; f < frames; f++) {
                int i = inOffset + f * inChannels;
                int o = outOffset + f * outChannels;
                for (int c = 0; c < outChannels; c++) {
                    out[o + c] = in[i + c % inChannels];
                }
            }
        } else {
            for (int f = 0; f < frames; f++) {
                int i = inOffset + f * inChannels;
                int o = outOffset + f * outChannels;
                for (int c = 0; c < outChannels; c++) {
                    float sum = 0f;
                    int n = 0;
                    for (int k = c; k < inChannels; k += outChannels, n++) {
                        sum += in[i + k];
                    }
                    out[o + c] = sum / n;
                }
            }
        }
    }

    /**
     * The same rule on 16-bit samples, exact for copies and rounding averages to nearest, so that
     * a 16-bit stream changes channels without a detour through float.
     */
    public static void mix(short[] in, int inOffset, int inChannels, short[] out, int outOffset, int outChannels, int frames) {
        if (inChannels == outChannels) {
            System.arraycopy(in, inOffset, out, outOffset, frames * inChannels);
        } else if (inChannels == 1) {
            for (int f = 0, o = outOffset; f < frames; f++) {
                short s = in[inOffset + f];
                for (int c = 0; c < outChannels; c++) {
                    out[o++] = s;
                }
            }
        } else if (inChannels < outChannels) {
            for (int f = 0; f < frames; f++) {
                int i = inOffset + f * inChannels;
                int o = outOffset + f * outChannels;
                for (int c = 0; c < outChannels; c++) {
                    out[o + c] = in[i + c % inChannels];
                }
            }
        } else {
            for (int f = 0; f < frames; f++) {
                int i = inOffset + f * inChannels;
                int o = outOffset + f * outChannels;
                for (int c = 0; c < outChannels; c++) {
                    int sum = 0;
                    int n = 0;
                    for (int k = c; k < inChannels; k += outChannels, n++) {
                        sum += in[i + k];
                    }
                    out[o + c] = (short) Math.round((float) sum / n);
                }
            }
        }
    }
}
