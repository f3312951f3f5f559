package io.pcmtrack.telephony;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pcmtrack.FrameScheduler;
import io.pcmtrack.PcmData;
import io.pcmtrack.VirtualClock;
import org.junit.jupiter.api.Test;

/** Telnyx and Vonage on the same core: their event names, codecs per direction and framing. */
class TelnyxVonageTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final VirtualClock clock = new VirtualClock();
    private final FrameScheduler scheduler = FrameScheduler.manual(clock);
    private final List<PhoneCall> calls = new ArrayList<>();

    private static String telnyxStart(String encoding, int rate) {
        return "{\"event\":\"start\",\"sequence_number\":\"1\",\"start\":{\"user_id\":\"u\",\"call_control_id\":\"v3:abc\","
                + "\"client_state\":\"c3RhdGU=\",\"media_format\":{\"encoding\":\"" + encoding + "\",\"sample_rate\":" + rate
                + ",\"channels\":1}},\"stream_id\":\"32DE0DEA\"}";
    }

    private void runFor(Duration d) {
        for (long t = 0; t < d.toMillis(); t += 20) {
            scheduler.runDue();
            clock.advance(Duration.ofMillis(20));
        }
    }

    @Test
    void telnyxTakesPcmuInAndSendsPcmaOutWithItsFieldNames() throws Exception {
        TelnyxEndpoint telnyx = new TelnyxEndpoint(CallOptions.of(scheduler).lead(Duration.ZERO), PhoneCodec.PCMA, 8000,
                calls::add);
        WireCapture wire = new WireCapture();
        MessageHandler h = telnyx.open(wire);
        h.onText("{\"event\":\"connected\",\"version\":\"1.0.0\"}");
        h.onText(telnyxStart("PCMU", 8000));
        PhoneCall call = calls.get(0);
        assertThat(call.info()).isEqualTo(new CallInfo("telnyx", "v3:abc", "32DE0DEA", java.util.Map.of("client_state", "c3RhdGU=")));

        byte[] caller = new byte[160];
        java.util.Arrays.fill(caller, G711.ulawEncode((short) 1000));
        h.onText("{\"event\":\"media\",\"sequence_number\":\"2\",\"media\":{\"track\":\"inbound\",\"chunk\":\"1\","
                + "\"timestamp\":\"20\",\"payload\":\"" + Base64.getEncoder().encodeToString(caller) + "\"},\"stream_id\":\"32DE0DEA\"}");
        short[] heard = call.audio().read(Duration.ZERO).toShorts();
        assertThat(heard).hasSize(160).containsOnly(G711.ulawDecode(G711.ulawEncode((short) 1000)));

        short[] tone = PacingTest.tone(160);
        call.track().write(PcmData.ofShorts(8000, 1, tone));
        runFor(Duration.ofMillis(20));
        JsonNode media = JSON.readTree(wire.texts.get(0));
        assertThat(media.path("event").asText()).isEqualTo("media");
        assertThat(media.has("stream_id")).isFalse();
        assertThat(media.has("streamSid")).isFalse();
        byte[] payload = Base64.getDecoder().decode(media.path("media").path("payload").asText());
        for (int i = 0; i < 160; i++) {
            assertThat(payload[i]).isEqualTo(G711.alawEncode(tone[i]));
        }
        h.onText("{\"event\":\"dtmf\",\"sequence_number\":\"3\",\"stream_id\":\"32DE0DEA\",\"dtmf\":{\"digit\":\"7\"}}");
        h.onText("{\"event\":\"error\",\"sequence_number\":\"4\",\"payload\":{\"code\":100002,\"title\":\"Unknown error\"}}");
        h.onText("{\"event\":\"stop\",\"sequence_number\":\"5\",\"stop\":{\"call_control_id\":\"v3:abc\"},\"stream_id\":\"32DE0DEA\"}");
        assertThat(call.stats().dtmfReceived()).isEqualTo(1);
        assertThat(call.stats().providerErrors()).isEqualTo(1);
        assertThat(call.isLive()).isFalse();
    }

    @Test
    void telnyxL16IsBigEndianAtSixteenKilohertz() throws Exception {
        TelnyxEndpoint telnyx = new TelnyxEndpoint(CallOptions.of(scheduler).lead(Duration.ZERO), PhoneCodec.L16, 16_000,
                calls::add);
        WireCapture wire = new WireCapture();
        MessageHandler h = telnyx.open(wire);
        h.onText(telnyxStart("L16", 16_000));
        PhoneCall call = calls.get(0);
        assertThat(call.track().format().sampleRate()).isEqualTo(16_000);
        h.onText("{\"event\":\"media\",\"sequence_number\":\"2\",\"media\":{\"track\":\"inbound\",\"payload\":\""
                + Base64.getEncoder().encodeToString(new byte[] {0x12, 0x34, (byte) 0xFF, (byte) 0xFE}) + "\"}}");
        assertThat(call.audio().read(Duration.ZERO).toShorts()).containsExactly((short) 0x1234, (short) -2);
        call.track().write(PcmData.ofShorts(16_000, 1, new short[] {0x0102, -3}));
        call.track().write(PcmData.ofShorts(16_000, 1, new short[318]), true);
        runFor(Duration.ofMillis(20));
        byte[] payload = Base64.getDecoder().decode(JSON.readTree(wire.texts.get(0)).path("media").path("payload").asText());
        assertThat(payload).hasSize(640);
        assertThat(java.util.Arrays.copyOf(payload, 4)).containsExactly(0x01, 0x02, 0xFF, 0xFD);
    }

    @Test
    void vonageTakesBinaryL16FramesAndHeadersAndSendsBinaryFrames() throws Exception {
        VonageEndpoint vonage = new VonageEndpoint(CallOptions.of(scheduler).lead(Duration.ofMillis(40)), calls::add);
        WireCapture wire = new WireCapture();
        MessageHandler h = vonage.open(wire);
        h.onText("{\"event\":\"websocket:connected\",\"content-type\":\"audio/l16;rate=16000\",\"uuid\":\"u-1\",\"lang\":\"en\"}");
        PhoneCall call = calls.get(0);
        assertThat(call.info()).isEqualTo(new CallInfo("vonage", "u-1", "", java.util.Map.of("uuid", "u-1", "lang", "en")));
        assertThat(wire.binaries).hasSize(2);           // the 40 ms lead
        assertThat(wire.binaries.get(0)).hasSize(640).containsOnly(0);

        ByteBuffer frame = ByteBuffer.allocate(640);
        frame.put(0, (byte) 0x34).put(1, (byte) 0x12);  // little-endian 0x1234
        h.onBinary(frame);
        short[] heard = call.audio().read(Duration.ZERO).toShorts();
        assertThat(heard).hasSize(320);
        assertThat(heard[0]).isEqualTo((short) 0x1234);
        h.onBinary(ByteBuffer.allocate(639));
        h.onBinary(ByteBuffer.allocate(320));
        assertThat(call.stats().badAudio()).isEqualTo(2);

        call.track().write(PcmData.ofShorts(16_000, 1, new short[] {0x0102}));
        call.track().write(PcmData.ofShorts(16_000, 1, new short[319]), true);
        runFor(Duration.ofMillis(20));
        byte[] sent = wire.binaries.get(2);
        assertThat(sent).hasSize(640);
        assertThat(sent[0]).isEqualTo((byte) 0x02);
        assertThat(sent[1]).isEqualTo((byte) 0x01);

        h.onText("{\"event\":\"websocket:dtmf\",\"digit\":\"*\",\"duration\":250}");
        assertThat(call.stats().dtmfReceived()).isEqualTo(1);
        h.onClose(1000, "");
        assertThat(call.isLive()).isFalse();
    }

    @Test
    void vonageMarksAreNotifyActionsAndAClearConfirmationFlushesThoseInFlight() throws Exception {
        VonageEndpoint vonage = new VonageEndpoint(CallOptions.of(scheduler).lead(Duration.ZERO), calls::add);
        WireCapture wire = new WireCapture();
        MessageHandler h = vonage.open(wire);
        h.onText("{\"event\":\"websocket:connected\",\"content-type\":\"audio/l16;rate=16000\"}");
        PhoneCall call = calls.get(0);
        call.track().write(PcmData.ofShorts(16_000, 1, new short[320]));
        CallMark played = call.mark("one");
        call.track().write(PcmData.ofShorts(16_000, 1, new short[320]));
        CallMark cleared = call.mark("two");
        call.track().write(PcmData.ofShorts(16_000, 1, new short[3200]));
        runFor(Duration.ofMillis(40));
        assertThat(wire.texts).containsExactly("{\"action\":\"notify\",\"payload\":{\"name\":\"one\"}}",
                "{\"action\":\"notify\",\"payload\":{\"name\":\"two\"}}");
        h.onText("{\"event\":\"websocket:notify\",\"payload\":{\"name\":\"one\"}}");
        assertThat(played.result().get(5, java.util.concurrent.TimeUnit.SECONDS).outcome())
                .isEqualTo(io.pcmtrack.MarkOutcome.PLAYED);
        call.track().flush();
        assertThat(wire.texts.get(2)).isEqualTo("{\"action\":\"clear\"}");
        h.onText("{\"event\":\"websocket:cleared\"}");
        assertThat(cleared.result().get(5, java.util.concurrent.TimeUnit.SECONDS).outcome())
                .isEqualTo(io.pcmtrack.MarkOutcome.FLUSHED);
    }

    @Test
    void vonageRefusesAnotherContentType() {
        VonageEndpoint vonage = new VonageEndpoint(CallOptions.of(scheduler), calls::add);
        WireCapture wire = new WireCapture();
        MessageHandler h = vonage.open(wire);
        h.onBinary(ByteBuffer.allocate(640));
        h.onText("{\"event\":\"websocket:connected\",\"content-type\":\"audio/opus\"}");
        assertThat(calls).isEmpty();
        assertThat(wire.closes).containsExactly("1003 unsupported content-type");
        assertThat(vonage.stats().faults()).isEqualTo(2);
    }
}
