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
import io.pcmtrack.PcmFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.ParameterizedTest;

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
    void speechOverTheAnswerSilencesItAtOnceAndTheRuleCutsIt() {
        Signals caller = overlap(700, 800);
        double bargeInStart = 200 + 2_000 + 520 + 700;
        try (SimulatedCall call = new SimulatedCall()) {
            call.feed(caller.pcm());
            // the first speech window (10 ms), the 20 ms chunk that carries it, the frame in flight and the fade
            double cutAfter = lastSoundOfTheCutAnswer(call) - bargeInStart;
            assertThat(cutAfter).as("agent audio after the caller started talking over it, ms").isBetween(20.0, 60.0);

            AgentTurn first = call.agent.timeline().agentTurns().get(0);
            assertThat(first.ending()).isEqualTo(AnswerEnding.BARGED_IN);
            assertThat(ms(first.bargeInAt())).isCloseTo(bargeInStart, within(10.0));
            // the flush that cut it is the hold's, at the first speech window; the rule's 200 ms decided it was a barge-in
            assertThat(ms(first.cutAt()) - bargeInStart).isBetween(10.0, 30.0);
            AgentEvent.BargedIn bargedIn = call.events(AgentEvent.BargedIn.class).get(0);
            assertThat(ms(bargedIn.at()) - bargeInStart).isBetween(200.0, 220.0);
            assertThat(call.events(AgentEvent.AnswerHeld.class)).singleElement().satisfies(h -> {
                assertThat(h.at()).isEqualTo(first.cutAt());
                assertThat(h.heard()).isEqualTo(first.heard());
            });
            assertThat(call.events(AgentEvent.AnswerResumed.class)).isEmpty();
            assertThat(call.agent.track().stats().flushes()).isOne();
            assertTheBargeInIsAnsweredWhole(call, first);
        }
    }

    @Test
    void withoutHoldingTheAnswerPlaysOnUntilTheRuleCutsItWithin250Milliseconds() {
        Signals caller = overlap(700, 800);
        double bargeInStart = 200 + 2_000 + 520 + 700;
        try (SimulatedCall call = new SimulatedCall(AgentOptions.builder().holdOnSpeech(false))) {
            call.feed(caller.pcm());
            // 200 ms to be sure it is speech, up to one caller chunk and one frame to act, and the 10 ms fade
            double cutAfter = lastSoundOfTheCutAnswer(call) - bargeInStart;
            assertThat(cutAfter).as("agent audio after the caller started talking over it, ms").isBetween(200.0, 250.0);
            AgentTurn first = call.agent.timeline().agentTurns().get(0);
            assertThat(first.ending()).isEqualTo(AnswerEnding.BARGED_IN);
            assertThat(ms(first.bargeInAt())).isCloseTo(bargeInStart, within(10.0));
            assertThat(ms(first.cutAt()) - bargeInStart).isBetween(200.0, 220.0);
            assertThat(call.events(AgentEvent.AnswerHeld.class)).isEmpty();
            assertTheBargeInIsAnsweredWhole(call, first);
        }
    }

    /** The end of the first talk run's sound, ms, after checking its fade: full level down to silence in 10 ms, no click. */
    private static double lastSoundOfTheCutAnswer(SimulatedCall call) {
        List<int[]> runs = call.talkRuns();
        assertThat(runs).as("the cut answer, then the answer to the barge-in").hasSize(2);
        float[] out = call.output();
        int[] cut = runs.get(0);
        int lastSound = cut[1];
        while (lastSound > cut[0] && Math.abs(out[lastSound - 1]) < SILENT) {
            lastSound--;
        }
        int fade = call.outputRate / 100;
        assertThat(peak(out, lastSound - 2 * fade, lastSound - fade)).isGreaterThan(0.13); // the tone's amplitude is 0.141
        assertThat(peak(out, lastSound - fade, lastSound - fade + fade / 5)).isGreaterThan(0.1);
        assertThat(peak(out, lastSound - fade / 5, lastSound)).isLessThan(0.03);
        for (int i = lastSound - fade; i < lastSound; i++) {
            assertThat(Math.abs(out[i] - out[i - 1])).as("step at %d", i).isLessThan(0.02f);
        }
        return call.millis(lastSound);
    }

    private static void assertTheBargeInIsAnsweredWhole(SimulatedCall call, AgentTurn first) {
        Timeline t = call.agent.timeline();
        assertThat(t.bargeIns()).isEqualTo(1);
        assertThat(first.heardSamples()).isLessThan(first.lengthSamples());
        assertThat(t.callerTurns().get(1).bargedIn()).isTrue();
        AgentTurn second = t.agentTurns().get(1);
        assertThat(second.answering()).isEqualTo(2);
        assertThat(second.ending()).isEqualTo(AnswerEnding.PLAYED);
        assertThat(ms(second.length())).isCloseTo(800, within(30.0));
        assertThat(call.events(AgentEvent.BargedIn.class)).singleElement()
                .satisfies(e -> assertThat(e.turn()).isEqualTo(first));
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
        // a 500 ms answer is all written within its first 100 ms (it fits the lead), so its mark is placed
        // before the caller talks over it, 300 ms in
        Signals caller = new Signals(RATE).silence(200).tone(500, 440, -20).silence(820).tone(600, 660, -20)
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

    /** A blip while idle, an utterance of 2 s, then two blips over its answer (about 380 ms and 1,130 ms into it). */
    private static Signals blips() {
        return blips(RATE);
    }

    private static Signals blips(int rate) {
        return new Signals(rate).silence(200).tone(150, 880, -15).silence(800)
                .tone(2_000, 440, -20).silence(900)
                .tone(150, 880, -15).silence(600).tone(120, 880, -15).silence(3_000);
    }

    @Test
    void withoutHoldingBlipsShorterThan200MillisecondsNeitherCutNorPauseNorMakeTurns() {
        Signals caller = blips();
        try (SimulatedCall call = new SimulatedCall(AgentOptions.builder().holdOnSpeech(false))) {
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

    @ParameterizedTest
    @CsvSource({"16000, 1", "44100, 2", "8000, 1"})
    void aBlipOverTheAnswerPausesItAndItGoesOnWhereTheListenerLeftOff(int rate, int channels) throws Exception {
        PcmFormat format = PcmFormat.s16(rate, channels);
        float[] whole;
        try (SimulatedCall reference = new SimulatedCall(AgentOptions.builder().holdOnSpeech(false))) {
            reference.feed(blips(rate).pcm(format));
            int[] run = reference.talkRuns().get(0);
            whole = java.util.Arrays.copyOfRange(reference.output(), run[0], run[1]);
        }
        try (SimulatedCall call = new SimulatedCall()) {
            call.feed(blips(rate).pcm(format));
            Timeline t = call.agent.timeline();
            assertThat(t.utterances()).isEqualTo(1);
            assertThat(t.blips()).isEqualTo(3);
            assertThat(t.bargeIns()).isZero();
            AgentTurn answer = t.agentTurns().get(0);
            assertThat(t.agentTurns()).singleElement().satisfies(a -> {
                assertThat(a.ending()).isEqualTo(AnswerEnding.PLAYED);
                // exact when the rate divides 48 kHz; each resume restarts the converter on a caller sample
                assertThat(a.lengthSamples()).isCloseTo(2_000 * 48, within(48_000 % rate == 0 ? 0L : 2L));
                assertThat(a.heardSamples()).isEqualTo(a.lengthSamples());
            });
            assertThat(call.agent.lastAnswerMark().label()).isEqualTo("answer-1");
            assertThat(call.agent.lastAnswerMark().result().get(5, TimeUnit.SECONDS).outcome()).isEqualTo(MarkOutcome.PLAYED);
            assertThat(call.agent.track().stats().flushes()).isEqualTo(2);
            assertThat(call.events(AgentEvent.AnswerWritten.class)).extracting(AgentEvent.AnswerWritten::label)
                    .containsOnly("answer-1").hasSizeBetween(1, 3);

            List<AgentEvent.AnswerHeld> holds = call.events(AgentEvent.AnswerHeld.class);
            List<AgentEvent.AnswerResumed> resumes = call.events(AgentEvent.AnswerResumed.class);
            assertThat(holds).hasSize(2);
            assertThat(resumes).hasSize(2);
            List<int[]> runs = call.talkRuns();
            assertThat(runs).as("the answer, paused twice").hasSize(3);
            float[] out = call.output();
            // where the converter restarts between two of the reference's samples, the tone is shifted by less than one
            double tolerance = 48_000 % rate == 0 ? 2e-3 : 1e-2;
            for (int i = 0; i < 2; i++) {
                // held at the blip's first speech window, resumed when it ended: its 150 or 120 ms and 500 ms of silence
                double pause = ms(resumes.get(i).at()) - ms(holds.get(i).at());
                assertThat(pause).isBetween(600.0, 680.0);
                // it goes on from what was heard: from there on it is the answer's own audio, once faded in
                long from = resumes.get(i).from().toNanos() * 48 / 1_000_000;
                long heardAtHold = holds.get(i).heard().toNanos() * 48 / 1_000_000;
                assertThat(from).isBetween(heardAtHold - 6, heardAtHold);
                int start = runs.get(i + 1)[0];
                for (int j = 0; j < 48 * 10; j++) {
                    assertThat(Math.abs(out[start + j + 1] - out[start + j])).as("step at %d after resume %d", j, i + 1)
                            .isLessThan(0.02f);
                }
                for (int j = 48 * 12; j < 48 * 100; j++) {
                    assertThat((double) out[start + j]).as("sample %d after resume %d", j, i + 1)
                            .isCloseTo(whole[(int) from + j], within(tolerance));
                }
            }
            // what was heard: every sample of it once, the pauses between
            double heard = 0;
            for (int[] run : runs) {
                int[] sound = call.trimmed(run);
                heard += call.millis(sound[1] - sound[0]);
            }
            assertThat(heard).isCloseTo(2_000, within(30.0));
            // the turn's times are the listener's: from its first frame to the end of its last sound
            assertThat(ms(answer.from())).isCloseTo(call.millis(runs.get(0)[0]), within(1.0));
            assertThat(ms(answer.to())).isCloseTo(call.millis(call.trimmed(runs.get(2))[1]), within(25.0));
        }
    }

    @Test
    void whatTheFarEndHeldWhenFlushedIsNotHeardAndAResumePlaysItAgain() {
        // a phone provider holds 100 ms of what was sent and drops it at the clear; here nothing drops it, so
        // the listener of the emitted frames hears those 100 ms twice, which shows where the resume went on
        long farEnd = 100 * 48;
        try (SimulatedCall plain = new SimulatedCall(AgentOptions.builder().fadeOut(Duration.ZERO));
             SimulatedCall phone = new SimulatedCall(AgentOptions.builder().fadeOut(Duration.ZERO)
                     .farEndBuffer(Duration.ofMillis(100)))) {
            plain.feed(blips().pcm());
            phone.feed(blips().pcm());
            List<AgentEvent.AnswerHeld> plainHolds = plain.events(AgentEvent.AnswerHeld.class);
            List<AgentEvent.AnswerHeld> phoneHolds = phone.events(AgentEvent.AnswerHeld.class);
            assertThat(phoneHolds).hasSize(2);
            for (int i = 0; i < 2; i++) {
                long heardPlain = plainHolds.get(i).heard().toNanos() * 48 / 1_000_000;
                long heardPhone = phoneHolds.get(i).heard().toNanos() * 48 / 1_000_000;
                assertThat(heardPhone).as("hold %d", i + 1).isEqualTo(heardPlain - (i + 1) * farEnd);
                assertThat(phone.events(AgentEvent.AnswerResumed.class).get(i).from()).isEqualTo(phoneHolds.get(i).heard());
            }
            AgentTurn answer = phone.agent.timeline().agentTurns().get(0);
            assertThat(answer.ending()).isEqualTo(AnswerEnding.PLAYED);
            assertThat(answer.heardSamples()).isEqualTo(answer.lengthSamples()).isEqualTo(2_000 * 48);
            long emitted = 0;
            for (int[] run : phone.talkRuns()) {
                int[] sound = phone.trimmed(run);
                emitted += sound[1] - sound[0];
            }
            assertThat(emitted).isCloseTo(2_000 * 48 + 2 * farEnd, within(48L));
        }
        // a barge-in: the heard part leaves out what the far end held
        try (SimulatedCall plain = new SimulatedCall(AgentOptions.builder().fadeOut(Duration.ZERO));
             SimulatedCall phone = new SimulatedCall(AgentOptions.builder().fadeOut(Duration.ZERO)
                     .farEndBuffer(Duration.ofMillis(100)))) {
            plain.feed(overlap(700, 800).pcm());
            phone.feed(overlap(700, 800).pcm());
            AgentTurn cutPlain = plain.agent.timeline().agentTurns().get(0);
            AgentTurn cutPhone = phone.agent.timeline().agentTurns().get(0);
            assertThat(cutPhone.ending()).isEqualTo(AnswerEnding.BARGED_IN);
            assertThat(cutPhone.heardSamples()).isEqualTo(cutPlain.heardSamples() - farEnd);
        }
    }

    @Test
    void speechInAnAnswersLastTenMillisecondsLetsItEndPlayed() {
        // speech starting ever later over a 410 ms answer (405 ms of tone, recorded to its last 10 ms window):
        // when only its last, partial frame (10 ms) is left, the flush's 10 ms fade is all of it, so it is not
        // held but plays out, and neither a blip (120 ms) nor speech that would be a barge-in (400 ms) cuts it
        for (int speech : new int[] {120, 400}) {
            boolean fadedOut = false;
            for (int offset = 300; offset <= 440; offset += 5) {
                Signals caller = new Signals(RATE).silence(200).tone(405, 440, -20).silence(520 + offset)
                        .tone(speech, 880, -15).silence(1_500);
                try (SimulatedCall call = new SimulatedCall()) {
                    call.feed(caller.pcm());
                    AgentTurn answer = call.agent.timeline().agentTurns().get(0);
                    String what = speech + " ms at " + offset + " ms";
                    assertThat(answer.lengthSamples()).as(what).isEqualTo(410 * 48);
                    boolean held = !call.events(AgentEvent.AnswerHeld.class).isEmpty();
                    if (held && speech == 400) {
                        assertThat(answer.ending()).as(what).isEqualTo(AnswerEnding.BARGED_IN);
                        assertThat(answer.heardSamples()).as(what).isLessThan(answer.lengthSamples());
                        assertThat(call.agent.timeline().bargeIns()).as(what).isOne();
                        continue;
                    }
                    // not held (played out, or faded out by the flush), or held by a blip and resumed
                    assertThat(answer.ending()).as(what).isEqualTo(AnswerEnding.PLAYED);
                    assertThat(answer.heardSamples()).as(what).isEqualTo(answer.lengthSamples());
                    assertThat(call.agent.timeline().bargeIns()).as(what).isZero();
                    assertThat(call.events(AgentEvent.AnswerResumed.class)).as(what).hasSize(held ? 1 : 0);
                    if (speech == 400) {
                        assertThat(call.agent.timeline().callerTurns().get(1).bargedIn()).as(what).isFalse();
                    }
                    if (!held && call.agent.track().stats().flushes() == 1) {
                        fadedOut = true;
                    }
                }
            }
            assertThat(fadedOut).as("speech of %d ms met the answer's last 10 ms at some offset", speech).isTrue();
        }
    }

    @Test
    void aHoldIsLetGoWhenTheCallersAudioStopsComingAndOnlyTicksDo() {
        Signals caller = new Signals(RATE).silence(200).tone(2_000, 440, -20).silence(900).tone(100, 880, -15);
        try (SimulatedCall call = new SimulatedCall()) {
            call.feed(caller.pcm());
            assertThat(call.events(AgentEvent.AnswerHeld.class)).hasSize(1);
            for (int i = 0; i < 150; i++) { // the transport stops delivering caller audio and ticks every 20 ms
                call.clock.advance(Duration.ofMillis(20));
                call.scheduler.runDue();
                call.agent.tick();
            }
            AgentEvent.AnswerHeld held = call.events(AgentEvent.AnswerHeld.class).get(0);
            assertThat(call.events(AgentEvent.AnswerResumed.class)).singleElement().satisfies(r -> {
                // held in the blip's first chunk; let go 500 ms (endSilence) after its last one (100 ms of
                // audio), at the next tick
                assertThat(ms(r.at()) - ms(held.at())).isBetween(580.0, 640.0);
                assertThat(r.from()).isEqualTo(held.heard());
            });
            AgentTurn answer = call.agent.timeline().agentTurns().get(0);
            assertThat(answer.ending()).isEqualTo(AnswerEnding.PLAYED);
            assertThat(answer.heardSamples()).isEqualTo(answer.lengthSamples()).isEqualTo(2_000 * 48);
            assertThat(call.agent.isSpeaking()).isFalse();
        }
    }

    @Test
    void closingWhileHeldEndsTheAnswerWithWhatWasHeard() {
        Signals caller = new Signals(RATE).silence(200).tone(2_000, 440, -20).silence(900).tone(60, 880, -15);
        try (SimulatedCall call = new SimulatedCall()) {
            call.feed(caller.pcm());
            assertThat(call.events(AgentEvent.AnswerHeld.class)).hasSize(1);
            assertThat(call.agent.isSpeaking()).isTrue();
            call.agent.close();
            AgentTurn answer = call.agent.timeline().agentTurns().get(0);
            assertThat(answer.ending()).isEqualTo(AnswerEnding.CLOSED);
            assertThat(answer.heard()).isEqualTo(call.events(AgentEvent.AnswerHeld.class).get(0).heard());
            assertThat(ms(answer.heard())).isCloseTo(420, within(30.0));
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
