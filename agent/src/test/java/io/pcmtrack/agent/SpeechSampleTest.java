package io.pcmtrack.agent;

import static io.pcmtrack.agent.ParrotAgentTest.ms;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import io.pcmtrack.PcmData;
import io.pcmtrack.io.WavReader;
import org.junit.jupiter.api.Test;

/**
 * The project's speech sample (espeak-ng, 22.05 kHz, three sentences) through the agent. Its
 * sentence pauses are about 320 ms, shorter than the 500 ms that ends an utterance: played as it
 * is, it is one utterance; a polite caller who waits for each answer before the next sentence
 * gets three. Expected extents are found here independently: windows above the -50 dBFS
 * absolute minimum (the sample's pauses are dither at -96 dBFS, so the floor plays no part).
 */
class SpeechSampleTest {
    // The sample lives with the command line; the agent has no dependency on it, so it is read from there.
    private static final Path SAMPLE = Path.of("..", "cli", "src", "main", "resources", "io", "pcmtrack", "cli",
            "speech-22k.wav");
    private static final int RATE = 22_050;
    private static final int WINDOW = RATE / 100;

    @Test
    void theWholeSampleIsOneUtteranceAndComesBackWhole() throws IOException {
        float[] speech = sample();
        try (SimulatedCall call = new SimulatedCall()) {
            call.feed(PcmData.ofFloats(RATE, 1, speech));
            call.feed(new Signals(RATE).silence(12_000).pcm());
            Timeline t = call.agent.timeline();
            int[] extent = speechExtent(speech, 0, speech.length);
            assertThat(t.utterances()).isEqualTo(1);
            assertThat(ms(t.callerTurns().get(0).duration())).isCloseTo(millis(extent), within(30.0));
            assertAnsweredAsSpoken(call, 0, speech, extent);
        }
    }

    @Test
    void aShorterEndSilenceSplitsTheSampleAtItsSentencePauses() throws IOException {
        float[] speech = sample();
        VadOptions quick = VadOptions.builder().endSilence(java.time.Duration.ofMillis(250)).build();
        try (SimulatedCall call = new SimulatedCall(AgentOptions.builder().vad(quick))) {
            call.feed(PcmData.ofFloats(RATE, 1, speech));
            call.feed(new Signals(RATE).silence(12_000).pcm());
            Timeline t = call.agent.timeline();
            assertThat(t.utterances()).isEqualTo(sentences(speech).size());
            // the caller did not wait: the answers to the first two sentences were cut by the next ones
            assertThat(t.agentTurns()).extracting(AgentTurn::ending).containsExactly(AnswerEnding.BARGED_IN,
                    AnswerEnding.BARGED_IN, AnswerEnding.PLAYED);
        }
    }

    @Test
    void aPoliteCallerGetsEachSentenceBack() throws IOException {
        float[] speech = sample();
        List<int[]> sentences = sentences(speech);
        assertThat(sentences).as("the sample's sentences, split at pauses of 250 ms or more").hasSize(3);
        try (SimulatedCall call = new SimulatedCall()) {
            for (int[] s : sentences) {
                call.feed(PcmData.ofFloats(RATE, 1, Arrays.copyOfRange(speech, s[0], s[1])));
                int waited = 0;
                do { // wait for the answer, then a little more, before the next sentence
                    call.feed(new Signals(RATE).silence(20).pcm());
                    waited += 20;
                } while (call.agent.isSpeaking() || call.agent.isCallerSpeaking() || waited < 600);
                call.feed(new Signals(RATE).silence(300).pcm());
            }
            Timeline t = call.agent.timeline();
            assertThat(t.utterances()).isEqualTo(3);
            assertThat(t.bargeIns()).isZero();
            for (int i = 0; i < 3; i++) {
                int[] extent = speechExtent(speech, sentences.get(i)[0], sentences.get(i)[1]);
                assertThat(ms(t.callerTurns().get(i).duration())).as("sentence %d", i + 1)
                        .isCloseTo(millis(extent), within(30.0));
                assertAnsweredAsSpoken(call, i, speech, extent);
            }
        }
    }

    /** Answer {@code i} lasts as long as the speech extent and has its level. */
    private static void assertAnsweredAsSpoken(SimulatedCall call, int i, float[] speech, int[] extent) {
        AgentTurn answer = call.agent.timeline().agentTurns().get(i);
        assertThat(answer.ending()).isEqualTo(AnswerEnding.PLAYED);
        int[] run = call.trimmed(call.talkRuns().get(i));
        assertThat(call.millis(run[1] - run[0])).as("answer %d duration", i + 1).isCloseTo(millis(extent), within(30.0));
        double spoken = Signals.rmsDbfs(speech, extent[0], extent[1]);
        assertThat(Signals.rmsDbfs(call.output(), run[0], run[1])).as("answer %d level", i + 1)
                .isCloseTo(spoken, within(0.5));
        assertThat(ms(answer.responseDelay())).isBetween(500.0, 550.0);
    }

    private static float[] sample() throws IOException {
        PcmData pcm = WavReader.read(SAMPLE);
        assertThat(pcm.format().sampleRate()).isEqualTo(RATE);
        return pcm.toFloats();
    }

    private static double level(float[] v, int window) {
        return Signals.rmsDbfs(v, window * WINDOW, (window + 1) * WINDOW);
    }

    /** Pieces of the sample between pauses of at least 250 ms below -60 dBFS, cut in the middle of each pause. */
    private static List<int[]> sentences(float[] v) {
        List<int[]> pieces = new ArrayList<>();
        int windows = v.length / WINDOW;
        int start = 0;
        int quiet = 0;
        for (int w = 0; w < windows; w++) {
            if (level(v, w) < -60) {
                quiet++;
                continue;
            }
            if (quiet >= 25 && w - quiet > 0) {
                int cut = (w - quiet / 2) * WINDOW;
                pieces.add(new int[] {start, cut});
                start = cut;
            }
            quiet = 0;
        }
        pieces.add(new int[] {start, v.length});
        return pieces;
    }

    /** From the first to the end of the last window at or above -50 dBFS, in sample indices. */
    private static int[] speechExtent(float[] v, int from, int to) {
        int first = -1;
        int last = -1;
        for (int w = from / WINDOW; (w + 1) * WINDOW <= to; w++) {
            if (level(v, w) >= -50) {
                if (first < 0) {
                    first = w;
                }
                last = w;
            }
        }
        return new int[] {first * WINDOW, (last + 1) * WINDOW};
    }

    private static double millis(int[] extent) {
        return (extent[1] - extent[0]) * 1000.0 / RATE;
    }
}
