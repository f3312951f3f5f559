package io.pcmtrack.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;

import io.pcmtrack.agent.VoiceActivityDetector.Change;
import org.junit.jupiter.api.Test;

/** The documented rule at its edges, window by window (10 ms windows at 16 kHz). */
class VoiceActivityDetectorTest {
    private static final double SPEECH = ms(-20);
    private static final double QUIET = ms(-90);

    private static double ms(double dbfs) {
        return Math.pow(10, dbfs / 10);
    }

    private static VoiceActivityDetector vad() {
        return new VoiceActivityDetector(VadOptions.defaults(), 16_000);
    }

    /** Pushes {@code windows} windows of {@code meanSquare}; returns the last change other than NONE. */
    private static Change push(VoiceActivityDetector vad, double meanSquare, int windows) {
        Change last = Change.NONE;
        for (int i = 0; i < windows; i++) {
            Change c = vad.push(meanSquare);
            if (c != Change.NONE) {
                last = c;
            }
        }
        return last;
    }

    @Test
    void threeHundredMillisecondsOfSpeechAreAnUtteranceAndTwoHundredNinetyABlip() {
        VoiceActivityDetector vad = vad();
        assertThat(vad.windowSamples()).isEqualTo(160);
        push(vad, QUIET, 50);
        assertThat(push(vad, SPEECH, 30)).isEqualTo(Change.STARTED);
        assertThat(push(vad, QUIET, 50)).isEqualTo(Change.ENDED);
        assertThat(vad.endedWasUtterance()).isTrue();
        assertThat(vad.endedSpeechSamples()).isEqualTo(30 * 160);

        push(vad, SPEECH, 29);
        assertThat(push(vad, QUIET, 50)).isEqualTo(Change.ENDED);
        assertThat(vad.endedWasUtterance()).isFalse();
    }

    @Test
    void aSegmentEndsAfterExactlyFiveHundredMillisecondsWithoutSpeech() {
        VoiceActivityDetector vad = vad();
        push(vad, QUIET, 10);
        push(vad, SPEECH, 40);
        assertThat(push(vad, QUIET, 49)).isEqualTo(Change.NONE);
        assertThat(vad.inSegment()).isTrue();
        assertThat(vad.push(QUIET)).isEqualTo(Change.ENDED);
        // a pause of 490 ms keeps the segment, and its speech adds up
        push(vad, SPEECH, 20);
        push(vad, QUIET, 49);
        push(vad, SPEECH, 20);
        assertThat(push(vad, QUIET, 50)).isEqualTo(Change.ENDED);
        assertThat(vad.endedSpeechSamples()).isEqualTo(40 * 160);
    }

    @Test
    void bargeInIsReachedAtTwoHundredMillisecondsOfSpeech() {
        VoiceActivityDetector vad = vad();
        push(vad, QUIET, 10);
        push(vad, SPEECH, 19);
        assertThat(vad.reachedBargeIn()).isFalse();
        vad.push(SPEECH);
        assertThat(vad.reachedBargeIn()).isTrue();
    }

    @Test
    void theThresholdIsTheFloorPlusTheMarginOrTheAbsoluteMinimum() {
        VoiceActivityDetector vad = vad();
        push(vad, ms(-40), 100); // a noise floor at -40 dBFS
        assertThat(vad.floorLevel()).isCloseTo(-40, within(1e-9));
        vad.push(ms(-28.5));
        assertThat(vad.isSpeech()).as("11.5 dB above the floor").isFalse();
        vad.push(ms(-27.9));
        assertThat(vad.isSpeech()).as("12.1 dB above the floor").isTrue();

        VoiceActivityDetector clean = vad();
        push(clean, ms(-96), 100);
        clean.push(ms(-50.5));
        assertThat(clean.isSpeech()).as("below the -50 dBFS minimum").isFalse();
        clean.push(ms(-49.5));
        assertThat(clean.isSpeech()).isTrue();
        clean.push(0);
        assertThat(clean.level()).isEqualTo(-100); // digital silence
    }

    @Test
    void theFloorForgetsQuietAfterItsWindow() {
        VadOptions shortFloor = VadOptions.builder().floorWindow(Duration.ofMillis(500)).build();
        VoiceActivityDetector vad = new VoiceActivityDetector(shortFloor, 16_000);
        push(vad, ms(-80), 10);
        push(vad, ms(-35), 49);
        assertThat(vad.floorLevel()).isEqualTo(-80, within(1e-9));
        vad.push(ms(-35));
        assertThat(vad.floorLevel()).isCloseTo(-35, within(1e-9));
    }
}
