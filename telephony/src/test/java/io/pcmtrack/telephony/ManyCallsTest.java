package io.pcmtrack.telephony;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import io.pcmtrack.FrameScheduler;
import io.pcmtrack.PcmData;
import io.pcmtrack.VirtualClock;
import org.junit.jupiter.api.Test;

/** Many calls paced by one scheduler: each provider keeps its lead, none hears another's audio. */
class ManyCallsTest {

    @Test
    void fiveHundredCallsOnOneSchedulerEachKeepTheirLeadAndTheirOwnAudio() {
        VirtualClock clock = new VirtualClock();
        FrameScheduler scheduler = FrameScheduler.manual(clock);
        List<PhoneCall> calls = new ArrayList<>();
        TwilioEndpoint twilio = new TwilioEndpoint(CallOptions.of(scheduler).lead(Duration.ofMillis(60)), calls::add);
        List<ProviderSimulator> providers = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            AtomicReference<ProviderSimulator> peer = new AtomicReference<>();
            MessageHandler h = twilio.open(new MessageSocket() {
                @Override
                public void sendText(String text) {
                    peer.get().onServerText(text);
                }

                @Override
                public void sendBinary(byte[] data) {
                }

                @Override
                public void close(int code, String reason) {
                }

                @Override
                public String peer() {
                    return "simulator";
                }
            });
            ProviderSimulator p = new ProviderSimulator(h::onText, "MZ" + i);
            peer.set(p);
            p.connect("CA" + i, "n", Integer.toString(i));
            providers.add(p);
            clock.advance(Duration.ofNanos(40_000)); // calls start at different instants
        }
        for (int i = 0; i < 500; i++) {
            short[] level = new short[800];
            java.util.Arrays.fill(level, (short) (16 * (i + 1)));
            calls.get(i).track().write(PcmData.ofShorts(8000, 1, level), true);
        }
        for (int t = 0; t < 100; t++) {
            scheduler.runDue();
            for (ProviderSimulator p : providers) {
                p.play();
            }
            clock.advance(Duration.ofMillis(20));
        }
        assertThat(scheduler.stats().tracksAttached()).isEqualTo(500);
        for (int i = 0; i < 500; i++) {
            ProviderSimulator p = providers.get(i);
            assertThat(p.underrunsAfterStart()).as("call %d", i).isZero();
            short expected = G711.ulawDecode(G711.ulawEncode((short) (16 * (i + 1))));
            short[] heard = p.heard();
            long own = java.util.stream.IntStream.range(0, heard.length).filter(k -> heard[k] != 0).count();
            assertThat(own).as("call %d", i).isEqualTo(800);
            assertThat(java.util.stream.IntStream.range(0, heard.length).filter(k -> heard[k] != 0)
                    .allMatch(k -> heard[k] == expected)).as("call %d hears only its own audio", i).isTrue();
        }
    }
}
