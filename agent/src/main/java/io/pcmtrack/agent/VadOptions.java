package io.pcmtrack.agent;

import java.time.Duration;

/**
 * The thresholds of the energy-based voice activity detector that decides when the caller
 * speaks, when an utterance ends and when the caller barges in.
 *
 * <p>The rule, applied to every {@link #WINDOW 10 ms} window of caller audio (all channels
 * together):
 * <ol>
 *   <li>Level: {@code 10 * log10(mean square)} in dBFS (full scale = 1.0 after conversion to float),
 *       no lower than -100 dBFS.</li>
 *   <li>Noise floor: the lowest window level of the last {@link #floorWindow()} (3 s): it follows
 *       the quietest moments, so a steady noise sets it within one floor window and speech,
 *       which has dips between words, does not.</li>
 *   <li>A window is speech when its level is at least
 *       {@code max(minSpeechLevel, floor + margin)}: -50 dBFS and 12 dB by default. The
 *       absolute minimum keeps a clean line's dither out; the margin keeps a noisy line's
 *       noise out.</li>
 *   <li>A segment starts at its first speech window and ends after {@link #endSilence()} (500 ms)
 *       of windows without speech; its speech time is the number of speech windows times 10 ms.
 *       A segment with at least {@link #minUtterance()} (300 ms) of speech is an utterance;
 *       a shorter one is a blip and is ignored.</li>
 *   <li>While the agent talks, a segment reaching {@link #bargeIn()} (200 ms) of speech is a
 *       barge-in.</li>
 * </ol>
 * A noise that steps up by more than the margin reads as speech until the floor window has
 * passed over it; a caller who talks from the very first window is heard from their first
 * pause on.
 */
public final class VadOptions {
    /** The analysis window: 10 ms (the sample count is rounded down at rates that do not divide). */
    public static final Duration WINDOW = Duration.ofMillis(10);

    private static final Duration MIN_DURATION = WINDOW;
    private static final Duration MAX_DURATION = Duration.ofSeconds(60);

    private final double minSpeechLevel;
    private final double margin;
    private final Duration floorWindow;
    private final Duration minUtterance;
    private final Duration endSilence;
    private final Duration bargeIn;

    private VadOptions(Builder b) {
        this.minSpeechLevel = b.minSpeechLevel;
        this.margin = b.margin;
        this.floorWindow = b.floorWindow;
        this.minUtterance = b.minUtterance;
        this.endSilence = b.endSilence;
        this.bargeIn = b.bargeIn;
    }

    /** The defaults described above. */
    public static VadOptions defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from these values. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.minSpeechLevel = minSpeechLevel;
        b.margin = margin;
        b.floorWindow = floorWindow;
        b.minUtterance = minUtterance;
        b.endSilence = endSilence;
        b.bargeIn = bargeIn;
        return b;
    }

    /** No window quieter than this is speech, whatever the floor, in dBFS; default -50. */
    public double minSpeechLevel() {
        return minSpeechLevel;
    }

    /** How far above the noise floor a window must be to be speech, in dB; default 12. */
    public double margin() {
        return margin;
    }

    /** How far back the noise floor looks for the quietest window; default 3 s. */
    public Duration floorWindow() {
        return floorWindow;
    }

    /** Speech a segment needs to be an utterance; default 300 ms. */
    public Duration minUtterance() {
        return minUtterance;
    }

    /** Silence that ends a segment; default 500 ms. */
    public Duration endSilence() {
        return endSilence;
    }

    /** Speech that cuts the agent while it talks; default 200 ms; at most {@link #minUtterance()}. */
    public Duration bargeIn() {
        return bargeIn;
    }

    @Override
    public String toString() {
        return "VadOptions[minSpeechLevel=" + minSpeechLevel + " dBFS, margin=" + margin + " dB, floorWindow="
                + floorWindow.toMillis() + " ms, minUtterance=" + minUtterance.toMillis() + " ms, endSilence="
                + endSilence.toMillis() + " ms, bargeIn=" + bargeIn.toMillis() + " ms]";
    }

    /** Every setter checks its value at once; {@link #build()} checks how they fit together. */
    public static final class Builder {
        private double minSpeechLevel = -50;
        private double margin = 12;
        private Duration floorWindow = Duration.ofSeconds(3);
        private Duration minUtterance = Duration.ofMillis(300);
        private Duration endSilence = Duration.ofMillis(500);
        private Duration bargeIn = Duration.ofMillis(200);

        private Builder() {
        }

        /** -100..0 dBFS. */
        public Builder minSpeechLevel(double dbfs) {
            if (!(dbfs >= -100 && dbfs <= 0)) {
                throw new IllegalArgumentException("minSpeechLevel must be -100..0 dBFS, got " + dbfs);
            }
            this.minSpeechLevel = dbfs;
            return this;
        }

        /** 0..60 dB. */
        public Builder margin(double db) {
            if (!(db >= 0 && db <= 60)) {
                throw new IllegalArgumentException("margin must be 0..60 dB, got " + db);
            }
            this.margin = db;
            return this;
        }

        /** 10 ms..60 s. */
        public Builder floorWindow(Duration d) {
            this.floorWindow = checkDuration("floorWindow", d);
            return this;
        }

        /** 10 ms..60 s. */
        public Builder minUtterance(Duration d) {
            this.minUtterance = checkDuration("minUtterance", d);
            return this;
        }

        /** 10 ms..60 s. */
        public Builder endSilence(Duration d) {
            this.endSilence = checkDuration("endSilence", d);
            return this;
        }

        /** 10 ms..60 s, and at most minUtterance (checked by {@link #build()}). */
        public Builder bargeIn(Duration d) {
            this.bargeIn = checkDuration("bargeIn", d);
            return this;
        }

        /**
         * @throws IllegalArgumentException if bargeIn is longer than minUtterance: an utterance
         *         heard while the agent talks must cut it before it is answered
         */
        public VadOptions build() {
            if (bargeIn.compareTo(minUtterance) > 0) {
                throw new IllegalArgumentException("bargeIn (" + bargeIn.toMillis()
                        + " ms) must not be longer than minUtterance (" + minUtterance.toMillis() + " ms)");
            }
            return new VadOptions(this);
        }
    }

    static Duration checkDuration(String name, Duration d) {
        return checkDuration(name, d, MIN_DURATION, MAX_DURATION);
    }

    static Duration checkDuration(String name, Duration d, Duration min, Duration max) {
        if (d == null || d.compareTo(min) < 0 || d.compareTo(max) > 0) {
            throw new IllegalArgumentException(name + " must be " + describe(min) + ".." + describe(max) + ", got "
                    + (d == null ? "null" : describe(d)));
        }
        return d;
    }

    private static String describe(Duration d) {
        if (d.toNanos() % 1_000_000_000L == 0 && !d.isZero()) {
            return d.toSeconds() + " s";
        }
        if (d.toNanos() % 1_000_000L == 0) {
            return d.toMillis() + " ms";
        }
        return d.toNanos() / 1e6 + " ms";
    }
}
