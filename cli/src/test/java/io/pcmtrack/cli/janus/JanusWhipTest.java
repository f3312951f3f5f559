package io.pcmtrack.cli.janus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.pcmtrack.cli.Main;
import org.junit.jupiter.api.Test;

/**
 * The real SFU proof: {@code pcmtrack stream tone:1000 --to whip:URL} publishes into a Janus
 * VideoRoom through Debian's simple-whip-server, and an independent subscriber, joined through
 * Janus's own HTTP API, hears the tone: frequency, level, no gap, no loss. Everything runs in a
 * network namespace of its own (see {@link JanusSfu}).
 */
class JanusWhipTest {
    private static final double TONE_DBFS = 20 * Math.log10(0.5); // tone:HZ is a sine of amplitude 0.5
    /** Bursts the delay probe times; more with -Dpcmtrack.janus.bursts=N for docs/BENCHMARKS.md. */
    private static final int BURSTS = Integer.getInteger("pcmtrack.janus.bursts", 10);

    /** A child process's exit code and output. */
    record Child(int exit, String output) {
    }

    private static CompletableFuture<Child> start(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        return CompletableFuture.supplyAsync(() -> {
            try {
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (!p.waitFor(60, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    return new Child(-1, out + "\n(killed after 60 s)");
                }
                return new Child(p.exitValue(), out);
            } catch (Exception e) {
                p.destroyForcibly();
                return new Child(-1, e.toString());
            }
        });
    }

    @Test
    void aToneWhipPublishedByPcmtrackReachesAnIndependentJanusSubscriber() throws Exception {
        try (JanusSfu sfu = JanusSfu.start()) {
            System.out.printf("janus: up in %d ms, simple-whip-server %d ms after that%n", sfu.startup().janusMillis(),
                    sfu.startup().whipMillis());
            CompletableFuture<Child> publisher = start(sfu.java(Main.class, "stream", "tone:1000", "--seconds", "10",
                    "--to", "whip:" + sfu.whipEndpoint(), "--token", sfu.token(), "--candidates", "loopback"));
            CompletableFuture<Child> subscriber = start(sfu.java(JanusSubscriber.class, sfu.janusApi(),
                    String.valueOf(JanusSfu.ROOM), "3"));
            Child sub = subscriber.get(90, TimeUnit.SECONDS);
            Child pub = publisher.get(90, TimeUnit.SECONDS);
            String context = "publisher:\n" + pub.output() + "\nsubscriber:\n" + sub.output() + "\n" + sfu.logs();

            assertThat(pub.exit()).as(context).isZero();
            assertThat(pub.output()).as(context).contains("published to http://127.0.0.1:7080/whip/resource/pcmtrack")
                    .doesNotContain("DELETE answered")
                    // webrtc-java's static destructors at exit (Main points standard output at /dev/null first)
                    .doesNotContain("attach current thread").doesNotContain("Failed to attach thread");
            assertThat(sub.exit()).as(context).isZero();
            Map<String, Double> r = result(sub.output());
            System.out.println("janus subscriber: " + r + "; publisher: " + setupLine(pub.output()));
            assertThat(r.get("hz")).as("frequency at the subscriber, Hz").isCloseTo(1000.0, within(1.0));
            assertThat(r.get("dbfs")).as("level at the subscriber, dBFS").isCloseTo(TONE_DBFS, within(0.5));
            assertThat(r.get("gap")).as("longest run of near-silence inside the tone, samples").isLessThan(10.0);
            assertThat(r.get("seconds")).as("seconds of tone recorded").isGreaterThan(2.0);
            assertThat(r.get("lost")).as("packets lost").isZero();
            assertThat(r.get("packets")).as("packets received").isGreaterThan(100.0);
        }
    }

    /** Times write to the Janus subscriber (printed for docs/BENCHMARKS.md); asserts only that every burst arrived. */
    @Test
    void everyBurstWrittenIntoAWhipTrackArrivesAtTheJanusSubscriber() throws Exception {
        try (JanusSfu sfu = JanusSfu.start()) {
            Child probe = start(sfu.java(JanusDelayProbe.class, sfu.whipEndpoint(), sfu.token(), sfu.janusApi(),
                    String.valueOf(JanusSfu.ROOM), String.valueOf(BURSTS))).get(120, TimeUnit.SECONDS);
            String context = probe.output() + "\n" + sfu.logs();
            assertThat(probe.exit()).as(context).isZero();
            Map<String, Double> r = result("DELAY", probe.output());
            System.out.println("janus delay probe: " + r);
            probe.output().lines().filter(l -> l.contains("WHIP session") || l.contains("ICE gathering"))
                    .forEach(System.out::println);
            assertThat(r.get("n")).as("bursts that arrived within 1 s, of " + BURSTS + "; " + context)
                    .isEqualTo((double) BURSTS);
        }
    }

    private static Map<String, Double> result(String output) {
        return result("RESULT", output);
    }

    private static Map<String, Double> result(String tag, String output) {
        Matcher m = Pattern.compile(tag + " (.*)").matcher(output);
        assertThat(m.find()).as("a RESULT line in:\n" + output).isTrue();
        Map<String, Double> r = new HashMap<>();
        for (String kv : m.group(1).trim().split(" ")) {
            String[] p = kv.split("=");
            r.put(p[0], Double.parseDouble(p[1]));
        }
        return r;
    }

    private static String setupLine(String output) {
        Matcher m = Pattern.compile("WHIP session \\S+ connected in .*").matcher(output);
        return m.find() ? m.group() : "(no setup time logged)";
    }
}
