package io.pcmtrack.cli.janus;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import io.pcmtrack.AudioStreamTrack;
import io.pcmtrack.PcmData;
import io.pcmtrack.webrtc.CandidatePolicy;
import io.pcmtrack.webrtc.Capture;
import io.pcmtrack.webrtc.Signals;
import io.pcmtrack.webrtc.WhipClient;

/**
 * Times audio through a real SFU, run as a child JVM in the SFU test's network namespace:
 * publishes a track with {@link WhipClient#publish} into Janus, subscribes through Janus's HTTP
 * API in the same process (one clock for both ends), then writes short 1 kHz bursts into the
 * starved track and times each one's arrival at the subscriber. Prints one {@code DELAY ...} line.
 *
 * <p>Arguments: WHIP endpoint, bearer token, Janus API URL, room, number of bursts.
 */
public final class JanusDelayProbe {
    private static final int LOUD = 4000;

    private JanusDelayProbe() {
    }

    public static void main(String[] args) throws Exception {
        int exit = 0; // System.exit below: the factories' linger keeps them warm for the second session
        try {
            run(URI.create(args[0]), args[1], args[2], Long.parseLong(args[3]), Integer.parseInt(args[4]));
        } catch (Exception | AssertionError e) {
            System.out.println("FAILED " + e);
            e.printStackTrace(System.out);
            exit = 1;
        }
        System.out.flush();
        System.exit(exit);
    }

    private static void run(URI whip, String token, String api, long room, int bursts) throws Exception {
        WhipClient.Options options = WhipClient.options().token(token).candidates(CandidatePolicy.LOOPBACK);
        double coldMs;
        // The first session of a JVM also loads libwebrtc and creates its factories: time it apart.
        try (AudioStreamTrack track = AudioStreamTrack.create()) {
            long t0 = System.nanoTime();
            WhipClient client = WhipClient.publish(whip, track, options);
            coldMs = (System.nanoTime() - t0) / 1e6;
            client.close();
        }
        try (AudioStreamTrack track = AudioStreamTrack.create()) {
            long t0 = System.nanoTime();
            try (WhipClient client = WhipClient.publish(whip, track, options)) {
                double publishMs = (System.nanoTime() - t0) / 1e6;
                if (!client.isConnected()) {
                    throw new AssertionError("the second WHIP session is not connected");
                }
                try (JanusSubscriber.Subscription sub = JanusSubscriber.subscribe(api, room);
                     Capture cap = Capture.start(sub.session().receiver(), Duration.ofSeconds(bursts * 2L + 10))) {
                    Thread.sleep(1000); // let the subscriber's jitter buffer settle on silence
                    short[] burst = Signals.tone(48_000, 1, 1000, -6, 0, 48_000 / 5);
                    List<Long> written = new ArrayList<>();
                    for (int i = 0; i < bursts; i++) {
                        while (track.buffered().compareTo(Duration.ZERO) > 0) {
                            Thread.sleep(5);
                        }
                        Thread.sleep(600);
                        written.add(System.nanoTime());
                        track.write(PcmData.ofShorts(48_000, 1, burst));
                        JanusSubscriber.keepAlive(api, sub.janusSession(), 0.3);
                    }
                    Thread.sleep(800);
                    short[] x = cap.samples();
                    List<Double> delays = new ArrayList<>();
                    for (long w : written) {
                        int from = cap.indexAt(w);
                        int onset = Signals.firstLoud(x, from, x.length, LOUD);
                        if (onset >= 0 && cap.nanosOf(onset) - w < 1_000_000_000L) {
                            delays.add((cap.nanosOf(onset) - w) / 1e6);
                        }
                    }
                    List<Double> sorted = delays.stream().sorted().toList();
                    System.out.println(String.format(Locale.ROOT,
                            "DELAY n=%d of=%d minMs=%.1f medianMs=%.1f maxMs=%.1f firstPublishToConnectedMs=%.0f "
                                    + "publishToConnectedMs=%.0f "
                                    + "subscribeToConnectedMs=%.0f",
                            sorted.size(), bursts, sorted.isEmpty() ? -1 : sorted.get(0),
                            sorted.isEmpty() ? -1 : sorted.get(sorted.size() / 2),
                            sorted.isEmpty() ? -1 : sorted.get(sorted.size() - 1), coldMs, publishMs, sub.setupMs()));
                }
            }
        }
    }
}
