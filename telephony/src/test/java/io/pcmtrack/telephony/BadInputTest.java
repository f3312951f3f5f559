package io.pcmtrack.telephony;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Base64;

import org.junit.jupiter.api.Test;

/** Every kind of bad input is counted and dropped; the call goes on. */
class BadInputTest {

    private static String media(long seq, String payload) {
        return "{\"event\":\"media\",\"sequenceNumber\":\"" + seq + "\",\"media\":{\"track\":\"inbound\",\"payload\":\""
                + payload + "\"},\"streamSid\":\"MZ\"}";
    }

    private static String ulaw(int samples) {
        return Base64.getEncoder().encodeToString(new byte[samples]);
    }

    @Test
    void malformedJsonIsCountedAndTheCallGoesOn() {
        VirtualCall v = new VirtualCall(Duration.ofMillis(40));
        v.handler.onText("{\"event\":");
        v.handler.onText("[1,2,3]");
        v.handler.onText("{\"no\":\"event\"}");
        v.handler.onText("not json at all");
        assertThat(v.call().stats().malformed()).isEqualTo(4);
        v.ticks(10);
        v.provider.sendCallerFrame(new short[160]);
        assertThat(v.call().stats().mediaReceived()).isEqualTo(1);
        assertThat(v.provider.underrunsAfterStart()).isZero();
        assertThat(v.call().isLive()).isTrue();
    }

    @Test
    void unknownEventsAreCountedAndIgnored() {
        VirtualCall v = new VirtualCall(Duration.ofMillis(40));
        v.handler.onText("{\"event\":\"party\",\"sequenceNumber\":\"2\"}");
        assertThat(v.call().stats().unknownEvents()).isEqualTo(1);
        assertThat(v.call().isLive()).isTrue();
    }

    @Test
    void badBase64AndPayloadsOfNoWholeSampleOrOverASecondAreDropped() {
        VirtualCall v = new VirtualCall(Duration.ofMillis(40));
        v.handler.onText(media(2, "%%%not-base64%%%"));
        v.handler.onText(media(3, ""));
        v.handler.onText(media(4, ulaw(8001)));
        v.handler.onText("{\"event\":\"media\",\"sequenceNumber\":\"5\",\"media\":{\"payload\":7}}");
        v.handler.onText(media(6, ulaw(160)));
        CallStats s = v.call().stats();
        assertThat(s.badAudio()).isEqualTo(4);
        assertThat(s.mediaReceived()).isEqualTo(1);
        assertThat(v.call().audio().stats().samplesReceived()).isEqualTo(160);
    }

    @Test
    void onlyInboundMediaReachesTheReceiverWhateverTheFieldOrder() throws InterruptedException {
        VirtualCall v = new VirtualCall(Duration.ofMillis(40));
        byte[] ulaw = new byte[160];
        java.util.Arrays.fill(ulaw, (byte) 0x80); // mu-law 0x80: the largest positive sample
        String payload = Base64.getEncoder().encodeToString(ulaw);
        // An outbound-track fork is the application's own audio: neither delivered nor counted as bad.
        v.handler.onText("{\"event\":\"media\",\"sequenceNumber\":\"2\",\"media\":{\"track\":\"outbound\",\"payload\":\""
                + payload + "\"}}");
        // Payload before track, the event last, a numeric sequence number, extra fields: all delivered.
        v.handler.onText("{\"streamSid\":\"MZ\",\"media\":{\"payload\":\"" + payload + "\",\"chunk\":\"3\",\"track\":\"inbound\"},"
                + "\"sequenceNumber\":3,\"event\":\"media\"}");
        v.handler.onText("{\"event\":\"media\",\"sequenceNumber\":\"4\",\"media\":{\"payload\":\"" + payload + "\"}}");
        CallStats s = v.call().stats();
        assertThat(s.badAudio()).isZero();
        assertThat(s.malformed()).isZero();
        assertThat(s.outOfOrder()).isZero();
        assertThat(s.mediaReceived()).isEqualTo(2);
        assertThat(v.call().audio().stats().samplesReceived()).isEqualTo(320);
        short[] expected = new short[160];
        G711.ulawDecode(ulaw, 0, expected, 0, 160);
        short[] got = v.call().audio().read(Duration.ZERO).toShorts();
        assertThat(got).containsExactly(expected);
    }

    @Test
    void mediaOutOfOrderIsDroppedAndGapsAreCounted() {
        VirtualCall v = new VirtualCall(Duration.ofMillis(40));
        v.handler.onText(media(5, ulaw(160)));     // 2, 3, 4 missing
        v.handler.onText(media(4, ulaw(160)));     // late: dropped
        v.handler.onText(media(5, ulaw(160)));     // duplicate: dropped
        v.handler.onText(media(6, ulaw(160)));
        v.handler.onText("{\"event\":\"media\",\"sequenceNumber\":\"seven\",\"media\":{\"payload\":\"\"}}");
        CallStats s = v.call().stats();
        assertThat(s.sequenceGaps()).isEqualTo(3);
        assertThat(s.outOfOrder()).isEqualTo(2);
        assertThat(s.malformed()).isEqualTo(1);
        assertThat(s.mediaReceived()).isEqualTo(2);
    }

    @Test
    void messagesOverTheSizeLimitAreDropped() {
        VirtualCall v = new VirtualCall(Duration.ofMillis(40));
        v.handler.onText(media(2, ulaw(60_000)));   // 80 kB of base64, over 64 KiB
        v.handler.onBinary(ByteBuffer.allocate(100));
        CallStats s = v.call().stats();
        assertThat(s.oversized()).isEqualTo(1);
        assertThat(s.malformed()).isEqualTo(1);    // Twilio sends no binary messages
        assertThat(s.mediaReceived()).isZero();
    }

    @Test
    void messagesOverTheRateLimitAreDroppedUntilTheNextSecond() {
        VirtualCall v = new VirtualCall(Duration.ofMillis(40));
        v.clock.advance(Duration.ofSeconds(1));
        for (int i = 0; i < 450; i++) {
            v.handler.onText(media(2 + i, ulaw(160)));
        }
        assertThat(v.call().stats().rateLimited()).isEqualTo(50);
        assertThat(v.call().stats().mediaReceived()).isEqualTo(400);
        v.clock.advance(Duration.ofSeconds(1));
        v.handler.onText(media(1000, ulaw(160)));
        assertThat(v.call().stats().mediaReceived()).isEqualTo(401);
    }

    @Test
    void badDtmfAndUnknownMarkEchoesAreCounted() {
        VirtualCall v = new VirtualCall(Duration.ofMillis(40));
        v.handler.onText("{\"event\":\"dtmf\",\"sequenceNumber\":\"2\",\"dtmf\":{\"digit\":\"xyz\"}}");
        v.handler.onText("{\"event\":\"mark\",\"sequenceNumber\":\"3\",\"mark\":{\"name\":\"never-sent\"}}");
        CallStats s = v.call().stats();
        assertThat(s.malformed()).isEqualTo(1);
        assertThat(s.unknownMarkEchoes()).isEqualTo(1);
        assertThat(s.dtmfReceived()).isZero();
        assertThat(v.endpoint.stats().faults()).isEqualTo(2);
    }

    @Test
    void anUnsupportedMediaFormatClosesTheSocketWithoutACall() {
        java.util.List<String> closes = new java.util.ArrayList<>();
        java.util.List<PhoneCall> calls = new java.util.ArrayList<>();
        TwilioEndpoint endpoint = new TwilioEndpoint(CallOptions.of(io.pcmtrack.FrameScheduler.manual(
                new io.pcmtrack.VirtualClock())), calls::add);
        MessageHandler h = endpoint.open(new RecordingSocket(closes));
        h.onText("{\"event\":\"start\",\"sequenceNumber\":\"1\",\"start\":{\"streamSid\":\"MZ\",\"callSid\":\"CA\","
                + "\"mediaFormat\":{\"encoding\":\"audio/opus\",\"sampleRate\":48000,\"channels\":1}}}");
        assertThat(calls).isEmpty();
        assertThat(closes).containsExactly("1003 unsupported media format");
    }

    @Test
    void aThrowingCallHandlerEndsOnlyItsCall() {
        java.util.List<String> closes = new java.util.ArrayList<>();
        io.pcmtrack.FrameScheduler scheduler = io.pcmtrack.FrameScheduler.manual(new io.pcmtrack.VirtualClock());
        java.util.List<PhoneCall> calls = new java.util.ArrayList<>();
        TwilioEndpoint endpoint = new TwilioEndpoint(CallOptions.of(scheduler), call -> {
            calls.add(call);
            if (call.info().callId().equals("CA-bad")) {
                throw new IllegalStateException("application bug");
            }
        });
        MessageHandler bad = endpoint.open(new RecordingSocket(closes));
        MessageHandler good = endpoint.open(new RecordingSocket(new java.util.ArrayList<>()));
        bad.onText(start("CA-bad"));
        good.onText(start("CA-good"));
        assertThat(closes).containsExactly("1011 call handler failed");
        assertThat(calls.get(0).isLive()).isFalse();
        assertThat(calls.get(1).isLive()).isTrue();
        assertThat(scheduler.stats().tracksAttached()).isEqualTo(1);
        assertThat(endpoint.stats().callsActive()).isEqualTo(1);
    }

    @Test
    void aCallArrivingAfterTheSchedulerClosedIsEndedCleanly() {
        java.util.List<String> closes = new java.util.ArrayList<>();
        io.pcmtrack.FrameScheduler scheduler = io.pcmtrack.FrameScheduler.manual(new io.pcmtrack.VirtualClock());
        java.util.List<PhoneCall> calls = new java.util.ArrayList<>();
        TwilioEndpoint endpoint = new TwilioEndpoint(CallOptions.of(scheduler), calls::add);
        scheduler.close();
        endpoint.open(new RecordingSocket(closes)).onText(start("CA-late"));
        assertThat(calls.get(0).isLive()).isFalse();
        assertThat(closes).containsExactly("1011 cannot start the call's audio");
        assertThat(endpoint.stats().callsActive()).isZero();
    }

    static String start(String callSid) {
        return "{\"event\":\"start\",\"sequenceNumber\":\"1\",\"start\":{\"streamSid\":\"MZ\",\"callSid\":\"" + callSid
                + "\",\"mediaFormat\":{\"encoding\":\"audio/x-mulaw\",\"sampleRate\":8000,\"channels\":1}},\"streamSid\":\"MZ\"}";
    }

    /** A socket that records closes and discards what is sent. */
    record RecordingSocket(java.util.List<String> closes) implements MessageSocket {
        @Override
        public void sendText(String text) {
        }

        @Override
        public void sendBinary(byte[] data) {
        }

        @Override
        public void close(int code, String reason) {
            closes.add(code + " " + reason);
        }

        @Override
        public String peer() {
            return "test";
        }
    }
}
