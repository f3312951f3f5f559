package io.pcmtrack.webrtc;

import java.time.Duration;

import io.pcmtrack.AudioStreamTrack;
import io.pcmtrack.PcmData;

/**
 * Run in a child JVM by {@link ProcessLifecycleTest}: {@code call} sets up a loopback call, streams
 * half a second of tone through it, tears it down and returns from {@code main}, after which the
 * JVM must exit by itself; {@code open} only tries to open a call and prints the exception (for a
 * class path without the native library).
 */
public final class LoopbackExitMain {
    static final String DONE = "loopback-exit-main: done";

    private LoopbackExitMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("open")) {
            for (int i = 0; i < 2; i++) {
                try (LoopbackCall call = LoopbackCall.open()) {
                    System.out.println("opened a call in " + call.setupTime().toMillis() + " ms: unexpected");
                } catch (WebRtcUnavailableException e) {
                    System.out.println("attempt " + i + ": " + e.getClass().getSimpleName() + ": " + e.getMessage());
                }
            }
            System.out.println(DONE);
            return;
        }
        long received = 0;
        try (LoopbackCall call = LoopbackCall.open();
             AudioStreamTrack track = AudioStreamTrack.create()) {
            track.write(PcmData.ofShorts(48_000, 1, Signals.tone(48_000, 1, 1000, -6, 0, 24_000)), true);
            call.publish(track);
            long deadline = System.nanoTime() + 3_000_000_000L;
            while (received < 24_000 && System.nanoTime() < deadline) {
                PcmData pcm = call.receiver().read(Duration.ofMillis(100));
                if (pcm != null && Signals.firstLoud(pcm.toShorts(), 0, pcm.samplesPerChannel(), 4000) >= 0) {
                    received += pcm.samplesPerChannel();
                }
            }
        }
        System.out.println(DONE + ", loud samples received: " + received);
    }
}
