package io.pcmtrack.agent;

import java.time.Duration;
import java.util.Objects;

import io.pcmtrack.MediaClock;

/**
 * How a {@link ParrotAgent} listens ({@link VadOptions}) and how it speaks: the longest utterance
 * it records, the size and lead of the bursts it writes like a TTS engine, the fade of a
 * barge-in, how many turns its timeline keeps, and its clock.
 */
public final class AgentOptions {
    private final VadOptions vad;
    private final Duration maxUtterance;
    private final Duration burst;
    private final Duration lead;
    private final Duration fadeOut;
    private final boolean holdOnSpeech;
    private final Duration farEndBuffer;
    private final int history;
    private final MediaClock clock;

    private AgentOptions(Builder b) {
        this.vad = b.vad;
        this.maxUtterance = b.maxUtterance;
        this.burst = b.burst;
        this.lead = b.lead;
        this.fadeOut = b.fadeOut;
        this.holdOnSpeech = b.holdOnSpeech;
        this.farEndBuffer = b.farEndBuffer;
        this.history = b.history;
        this.clock = b.clock;
    }

    public static AgentOptions defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public VadOptions vad() {
        return vad;
    }

    /**
     * The most of one utterance the agent records and plays back; default 30 s. A caller who goes
     * on longer is still one turn (its full length is in the timeline), but only its first
     * {@code maxUtterance} comes back.
     */
    public Duration maxUtterance() {
        return maxUtterance;
    }

    /** How much of the answer one write carries; default 200 ms, as a streaming TTS engine delivers. */
    public Duration burst() {
        return burst;
    }

    /**
     * How far ahead of the listener the agent keeps its answer written: a burst is written
     * whenever it fits, so between {@code lead - burst} and {@code lead} is waiting in the track;
     * default 400 ms. A barge-in throws away
     * at most this much (less the fade).
     */
    public Duration lead() {
        return lead;
    }

    /** The fade of a barge-in's flush ({@code track.flush(fadeOut)}); default 10 ms; zero cuts hard. */
    public Duration fadeOut() {
        return fadeOut;
    }

    /**
     * Whether the agent falls silent at the caller's first speech window while it talks, instead of
     * talking on until the speech reaches {@link VadOptions#bargeIn()}; default true. The answer is
     * held (flushed with the {@link #fadeOut()}, the rest kept by the agent); the barge-in rule then
     * decides: speech reaching {@code bargeIn} cuts it, with what was heard up to the hold, and a
     * segment that ends as a blip resumes it where the listener left off (with a 10 ms fade-in), so
     * a cough costs a pause, not the answer. False: the answer plays on until the barge-in's flush.
     */
    public boolean holdOnSpeech() {
        return holdOnSpeech;
    }

    /**
     * Audio the far end still holds, unplayed, when the agent flushes, and that the flush takes
     * back: a phone provider's buffer, which the track's flush empties with a {@code clear} (the
     * call's lead, 100 ms by default). At a hold or a cut, that much of what was sent (at most
     * what was sent of the answer since it started or resumed) counts as not heard, and a resume
     * plays it again. Default zero: over WebRTC, what was sent is played.
     */
    public Duration farEndBuffer() {
        return farEndBuffer;
    }

    /** A builder starting from these values. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.vad = vad;
        b.maxUtterance = maxUtterance;
        b.burst = burst;
        b.lead = lead;
        b.fadeOut = fadeOut;
        b.holdOnSpeech = holdOnSpeech;
        b.farEndBuffer = farEndBuffer;
        b.history = history;
        b.clock = clock;
        return b;
    }

    /** Turns of each side the timeline keeps (older ones are forgotten, the totals are not); default 100. */
    public int history() {
        return history;
    }

    /** The clock of the agent's times and of the track it creates; default {@link MediaClock#system()}. */
    public MediaClock clock() {
        return clock;
    }

    @Override
    public String toString() {
        return "AgentOptions[" + vad + ", maxUtterance=" + maxUtterance.toMillis() + " ms, burst=" + burst.toMillis()
                + " ms, lead=" + lead.toMillis() + " ms, fadeOut=" + fadeOut.toMillis() + " ms, holdOnSpeech=" + holdOnSpeech + ", farEndBuffer="
                + farEndBuffer.toMillis() + " ms, history=" + history + "]";
    }

    /** Every setter checks its value at once; {@link #build()} checks how they fit together. */
    public static final class Builder {
        private VadOptions vad = VadOptions.defaults();
        private Duration maxUtterance = Duration.ofSeconds(30);
        private Duration burst = Duration.ofMillis(200);
        private Duration lead = Duration.ofMillis(400);
        private Duration fadeOut = Duration.ofMillis(10);
        private boolean holdOnSpeech = true;
        private Duration farEndBuffer = Duration.ZERO;
        private int history = 100;
        private MediaClock clock = MediaClock.system();

        private Builder() {
        }

        public Builder vad(VadOptions v) {
            this.vad = Objects.requireNonNull(v, "vad");
            return this;
        }

        /** 100 ms..10 min. */
        public Builder maxUtterance(Duration d) {
            this.maxUtterance = VadOptions.checkDuration("maxUtterance", d, Duration.ofMillis(100), Duration.ofMinutes(10));
            return this;
        }

        /** 10 ms..10 s. */
        public Builder burst(Duration d) {
            this.burst = VadOptions.checkDuration("burst", d, Duration.ofMillis(10), Duration.ofSeconds(10));
            return this;
        }

        /** 10 ms..60 s, and at least the burst (checked by {@link #build()}). */
        public Builder lead(Duration d) {
            this.lead = VadOptions.checkDuration("lead", d, Duration.ofMillis(10), Duration.ofSeconds(60));
            return this;
        }

        /** 0..1 s. */
        public Builder fadeOut(Duration d) {
            this.fadeOut = VadOptions.checkDuration("fadeOut", d, Duration.ZERO, Duration.ofSeconds(1));
            return this;
        }

        public Builder holdOnSpeech(boolean hold) {
            this.holdOnSpeech = hold;
            return this;
        }

        /** 0..1 s. */
        public Builder farEndBuffer(Duration d) {
            this.farEndBuffer = VadOptions.checkDuration("farEndBuffer", d, Duration.ZERO, Duration.ofSeconds(1));
            return this;
        }

        /** 1..100000 turns. */
        public Builder history(int turns) {
            if (turns < 1 || turns > 100_000) {
                throw new IllegalArgumentException("history must be 1..100000 turns, got " + turns);
            }
            this.history = turns;
            return this;
        }

        public Builder clock(MediaClock c) {
            this.clock = Objects.requireNonNull(c, "clock");
            return this;
        }

        /** @throws IllegalArgumentException if the lead is shorter than a burst */
        public AgentOptions build() {
            if (lead.compareTo(burst) < 0) {
                throw new IllegalArgumentException("lead (" + lead.toMillis() + " ms) must be at least one burst ("
                        + burst.toMillis() + " ms)");
            }
            return new AgentOptions(this);
        }
    }
}
