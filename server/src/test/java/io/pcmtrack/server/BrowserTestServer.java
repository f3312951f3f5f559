package io.pcmtrack.server;

import java.time.Duration;
import java.util.Locale;

import io.pcmtrack.AudioStreamTrack;

/**
 * The server the browser tests talk to, in its own JVM inside the test's network namespace:
 * track {@code tone} is a 1 kHz sine at amplitude 0.5 (-9.03 dBFS RMS); each WHIP publication's
 * audio is measured after 1 s and reported as {@code WHIP NAME FREQUENCY DBFS}. Ends when its
 * stdin closes, ending every session.
 */
public final class BrowserTestServer {
    private BrowserTestServer() {
    }

    public static void main(String[] args) throws Exception {
        AudioStreamTrack tone = AudioStreamTrack.create();
        ToneFeeder feeder = new ToneFeeder(tone, 1000, 0.5);
        PcmTrackServer server = PcmTrackServer.builder().port(0).track("tone", tone).whip(p -> {
            float[] heard = WhepWhipEndpointTest.record(p.receiver(), Duration.ofSeconds(1), Duration.ofMillis(1500));
            System.out.printf(Locale.ROOT, "WHIP %s %.3f %.3f%n", p.name(), Tones.frequency(heard, p.receiver().format().sampleRate()),
                    Tones.rmsDbfs(heard));
            System.out.flush();
        }).build().start();
        System.out.println("PORT " + server.port());
        System.out.flush();
        while (System.in.read() != -1) {
            // runs until the test closes our stdin
        }
        server.close();
        feeder.close();
        tone.close();
        System.out.println("CLOSED");
        System.out.flush();
        System.exit(0);
    }
}
