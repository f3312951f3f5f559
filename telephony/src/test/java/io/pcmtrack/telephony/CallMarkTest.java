package io.pcmtrack.telephony;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.pcmtrack.MarkOutcome;
import io.pcmtrack.MarkResult;
import io.pcmtrack.PcmData;
import org.junit.jupiter.api.Test;

/** Call marks and barge-in against the simulated provider, in virtual time (lead 100 ms = 800 samples). */
class CallMarkTest {
    private static final int LEAD = 800;

    private static MarkResult result(CallMark m) throws Exception {
        return m.result().get(5, TimeUnit.SECONDS);
    }

    private static PcmData tone(int samples) {
        return PcmData.ofShorts(8000, 1, PacingTest.tone(samples));
    }

    @Test
    void marksResolvePlayedWhenTheProviderHasPlayedTheAudioBeforeThem() throws Exception {
        VirtualCall v = new VirtualCall(Duration.ofMillis(100));
        PhoneCall call = v.call();
        call.track().write(tone(8000));
        CallMark first = call.mark("first");
        call.track().write(tone(4000), true);
        CallMark second = call.mark("second");
        v.ticks(50);
        assertThat(call.stats().marksSent()).isEqualTo(1);
        assertThat(v.provider.echoed()).isEmpty();      // sent after its audio, not yet played by the provider
        v.ticks(110);
        assertThat(result(first)).isEqualTo(new MarkResult("first", 8000, MarkOutcome.PLAYED, 7840));
        assertThat(result(second).outcome()).isEqualTo(MarkOutcome.PLAYED);
        assertThat(second.position()).isEqualTo(12_000);
        // Echoed exactly when the provider's playback passed the mark's audio.
        assertThat(v.provider.echoedAt("first")).isEqualTo(LEAD + 8000);
        assertThat(v.provider.echoedAt("second")).isEqualTo(LEAD + 12_000);
        assertThat(call.stats().marksSent()).isEqualTo(2);
        assertThat(call.stats().markEchoes()).isEqualTo(2);
    }

    @Test
    void aMarkWithNothingPendingIsSentAtOnceAndPlayedAfterTheLead() throws Exception {
        VirtualCall v = new VirtualCall(Duration.ofMillis(100));
        CallMark m = v.call().mark("now");
        assertThat(v.call().stats().marksSent()).isEqualTo(1);
        v.ticks(4);
        assertThat(v.provider.echoed()).isEmpty();
        v.ticks(1);
        assertThat(result(m).outcome()).isEqualTo(MarkOutcome.PLAYED);
        assertThat(v.provider.echoedAt("now")).isEqualTo(LEAD);
    }

    @Test
    void bargeInClearsTheProviderAtOnceAndSettlesEveryMark() throws Exception {
        VirtualCall v = new VirtualCall(Duration.ofMillis(100));
        PhoneCall call = v.call();
        call.track().write(tone(8000));
        CallMark played = call.mark("played");       // at 1.0 s
        call.track().write(tone(1200));
        CallMark inFlight = call.mark("in-flight");  // at 1.15 s
        call.track().write(tone(16_000));
        CallMark unsent = call.mark("unsent");       // at 3.15 s
        v.ticks(61);                                 // 1.22 s of audio sent; the provider played 1.12 s
        assertThat(result(played).outcome()).isEqualTo(MarkOutcome.PLAYED);
        assertThat(inFlight.result()).isNotDone();
        long heardBefore = v.provider.playedSamples();

        call.track().flush();                        // barge-in, between two frames
        assertThat(v.provider.clears()).isEqualTo(1);   // sent at once, from the flushing thread
        assertThat(result(inFlight)).isEqualTo(new MarkResult("in-flight", 9200, MarkOutcome.FLUSHED, -1));
        assertThat(result(unsent)).isEqualTo(new MarkResult("unsent", 25_200, MarkOutcome.FLUSHED, -1));
        assertThat(v.provider.echoed()).containsExactly("played", "in-flight"); // "unsent" never went out
        v.ticks(20);
        short[] heard = v.provider.heard();
        for (int i = (int) heardBefore; i < heard.length; i++) {
            assertThat(heard[i]).as("sample %d, after the clear", i).isZero();
        }
        assertThat(call.stats().clearsSent()).isEqualTo(1);
    }

    @Test
    void afterABargeInTheNextUtteranceAndItsMarkPlayBehindARebuiltLead() throws Exception {
        VirtualCall v = new VirtualCall(Duration.ofMillis(100));
        PhoneCall call = v.call();
        call.track().write(tone(16_000));
        v.ticks(20);
        call.track().flush();
        call.track().write(tone(800), true);
        CallMark answer = call.mark("answer");
        v.ticks(40);
        assertThat(result(answer).outcome()).isEqualTo(MarkOutcome.PLAYED);
        assertThat(v.provider.underrunsAfterStart()).isZero();
        // The lead was rebuilt at the first silent frame after the answer: the provider holds it again.
        assertThat(v.provider.queuedSamples()).isEqualTo(LEAD);
    }

    @Test
    void aFadedFlushPlaysTheFadeAfterTheClearAndAMarkAfterItIsPlayed() throws Exception {
        VirtualCall v = new VirtualCall(Duration.ofMillis(100));
        PhoneCall call = v.call();
        call.track().write(tone(16_000));
        v.ticks(20);
        long heardBefore = v.provider.playedSamples();
        call.track().flush(Duration.ofMillis(40));
        CallMark after = call.mark("after-fade");
        v.ticks(20);
        assertThat(result(after).outcome()).isEqualTo(MarkOutcome.PLAYED);
        short[] heard = v.provider.heard();
        // The 40 ms fade follows the clear at once and ends near zero; then silence.
        int start = (int) heardBefore;
        assertThat(Math.abs(heard[start])).isGreaterThan(1000);
        for (int i = start + 320; i < heard.length; i++) {
            assertThat(heard[i]).as("sample %d, after the fade", i).isZero();
        }
        for (int i = start + 300; i < start + 320; i++) {
            assertThat(Math.abs(heard[i])).as("sample %d, the fade's end", i).isLessThan(200);
        }
    }

    @Test
    void marksOfAProviderThatNeverEchoesAreCountedOverdueAndEndWithTheCall() throws Exception {
        VirtualCall v = new VirtualCall(Duration.ofMillis(100));
        v.provider.neverEchoMarks();
        PhoneCall call = v.call();
        call.track().write(tone(800));
        CallMark m = call.mark("lost");
        v.ticks(Math.toIntExact(Duration.ofSeconds(11).toMillis() / 20));
        assertThat(call.stats().overdueMarks()).isEqualTo(1);
        assertThat(call.stats().markEchoes()).isZero();
        assertThat(call.isLive()).isTrue();
        call.hangup();
        assertThat(result(m)).isEqualTo(new MarkResult("lost", 800, MarkOutcome.ENDED, -1));
    }

    @Test
    void marksPendingWhenTheProviderStopsResolveEnded() throws Exception {
        VirtualCall v = new VirtualCall(Duration.ofMillis(100));
        PhoneCall call = v.call();
        call.track().write(tone(8000));
        CallMark sent = call.mark("sent");
        call.track().write(tone(8000));
        CallMark waiting = call.mark("waiting");
        v.ticks(50);                                 // "sent" went out after its audio; the provider has not reached it
        assertThat(v.call().stats().marksSent()).isEqualTo(1);
        v.provider.sendStop();
        assertThat(result(sent).outcome()).isEqualTo(MarkOutcome.ENDED);
        assertThat(result(waiting).outcome()).isEqualTo(MarkOutcome.ENDED);
    }
}
