package io.pcmtrack.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * Utterances of synthetic callers (tone bursts with pauses, over a noise floor or not) come back
 * whole, in order, with their duration and energy, after the documented silence.
 *
 * <p>Tolerances: durations +-30 ms (10 ms analysis windows at each end, and the last frame of an
 * answer is padded to 20 ms), levels +-0.5 dB (resampling 16 kHz to 48 kHz of a tone well below
 * Nyquist, and S16 rounding), response delays 500..550 ms (the 500 ms end-of-utterance silence,
 * plus up to one window to notice it and one frame for the answer to go out).
 */
class ParrotAgentTest {
    private static final int RATE = 16_000;

    @Test
    void toneBurstsWithPausesComeBackWithTheirDurationAndEnergy() {
        int[] bursts = {400, 800, 1500};
        double[] levels = {-20, -26, -14};
        Signals caller = new Signals(RATE).silence(300);
        double[] starts = new double[bursts.length];
        for (int i = 0; i < bursts.length; i++) {
            starts[i] = caller.millis();
            caller.tone(bursts[i], 440, levels[i]).silence(bursts[i] + 1_200);
        }
        try (SimulatedCall call = new SimulatedCall()) {
            call.feed(caller.pcm());
            call.idle(500);

            Timeline t = call.agent.timeline();
            assertThat(t.utterances()).isEqualTo(3);
            assertThat(t.answers()).isEqualTo(3);
            assertThat(t.bargeIns()).isZero();
            List<int[]> runs = call.talkRuns();
            assertThat(runs).hasSize(3);
            float[] out = call.output();
            for (int i = 0; i < bursts.length; i++) {
                CallerTurn heard = t.callerTurns().get(i);
                assertThat(ms(heard.from())).isCloseTo(starts[i], within(10.0));
                assertThat(ms(heard.duration())).isCloseTo(bursts[i], within(30.0));
                assertThat(heard.levelDbfs()).isCloseTo(levels[i], within(0.5));

                int[] run = call.trimmed(runs.get(i));
                double answerMillis = call.millis(run[1] - run[0]);
                assertThat(answerMillis).as("answer %d duration", i + 1).isCloseTo(bursts[i], within(30.0));
                assertThat(Signals.rmsDbfs(out, run[0], run[1])).as("answer %d level", i + 1)
                        .isCloseTo(levels[i], within(0.5));
                double delay = call.millis(run[0]) - (starts[i] + bursts[i]);
                assertThat(delay).as("answer %d delay", i + 1).isBetween(500.0, 550.0);

                AgentTurn answer = t.agentTurns().get(i);
                assertThat(answer.answering()).isEqualTo(i + 1);
                assertThat(answer.ending()).isEqualTo(AnswerEnding.PLAYED);
                assertThat(answer.heardSamples()).isEqualTo(answer.lengthSamples());
                assertThat(ms(answer.from())).isEqualTo(call.millis(run[0]));
                assertThat(ms(answer.responseDelay())).isCloseTo(delay, within(10.0));
                assertThat(answer.mark()).isEqualTo("answer-" + (i + 1));
            }
        }
    }

    @Test
    void eventsTellEachTurnInOrder() {
        Signals caller = new Signals(RATE).silence(200).tone(600, 300, -20).silence(2_000)
                .tone(500, 300, -20).silence(2_000);
        try (SimulatedCall call = new SimulatedCall()) {
            List<Long> writePositionsAtWritten = new java.util.ArrayList<>();
            call.agent.addListener(e -> {
                if (e instanceof AgentEvent.AnswerWritten) {
                    writePositionsAtWritten.add(call.agent.track().writePosition());
                }
            });
            call.feed(caller.pcm());
            assertThat(call.events.stream().map(e -> e.getClass().getSimpleName()).toList()).containsExactly(
                    "CallerStarted", "CallerEnded", "AnswerStarted", "AnswerWritten", "AnswerEnded",
                    "CallerStarted", "CallerEnded", "AnswerStarted", "AnswerWritten", "AnswerEnded");
            // a transport's own mark placed from the event lands where the agent's mark is
            List<AgentEvent.AnswerWritten> written = call.events(AgentEvent.AnswerWritten.class);
            assertThat(written).extracting(AgentEvent.AnswerWritten::label).containsExactly("answer-1", "answer-2");
            assertThat(writePositionsAtWritten).containsExactly(written.get(0).position(), written.get(1).position());
            assertThat(written.get(1).position()).isEqualTo(call.agent.lastAnswerMark().position());
            AgentEvent.AnswerStarted started = call.events(AgentEvent.AnswerStarted.class).get(0);
            AgentEvent.CallerEnded ended = call.events(AgentEvent.CallerEnded.class).get(0);
            assertThat(started.responseDelay()).isEqualTo(started.at().minus(ended.turn().to()));
            assertThat(ms(ended.at().minus(ended.turn().to()))).isEqualTo(500.0); // the end-of-utterance silence
            // the agent writes ahead in bursts, not the whole answer at once
            assertThat(call.agent.track().stats().writtenSamples()).isEqualTo(
                    call.agent.timeline().agentTurns().stream().mapToLong(AgentTurn::lengthSamples).sum());
        }
    }

    @Test
    void answersAreWrittenInBurstsAheadOfTheListener() {
        Signals caller = new Signals(RATE).silence(200).tone(2_000, 440, -20).silence(520);
        try (SimulatedCall call = new SimulatedCall()) {
            call.feed(caller.pcm());
            // the utterance has just ended: two 200 ms bursts are written, not the 2 s
            assertThat(call.agent.isSpeaking()).isTrue();
            assertThat(call.millis((int) call.agent.track().writePosition())).isEqualTo(400.0);
            long minAhead = Long.MAX_VALUE;
            long maxAhead = 0;
            for (int i = 0; i < 120; i++) {
                call.idle(20);
                long ahead = call.agent.track().writePosition() - call.agent.track().playedPosition();
                if (call.agent.lastAnswerMark() == null) { // not all written yet
                    minAhead = Math.min(minAhead, ahead);
                }
                maxAhead = Math.max(maxAhead, ahead);
            }
            assertThat(call.millis((int) maxAhead)).isLessThanOrEqualTo(400.0);
            assertThat(call.millis((int) minAhead)).isGreaterThanOrEqualTo(200.0);
            // no gap: the whole answer is one run of frames
            assertThat(call.talkRuns()).singleElement()
                    .satisfies(run -> assertThat(call.millis(run[1] - run[0])).isEqualTo(2_000.0));
            assertThat(call.agent.timeline().agentTurns()).singleElement()
                    .satisfies(a -> assertThat(a.heardSamples()).isEqualTo(a.lengthSamples()));
        }
    }

    @Test
    void aNoiseFloorMakesNoTurnsAndRaisesTheThreshold() {
        Signals caller = new Signals(8_000).silence(1_000).tone(700, 300, -22).silence(2_000)
                .tone(400, 300, -22).silence(2_500).withNoise(-40, 7);
        try (SimulatedCall call = new SimulatedCall()) {
            call.feed(caller.pcm());
            Timeline t = call.agent.timeline();
            assertThat(t.noiseFloorDbfs()).isBetween(-44.0, -39.0);
            assertThat(t.utterances()).isEqualTo(2);
            assertThat(ms(t.callerTurns().get(0).duration())).isCloseTo(700, within(30.0));
            assertThat(ms(t.callerTurns().get(1).duration())).isCloseTo(400, within(30.0));
            assertThat(t.answers()).isEqualTo(2);
        }
    }

    @Test
    void noiseAboveTheAbsoluteMinimumAloneIsNeverAnUtterance() {
        Signals caller = new Signals(RATE).silence(8_000).withNoise(-35, 11);
        try (SimulatedCall call = new SimulatedCall()) {
            call.feed(caller.pcm());
            assertThat(call.agent.timeline().utterances()).isZero();
            assertThat(call.agent.timeline().answers()).isZero();
            assertThat(call.agent.track().stats().writtenSamples()).isZero();
        }
    }

    @Test
    void aToneBelowTheAbsoluteMinimumIsNotSpeech() {
        Signals caller = new Signals(RATE).silence(500).tone(1_000, 440, -53).silence(1_000);
        try (SimulatedCall call = new SimulatedCall(AgentOptions.builder())) {
            call.feed(caller.pcm());
            assertThat(call.agent.timeline().utterances()).isZero();
        }
        VadOptions lower = VadOptions.builder().minSpeechLevel(-60).build();
        try (SimulatedCall call = new SimulatedCall(AgentOptions.builder().vad(lower))) {
            call.feed(caller.pcm());
            assertThat(call.agent.timeline().utterances()).isEqualTo(1);
        }
    }

    @Test
    void thresholdsAreAdjustable() {
        // 300 ms pauses split utterances only when the end-of-utterance silence is shorter than them
        Signals caller = new Signals(RATE).silence(200).tone(500, 440, -20).silence(300).tone(500, 440, -20).silence(3_000);
        try (SimulatedCall call = new SimulatedCall()) {
            call.feed(caller.pcm());
            assertThat(call.agent.timeline().utterances()).isEqualTo(1);
            assertThat(ms(call.agent.timeline().callerTurns().get(0).duration())).isCloseTo(1_300, within(30.0));
        }
        VadOptions quick = VadOptions.builder().endSilence(Duration.ofMillis(250)).build();
        Signals polite = new Signals(RATE).silence(200).tone(500, 440, -20).silence(1_200).tone(500, 440, -20).silence(1_200);
        try (SimulatedCall call = new SimulatedCall(AgentOptions.builder().vad(quick))) {
            call.feed(polite.pcm());
            assertThat(call.agent.timeline().utterances()).isEqualTo(2);
            assertThat(ms(call.agent.timeline().agentTurns().get(0).responseDelay())).isBetween(250.0, 300.0);
        }
    }

    @Test
    void anUtteranceLongerThanTheCapIsOneTurnAndOnlyItsBeginningComesBack() {
        Signals caller = new Signals(RATE).silence(200).tone(1_500, 440, -20).silence(2_000);
        try (SimulatedCall call = new SimulatedCall(AgentOptions.builder().maxUtterance(Duration.ofMillis(1_000)))) {
            call.feed(caller.pcm());
            Timeline t = call.agent.timeline();
            assertThat(t.callerTurns()).singleElement().satisfies(c -> {
                assertThat(c.truncated()).isTrue();
                assertThat(ms(c.duration())).isCloseTo(1_500, within(30.0));
            });
            assertThat(t.agentTurns()).singleElement().satisfies(a -> assertThat(ms(a.length())).isEqualTo(1_000.0));
        }
    }

    @Test
    void theTimelineKeepsTheLastTurnsAndAllTotals() {
        Signals caller = new Signals(RATE).silence(200);
        for (int i = 0; i < 5; i++) {
            caller.tone(400, 440, -20).silence(1_500);
        }
        try (SimulatedCall call = new SimulatedCall(AgentOptions.builder().history(2))) {
            call.feed(caller.pcm());
            Timeline t = call.agent.timeline();
            assertThat(t.utterances()).isEqualTo(5);
            assertThat(t.answers()).isEqualTo(5);
            assertThat(t.callerTurns()).extracting(CallerTurn::index).containsExactly(4, 5);
            assertThat(t.agentTurns()).extracting(AgentTurn::index).containsExactly(4, 5);
            assertThat(t.stats().framesEmitted()).isEqualTo(call.frames.size());
        }
    }

    static double ms(Duration d) {
        return d.toNanos() / 1e6;
    }
}
