package io.pcmtrack.server;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

import io.pcmtrack.AudioStreamTrack;
import io.pcmtrack.PcmData;

/**
 * The server side of {@link BrowserLatencyProbe}, in its own JVM inside the namespace: track
 * {@code probe} is silent until a {@code beep} line on stdin writes 3 s of a 1 kHz tone into it
 * (printing {@code WROTE epochNanos} just before the write); {@code flush} flushes it (printing
 * {@code FLUSHED epochNanos} just before). Ends when stdin closes.
 */
public final class LatencyTestServer {
    private LatencyTestServer() {
    }

    public static void main(String[] args) throws Exception {
        AudioStreamTrack probe = AudioStreamTrack.create();
        float[] tone = new float[48_000 * 3];
        for (int i = 0; i < tone.length; i++) {
            tone[i] = (float) (0.5 * Math.sin(2 * Math.PI * 1000 * i / 48_000.0));
        }
        PcmData beep = PcmData.ofFloats(48_000, 1, tone);
        try (PcmTrackServer server = PcmTrackServer.builder().port(0).track("probe", probe).build().start()) {
            System.out.println("PORT " + server.port());
            System.out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            for (String line; (line = in.readLine()) != null; ) {
                if (line.equals("beep")) {
                    long t = epochNanos();
                    probe.write(beep);
                    System.out.println("WROTE " + t);
                } else if (line.equals("flush")) {
                    long t = epochNanos();
                    probe.flush();
                    System.out.println("FLUSHED " + t);
                }
                System.out.flush();
            }
        }
        probe.close();
        System.exit(0);
    }

    static long epochNanos() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }
}
