package io.pcmtrack.agent;

import static io.pcmtrack.agent.ParrotAgentTest.ms;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import io.pcmtrack.Mark;
import io.pcmtrack.MarkOutcome;
import io.pcmtrack.MarkResult;
import org.junit.jupiter.api.Test;

/**
 * A caller who talks over the agent cuts it: within 250 ms of the start of their speech as the
 * emitted frames show it (200 ms to be sure it is speech, up to one caller chunk and one frame
 * to act, and the 10 ms fade), and the timeline tells exactly how much of the answer went out.
 */
class BargeInTest {
    private static final int RATE = 16_000;
    /** Below this the emitted audio counts as silence: -60 dBFS. */
    private static final float SILENT = 0.001f;

    /** 2 s of tone; the caller talks again {@code after} ms into the answer, for {@code length} ms. */
    private static Signals overlap(int after, int length) {
        // the answer starts about 520 ms after the first tone ends
        return new Signals(RATE).silence(200).tone(2_000, 440, -20).silence(520 + after)
                .tone(length, 660, -20).silence(3_500);
    }

    @Test
    void speechOverTheAnswerCutsItWithin250MillisecondsWithAFade() {
        Signals caller = overlap(700, 800);
        double bargeInStart = 200 + 2_000 + 520 + 700;
        try (SimulatedCall call = new SimulatedCall()) {
            call.feed(caller.pcm());
            List<int[]> runs = call.talkRuns();
            assertThat(runs).as("the cut answer, then the answer to the barge-in").hasSize(2);
            float[] out = call.output();
            int[] cut = runs.get(0);
            int lastSound = cut[1];
            while (lastSound > cut[0] && Math.abs(out[lastSound - 1]) < SILENT) {
                lastSound--;
            }
            double cutAfter = call.millis(lastSound) - bargeInStart;
            assertThat(cutAfter).as("agent audio after the caller started talking over it, ms")
                    .isBetween(200.0, 250.0);

            // the fade: 10 ms from full level down to silence, no click
            int fade = call.outputRate / 100;
            double before = peak(out, lastSound - 2 * fade, lastSound - fade);
            assertThat(before).isGreaterThan(0.13); // the tone's amplitude is 0.141
            assertThat(peak(out, lastSound - fade, lastSound - fade + fade / 5)).isGreaterThan(0.1);
            assertThat(peak(out, lastSound - fade / 5, lastSound)).isLessThan(0.03);
            for (int i = lastSound - fade; i < lastSound; i++) {
                assertThat(Math.abs(out[i] - out[i - 1])).as("step at %d", i).isLessThan(0.02f);
            }

            Timeline t = call.agent.timeline();
            assertThat(t.bargeIns()).isEqualTo(1);
            AgentTurn first = t.agentTurns().get(0);
            assertThat(first.ending()).isEqualTo(AnswerEnding.BARGED_IN);
            assertThat(ms(first.bargeInAt())).isCloseTo(bargeInStart, within(10.0));
            assertThat(ms(first.cutAt()) - bargeInStart).isBetween(200.0, 220.0);
            assertThat(first.heardSamples()).isLessThan(first.lengthSamples());
            assertThat(t.callerTurns().get(1).bargedIn()).isTrue();
            // the barge-in itself is answered, whole
            AgentTurn second = t.agentTurns().get(1);
            assertThat(second.answering()).isEqualTo(2);
            assertThat(second.ending()).isEqualTo(AnswerEnding.PLAYED);
            assertThat(ms(second.length())).isCloseTo(800, within(30.0));
            assertThat(call.events(AgentEvent.BargedIn.class)).singleElement()
                    .satisfies(e -> assertThat(e.turn()).isEqualTo(first));
        }
    }

    @Test
    void theHeardPartIsExactFromPositions() {
        try (SimulatedCall call = new SimulatedCall()) {
            call.feed(overlap(700, 800).pcm());
            AgentTurn first = call.agent.timeline().agentTurns().get(0);
            int[] run = call.talkRuns().get(0);
            int frameSamples = call.agent.track().samplesPerFrame();
            int fadeSamples = call.outputRate / 100;
            // frames of the answer before the cut, whole, then one frame carrying the 10 ms fade
            long framesOut = (run[1] - run[0]) / frameSamples;
            assertThat(first.startPosition()).isZero();
            assertThat(first.heardSamples()).isEqualTo((framesOut - 1) * frameSamples + fadeSamples);
            // and what the track says it played once the fade was out, before the next answer
            long playedAfterCut = call.frames.stream().filter(f -> f[0] == run[1] - frameSamples)
                    .findFirst().orElseThrow()[2];
            assertThat(first.heardSamples()).isEqualTo(playedAfterCut - first.startPosition());
            assertThat(first.lengthSamples()).isEqualTo(2_000 * 48);
            assertThat(ms(first.to().minus(first.from()))).isEqualTo(ms(first.heard()));
            assertThat(first.heardText()).isEqualTo(String.format(java.util.Locale.ROOT, "%.1f s of 2.0 s heard",
                    first.heardSamples() / 48_000.0));
            // the second answer starts after what was written of the first: whole 200 ms bursts, more than was heard
            AgentTurn second = call.agent.timeline().agentTurns().get(1);
            assertThat(second.startPosition()).isGreaterThan(first.heardSamples());
            assertThat(second.startPosition() % (200 * 48)).isZero();
        }
    }

    @Test
    void aCutAfterTheLastWriteFlushesTheAnswersMark() throws Exception {
        // a 500 ms answer is all written at once (it fits the lead), so its mark is placed before the cut
        Signals caller = new Signals(RATE).silence(200).tone(500, 440, -20).silence(620).tone(600, 660, -20)
                .silence(2_000);
        try (SimulatedCall call = new SimulatedCall()) {
            AtomicReference<Mark> cutMark = new AtomicReference<>();
            call.agent.addListener(e -> {
                if (e instanceof AgentEvent.BargedIn) {
                    cutMark.set(call.agent.lastAnswerMark());
                }
            });
            call.feed(caller.pcm());
            List<AgentTurn> turns = call.agent.timeline().agentTurns();
            assertThat(turns.get(0).ending()).isEqualTo(AnswerEnding.BARGED_IN);
            assertThat(turns.get(0).mark()).isEqualTo("answer-1");
            MarkResult first = cutMark.get().result().get(5, TimeUnit.SECONDS);
            assertThat(first.label()).isEqualTo("answer-1");
            assertThat(first.outcome()).isEqualTo(MarkOutcome.FLUSHED);
            assertThat(turns.get(1).ending()).isEqualTo(AnswerEnding.PLAYED);
            MarkResult second = call.agent.lastAnswerMark().result().get(5, TimeUnit.SECONDS);
            assertThat(second.label()).isEqualTo("answer-2");
            assertThat(second.outcome()).isEqualTo(MarkOutcome.PLAYED);
            assertThat(second.position()).isEqualTo(turns.get(1).startPosition() + turns.get(1).lengthSamples());
        }
    }

    @Test
    void aCutBeforeTheLastWriteLeavesNoMarkAndThePreviousMarkPlayed() throws Exception {
        Signals caller = new Signals(RATE).silence(200).tone(400, 440, -20).silence(1_500)
                .tone(2_000, 440, -20).silence(1_000).tone(400, 660, -20).silence(2_000);
        try (SimulatedCall call = new SimulatedCall()) {
            call.feed(caller.pcm());
            List<AgentTurn> turns = call.agent.timeline().agentTurns();
            assertThat(turns).extracting(AgentTurn::ending).containsExactly(AnswerEnding.PLAYED,
                    AnswerEnding.BARGED_IN, AnswerEnding.PLAYED);
            assertThat(turns.get(1).mark()).isNull();
            assertThat(turns).extracting(AgentTurn::mark).containsExactly("answer-1", null, "answer-3");
        }
    }

    @Test
    void blipsShorterThan200MillisecondsNeitherCutNorMakeTurns() {
        Signals caller = new Signals(RATE).silence(200).tone(150, 880, -15).silence(800) // a blip while idle
                .tone(2_000, 440, -20).silence(900)                                       // an utterance
                .tone(150, 880, -15).silence(600).tone(120, 880, -15).silence(3_000);     // blips over the answer
        try (SimulatedCall call = new SimulatedCall()) {
            call.feed(caller.pcm());
            Timeline t = call.agent.timeline();
            assertThat(t.utterances()).isEqualTo(1);
            assertThat(t.blips()).isEqualTo(3);
            assertThat(t.bargeIns()).isZero();
            assertThat(t.agentTurns()).singleElement().satisfies(a -> {
                assertThat(a.ending()).isEqualTo(AnswerEnding.PLAYED);
                assertThat(a.heardSamples()).isEqualTo(a.lengthSamples());
            });
            assertThat(call.talkRuns()).singleElement()
                    .satisfies(run -> assertThat(call.millis(run[1] - run[0])).isCloseTo(2_000, within(30.0)));
            assertThat(call.agent.track().stats().flushes()).isZero();
        }
    }

    @Test
    void bigCallerChunksStillTimeTheAnswerAndItsCut() {
        // 250 ms chunks: the chunk after the one that ended the utterance already carries the barge-in
        Signals caller = new Signals(RATE).silence(250).tone(500, 440, -20).silence(500).tone(500, 660, -20)
                .silence(1_500);
        try (SimulatedCall call = new SimulatedCall()) {
            call.feed(caller.pcm(), 250);
            AgentTurn first = call.agent.timeline().agentTurns().get(0);
            assertThat(first.ending()).isEqualTo(AnswerEnding.BARGED_IN);
            assertThat(ms(first.from())).isEqualTo(1_260.0);           // the frame after the answer was written at 1250
            assertThat(ms(first.responseDelay())).isEqualTo(510.0);
            int[] run = call.talkRuns().get(0);
            long framesOut = (run[1] - run[0]) / call.agent.track().samplesPerFrame();
            assertThat(first.heardSamples()).isEqualTo((framesOut - 1) * 960 + 480);
            assertThat(call.agent.timeline().agentTurns().get(1).ending()).isEqualTo(AnswerEnding.PLAYED);
        }
    }

    @Test
    void aHardCutWithoutFadeIsConfigurable() {
        try (SimulatedCall call = new SimulatedCall(AgentOptions.builder().fadeOut(Duration.ZERO))) {
            call.feed(overlap(700, 800).pcm());
            AgentTurn first = call.agent.timeline().agentTurns().get(0);
            int[] run = call.talkRuns().get(0);
            assertThat(first.heardSamples()).isEqualTo(run[1] - run[0]);
            assertThat(first.heardSamples() % call.agent.track().samplesPerFrame()).isZero();
        }
    }

    private static double peak(float[] v, int from, int to) {
        double p = 0;
        for (int i = from; i < to; i++) {
            p = Math.max(p, Math.abs(v[i]));
        }
        return p;
    }
}
