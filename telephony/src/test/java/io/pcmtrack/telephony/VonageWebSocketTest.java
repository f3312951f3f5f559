package io.pcmtrack.telephony;

import static io.pcmtrack.telephony.TwilioWebSocketTest.waitUntil;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import io.pcmtrack.FrameScheduler;
import io.pcmtrack.MarkOutcome;
import io.pcmtrack.MediaClock;
import io.pcmtrack.PcmData;
import io.pcmtrack.PcmFormat;
import io.pcmtrack.telephony.javawebsocket.JavaWebSocketMediaServer;
import org.java_websocket.client.WebSocketClient;
import org.java_websocket.handshake.ServerHandshake;
import org.junit.jupiter.api.Test;

/** Vonage over a real WebSocket: binary 16 kHz L16 both ways through the adapter, notify echoed. */
class VonageWebSocketTest {

    @Test
    void binaryAudioFlowsBothWaysAndANotifyIsEchoed() throws Exception {
        LinkedBlockingQueue<PhoneCall> calls = new LinkedBlockingQueue<>();
        try (FrameScheduler scheduler = new FrameScheduler(MediaClock.system());
             JavaWebSocketMediaServer server = new JavaWebSocketMediaServer(new InetSocketAddress("127.0.0.1", 0))
                     .route("/vonage", new VonageEndpoint(CallOptions.of(scheduler).lead(Duration.ofMillis(40)), calls::add))
                     .start()) {
            List<byte[]> frames = new CopyOnWriteArrayList<>();
            List<String> texts = new CopyOnWriteArrayList<>();
            CountDownLatch open = new CountDownLatch(1);
            WebSocketClient vonage = new WebSocketClient(URI.create("ws://127.0.0.1:" + server.port() + "/vonage")) {
                @Override
                public void onOpen(ServerHandshake handshake) {
                    open.countDown();
                }

                @Override
                public void onMessage(String message) {
                    texts.add(message);
                    if (message.contains("\"notify\"")) { // echoed at once: this test is about the path, not the timing
                        send("{\"event\":\"websocket:notify\",\"payload\":{\"name\":\"hello\"}}");
                    }
                }

                @Override
                public void onMessage(ByteBuffer bytes) {
                    byte[] b = new byte[bytes.remaining()];
                    bytes.get(b);
                    frames.add(b);
                }

                @Override
                public void onClose(int code, String reason, boolean remote) {
                }

                @Override
                public void onError(Exception ex) {
                }
            };
            vonage.connect();
            assertThat(open.await(10, TimeUnit.SECONDS)).isTrue();
            vonage.send("{\"event\":\"websocket:connected\",\"content-type\":\"audio/l16;rate=16000\",\"uuid\":\"u-9\"}");
            PhoneCall call = calls.poll(10, TimeUnit.SECONDS);
            assertThat(call.audio().format()).isEqualTo(PcmFormat.s16(16_000, 1));

            byte[] callerFrame = new byte[640];
            ByteBuffer.wrap(callerFrame).order(ByteOrder.LITTLE_ENDIAN).putShort(0, (short) 4321);
            vonage.send(callerFrame);
            PcmData heard = call.audio().read(Duration.ofSeconds(5));
            assertThat(heard.toShorts()[0]).isEqualTo((short) 4321);

            short[] speech = new short[320];
            speech[0] = 1234;
            call.track().write(PcmData.ofShorts(16_000, 1, speech));
            CallMark hello = call.mark("hello");
            assertThat(hello.result().get(10, TimeUnit.SECONDS).outcome()).isEqualTo(MarkOutcome.PLAYED);
            waitUntil(() -> frames.size() >= 10, Duration.ofSeconds(5));
            assertThat(frames).allMatch(f -> f.length == 640);
            assertThat(frames.stream().anyMatch(f -> ByteBuffer.wrap(f).order(ByteOrder.LITTLE_ENDIAN).getShort(0) == 1234))
                    .isTrue();
            call.track().flush();
            waitUntil(() -> texts.contains("{\"action\":\"clear\"}"), Duration.ofSeconds(5));
            vonage.closeBlocking();
            assertThat(call.ended().get(5, TimeUnit.SECONDS)).startsWith("socket closed");
        }
    }
}
