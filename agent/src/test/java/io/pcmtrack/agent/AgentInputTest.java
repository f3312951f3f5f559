package io.pcmtrack.agent;

import static io.pcmtrack.agent.ParrotAgentTest.ms;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import io.pcmtrack.AudioStreamTrack;
import io.pcmtrack.PcmData;
import io.pcmtrack.PcmFormat;
import io.pcmtrack.SampleFormat;
import io.pcmtrack.VirtualClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Caller audio in any format is heard alike; bad input gets a clear error and changes nothing. */
class AgentInputTest {

    @ParameterizedTest(name = "{0} Hz, {1} channels, {2}")
    @CsvSource({"8000, 1, U8", "11025, 2, S16", "22050, 1, S24", "44100, 3, S32", "48000, 2, F32", "16000, 1, F64",
            "96000, 1, S16"})
    void utterancesAreHeardInAnyFormat(int rate, int channels, SampleFormat sampleFormat) {
        PcmFormat format = new PcmFormat(rate, channels, sampleFormat);
        Signals caller = new Signals(rate).silence(300).tone(600, 300, -20).silence(1_600).tone(900, 300, -26)
                .silence(2_000);
        try (SimulatedCall call = new SimulatedCall()) {
            call.feed(caller.pcm(format), 40);
            Timeline t = call.agent.timeline();
            assertThat(call.agent.callerFormat()).isEqualTo(format);
            assertThat(t.callerTurns()).extracting(c -> ms(c.duration()))
                    .satisfiesExactly(d -> assertThat(d).isCloseTo(600, within(30.0)),
                            d -> assertThat(d).isCloseTo(900, within(30.0)));
            // U8 has 8 bits: its quantization noise is about -50 dBFS, still below a -26 dBFS tone
            assertThat(t.callerTurns().get(1).levelDbfs()).isCloseTo(-26, within(0.5));
            assertThat(t.agentTurns()).hasSize(2).allSatisfy(a -> assertThat(a.ending()).isEqualTo(AnswerEnding.PLAYED));
            assertThat(call.talkRuns()).hasSize(2);
            int[] second = call.trimmed(call.talkRuns().get(1));
            assertThat(call.millis(second[1] - second[0])).isCloseTo(900, within(30.0));
            assertThat(Signals.rmsDbfs(call.output(), second[0], second[1])).isCloseTo(-26, within(0.5));
        }
    }

    @Test
    void nullIsRefusedAndChangesNothing() {
        try (SimulatedCall call = new SimulatedCall()) {
            call.feed(new Signals(16_000).silence(200).tone(500, 440, -20).pcm());
            Map<String, Object> before = call.agent.timeline().toMap();
            assertThatThrownBy(() -> call.agent.accept(null)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("chunk must not be null");
            assertThat(call.agent.timeline().toMap()).isEqualTo(before);
            call.feed(new Signals(16_000).silence(2_000).pcm());
            assertThat(call.agent.timeline().utterances()).isEqualTo(1);
        }
    }

    @Test
    void aChangeOfFormatIsRefusedAndChangesNothing() {
        try (SimulatedCall call = new SimulatedCall()) {
            call.feed(new Signals(16_000).silence(200).tone(300, 440, -20).pcm());
            PcmData other = new Signals(8_000).tone(200, 440, -20).pcm();
            Map<String, Object> before = call.agent.timeline().toMap();
            assertThatThrownBy(() -> call.agent.accept(other)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("16000").hasMessageContaining("8000")
                    .hasMessageContaining("format of the first chunk");
            assertThat(call.agent.timeline().toMap()).isEqualTo(before);
            call.feed(new Signals(16_000).tone(200, 440, -20).silence(2_000).pcm());
            assertThat(call.agent.timeline().callerTurns()).singleElement()
                    .satisfies(c -> assertThat(ms(c.duration())).isCloseTo(500, within(30.0)));
        }
    }

    @Test
    void zeroLengthChunksCarryNoAudioButKeepTheAnswerGoing() {
        try (SimulatedCall call = new SimulatedCall()) {
            PcmData empty = PcmData.ofShorts(16_000, 1, new short[0]);
            call.agent.accept(empty);
            assertThat(call.agent.callerFormat()).isNull();
            call.feed(new Signals(16_000).silence(200).tone(1_000, 440, -20).silence(520).pcm());
            assertThat(call.agent.isSpeaking()).isTrue();
            for (int i = 0; i < 100; i++) { // a transport that only ticks: the answer still plays out whole
                call.clock.advance(Duration.ofMillis(20));
                call.scheduler.runDue();
                if (i % 2 == 0) {
                    call.agent.accept(empty);
                } else {
                    call.agent.tick();
                }
            }
            assertThat(call.agent.timeline().agentTurns()).singleElement().satisfies(a -> {
                assertThat(a.ending()).isEqualTo(AnswerEnding.PLAYED);
                assertThat(ms(a.length())).isCloseTo(1_000, within(30.0));
            });
            assertThat(call.talkRuns()).hasSize(1);
        }
    }

    @Test
    void aListenerMayReadTheAgentButNotFeedIt() {
        try (SimulatedCall call = new SimulatedCall()) {
            AtomicReference<Throwable> refused = new AtomicReference<>();
            List<Long> utterancesSeen = new ArrayList<>();
            call.agent.addListener(e -> {
                utterancesSeen.add(call.agent.timeline().utterances());
                try {
                    call.agent.accept(PcmData.ofShorts(16_000, 1, new short[160]));
                } catch (IllegalStateException ex) {
                    refused.set(ex);
                }
            });
            call.agent.addListener(e -> {
                throw new IllegalStateException("a broken listener");
            });
            call.feed(new Signals(16_000).silence(200).tone(400, 440, -20).silence(2_000).pcm());
            assertThat(refused.get()).hasMessageContaining("accept() was called from an agent listener");
            assertThat(utterancesSeen).contains(1L);
            assertThat(call.agent.timeline().answers()).isEqualTo(1); // the broken listener changed nothing
        }
    }

    @Test
    void speakingIntoATransportsTrackRefusesNullAndStoppedTracks() {
        assertThatThrownBy(() -> ParrotAgent.speakingInto(null, AgentOptions.defaults()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("track must be a live");
        AudioStreamTrack stopped = AudioStreamTrack.create();
        stopped.stop();
        assertThatThrownBy(() -> ParrotAgent.speakingInto(stopped, AgentOptions.defaults()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("stopped");
    }

    @Test
    void aTrackStoppedUnderTheAgentEndsTheAnswerAndLaterAudioIsIgnored() {
        VirtualClock clock = new VirtualClock();
        AudioStreamTrack phoneTrack = AudioStreamTrack.builder().sampleRate(8_000).clock(clock).build();
        ParrotAgent agent = ParrotAgent.speakingInto(phoneTrack, AgentOptions.defaults());
        List<AgentEvent> events = new ArrayList<>();
        agent.addListener(events::add);
        Signals caller = new Signals(8_000).silence(200).tone(800, 440, -20).silence(600);
        feedInChunks(agent, clock, caller.pcm());
        assertThat(agent.isSpeaking()).isTrue();
        phoneTrack.stop(); // the caller hung up
        feedInChunks(agent, clock, new Signals(8_000).tone(500, 440, -20).silence(1_000).pcm());
        assertThat(agent.isSpeaking()).isFalse();
        assertThat(agent.timeline().agentTurns()).singleElement()
                .satisfies(a -> assertThat(a.ending()).isEqualTo(AnswerEnding.CLOSED));
        assertThat(agent.timeline().utterances()).isEqualTo(1);
        agent.close();
        assertThat(events.get(events.size() - 1)).isInstanceOf(AgentEvent.AnswerEnded.class);
    }

    @Test
    void closingFlushesATransportsTrackButLeavesItLive() {
        VirtualClock clock = new VirtualClock();
        AudioStreamTrack phoneTrack = AudioStreamTrack.builder().sampleRate(8_000).clock(clock).build();
        ParrotAgent agent = ParrotAgent.speakingInto(phoneTrack, AgentOptions.defaults());
        feedInChunks(agent, clock, new Signals(8_000).silence(200).tone(800, 440, -20).silence(600).pcm());
        assertThat(phoneTrack.buffered()).isPositive();
        agent.close();
        assertThat(phoneTrack.isLive()).isTrue();
        assertThat(phoneTrack.buffered()).isLessThanOrEqualTo(Duration.ofMillis(10)); // the fade
        assertThat(agent.timeline().agentTurns()).singleElement()
                .satisfies(a -> assertThat(a.ending()).isEqualTo(AnswerEnding.CLOSED));
        long written = phoneTrack.writePosition();
        agent.accept(new Signals(8_000).tone(1_000, 440, -20).silence(1_000).pcm()); // ignored
        assertThat(phoneTrack.writePosition()).isEqualTo(written);
        agent.close(); // idempotent
    }

    @Test
    void theOwnTrackStopsWithTheAgent() {
        ParrotAgent agent = ParrotAgent.create(AgentOptions.builder().clock(new VirtualClock()).build());
        assertThat(agent.track().isLive()).isTrue();
        assertThat(agent.track().format()).isEqualTo(PcmFormat.s16(48_000, 1));
        agent.close();
        assertThat(agent.track().isLive()).isFalse();
    }

    private static void feedInChunks(ParrotAgent agent, VirtualClock clock, PcmData pcm) {
        short[] all = pcm.toShorts();
        int chunk = pcm.format().sampleRate() / 50;
        for (int at = 0; at < all.length; at += chunk) {
            clock.advance(Duration.ofMillis(20));
            agent.accept(PcmData.ofShorts(pcm.format().sampleRate(), 1,
                    java.util.Arrays.copyOfRange(all, at, Math.min(all.length, at + chunk))));
        }
    }
}
