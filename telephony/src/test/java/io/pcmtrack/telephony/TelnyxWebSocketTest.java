package io.pcmtrack.telephony;

import static io.pcmtrack.telephony.TwilioWebSocketTest.waitUntil;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import io.pcmtrack.FrameScheduler;
import io.pcmtrack.MarkOutcome;
import io.pcmtrack.MediaClock;
import io.pcmtrack.PcmData;
import io.pcmtrack.telephony.javawebsocket.JavaWebSocketMediaServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Telnyx over a real WebSocket: PCMU from the caller, PCMA to the caller, marks and clear. */
class TelnyxWebSocketTest {
    private FrameScheduler scheduler;
    private JavaWebSocketMediaServer server;
    private final LinkedBlockingQueue<PhoneCall> calls = new LinkedBlockingQueue<>();

    @BeforeEach
    void startServer() {
        scheduler = new FrameScheduler(MediaClock.system());
        TelnyxEndpoint telnyx = new TelnyxEndpoint(CallOptions.of(scheduler).lead(Duration.ofMillis(60)), PhoneCodec.PCMA,
                8000, calls::add);
        server = new JavaWebSocketMediaServer(new InetSocketAddress("127.0.0.1", 0)).route("/telnyx", telnyx).start();
    }

    @AfterEach
    void stopServer() {
        server.close();
        scheduler.close();
    }

    @Test
    void aTelnyxCallCarriesAlawOutMarksAndABargeIn() throws Exception {
        URI uri = URI.create("ws://127.0.0.1:" + server.port() + "/telnyx");
        try (SimulatedProviderClient sim = new SimulatedProviderClient(uri, "32DE0DEA", PhoneCodec.PCMA).start("v3:call")) {
            sim.callerSilent();
            PhoneCall call = calls.poll(10, TimeUnit.SECONDS);
            assertThat(call.info()).isEqualTo(new CallInfo("telnyx", "v3:call", "32DE0DEA", Map.of("agent", "test")));
            short[] tone = PacingTest.tone(4000);
            call.track().write(PcmData.ofShorts(8000, 1, tone));
            CallMark said = call.mark("said");
            call.track().write(PcmData.ofShorts(8000, 1, PacingTest.tone(40_000)));
            CallMark cut = call.mark("cut");
            assertThat(said.result().get(10, TimeUnit.SECONDS).outcome()).isEqualTo(MarkOutcome.PLAYED);
            call.track().flush();
            assertThat(cut.result().get(5, TimeUnit.SECONDS).outcome()).isEqualTo(MarkOutcome.FLUSHED);
            waitUntil(() -> sim.provider.clears() == 1, Duration.ofSeconds(5));

            short[] heard = sim.provider.heard();
            int start = 0;
            while (Math.abs(heard[start]) <= 8) { // A-law's silence decodes to +-8
                start++;
            }
            for (int i = 0; i < tone.length; i++) {
                assertThat(heard[start + i]).as("sample %d", i).isEqualTo(G711.alawDecode(G711.alawEncode(tone[i])));
            }
            sim.provider.sendStop();
            assertThat(call.ended().get(5, TimeUnit.SECONDS)).isEqualTo("the provider stopped the stream");
        }
    }
}
