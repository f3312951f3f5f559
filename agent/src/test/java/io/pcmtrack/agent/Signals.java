package io.pcmtrack.agent;

import java.util.Arrays;
import java.util.Random;

import io.pcmtrack.PcmData;
import io.pcmtrack.PcmFormat;

/** Synthetic caller audio: a script of tones, noise and silence, built as mono floats at one rate. */
final class Signals {
    private final int rate;
    private float[] samples = new float[0];
    private int length;

    Signals(int rate) {
        this.rate = rate;
    }

    int rate() {
        return rate;
    }

    /** Samples so far (= the position where the next part starts). */
    int length() {
        return length;
    }

    /** Time of the current end, in ms. */
    double millis() {
        return length * 1000.0 / rate;
    }

    Signals silence(int ms) {
        grow(samples(ms));
        length += samples(ms);
        return this;
    }

    /** A sine at {@code dbfs} RMS (amplitude {@code sqrt(2)} times that). */
    Signals tone(int ms, double hz, double dbfs) {
        int n = samples(ms);
        grow(n);
        double amplitude = Math.sqrt(2) * Math.pow(10, dbfs / 20);
        for (int i = 0; i < n; i++) {
            samples[length + i] += (float) (amplitude * Math.sin(2 * Math.PI * hz * i / rate));
        }
        length += n;
        return this;
    }

    /** Adds white noise at {@code dbfs} RMS over everything so far. */
    Signals withNoise(double dbfs, long seed) {
        Random random = new Random(seed);
        double sigma = Math.pow(10, dbfs / 20);
        for (int i = 0; i < length; i++) {
            samples[i] += (float) (random.nextGaussian() * sigma);
        }
        return this;
    }

    Signals append(float[] mono) {
        grow(mono.length);
        System.arraycopy(mono, 0, samples, length, mono.length);
        length += mono.length;
        return this;
    }

    float[] mono() {
        return Arrays.copyOf(samples, length);
    }

    PcmData pcm() {
        return PcmData.ofFloats(rate, 1, mono());
    }

    /** The script in another channel count and sample format (every channel the same). */
    PcmData pcm(PcmFormat format) {
        if (format.sampleRate() != rate) {
            throw new IllegalArgumentException("script is at " + rate + " Hz, format wants " + format.sampleRate());
        }
        return pcm().convertTo(format);
    }

    private int samples(int ms) {
        return (int) ((long) ms * rate / 1000);
    }

    private void grow(int n) {
        if (length + n > samples.length) {
            samples = Arrays.copyOf(samples, Math.max(length + n, samples.length * 2));
        }
    }

    static double rmsDbfs(float[] v, int from, int to) {
        double sum = 0;
        for (int i = from; i < to; i++) {
            sum += (double) v[i] * v[i];
        }
        return 10 * Math.log10(sum / Math.max(1, to - from));
    }
}
