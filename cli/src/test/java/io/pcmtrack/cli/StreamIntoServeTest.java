package io.pcmtrack.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.pcmtrack.PcmData;
import io.pcmtrack.TrackEndedException;
import io.pcmtrack.server.PcmTrackServer;
import io.pcmtrack.server.WhipPublication;
import io.pcmtrack.webrtc.Signals;
import io.pcmtrack.webrtc.WebRtcNative;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** pcmtrack's own WHIP client ({@code stream --to whip:}) publishing into pcmtrack's own WHIP endpoint. */
class StreamIntoServeTest {
    @BeforeAll
    static void nativeLibrary() {
        WebRtcNative.ensureAvailable();
    }

    @Test
    void streamPublishesIntoTheServersWhipEndpointWhichHandsTheAudioToTheApplication() throws Exception {
        CompletableFuture<WhipPublication> published = new CompletableFuture<>();
        CompletableFuture<short[]> received = new CompletableFuture<>();
        try (PcmTrackServer server = PcmTrackServer.builder().port(0).token("tok").whip(p -> {
            published.complete(p);
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            try {
                while (true) {
                    PcmData chunk = p.receiver().read(Duration.ofSeconds(10));
                    if (chunk != null) {
                        all.write(chunk.toBytes());
                    }
                }
            } catch (TrackEndedException e) {
                short[] s = new short[all.size() / 2];
                ByteBuffer.wrap(all.toByteArray()).order(ByteOrder.LITTLE_ENDIAN).asShortBuffer().get(s);
                received.complete(s);
            }
        }).build().start()) {
            long t0 = System.nanoTime();
            CliTest.Run r = CliTest.run("stream", "tone:1000", "--seconds", "2", "--to",
                    "whip:" + server.url() + "/whip/agent", "--token", "tok", "--candidates", "loopback");

            assertThat(r.exit()).as(r.err()).isZero();
            assertThat(published.get(5, TimeUnit.SECONDS).name()).isEqualTo("agent");
            long t1 = System.nanoTime();
            short[] heard = received.get(10, TimeUnit.SECONDS); // the client's DELETE ended the publication
            System.out.printf("stream into serve: %.2f s, the publication ended %.2f s after; %s%n", (t1 - t0) / 1e9, (System.nanoTime() - t1) / 1e9, r.out());
            assertThat(server.sessions()).isZero();
            int first = Signals.firstLoud(heard, 0, heard.length, 4000);
            int last = Signals.lastLoud(heard, 0, heard.length, 4000);
            assertThat(first).as("the tone arrived").isGreaterThanOrEqualTo(0);
            assertThat((last - first) / 48_000.0).as("seconds of tone").isBetween(1.8, 2.4);
            assertThat(Signals.dominantFrequency(heard, first + 4800, last - 4800, 48_000)).isCloseTo(1000, within(10.0));
            assertThat(Signals.sinePeakDbfs(heard, first + 4800, last - 4800)).isCloseTo(20 * Math.log10(0.5), within(1.0));
        }
    }
}
