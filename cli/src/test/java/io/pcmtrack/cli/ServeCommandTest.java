package io.pcmtrack.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import io.pcmtrack.PcmData;
import io.pcmtrack.dsp.SignalAnalysis;
import io.pcmtrack.webrtc.CandidatePolicy;
import io.pcmtrack.webrtc.WebRtcSession;

/** {@code pcmtrack serve}: its tracks over WHEP, its token, its answers to bad input, its stop. */
class ServeCommandTest {
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @Test
    void servesALoopedToneOverWhepWithATokenAndEndsEverySessionWhenInterrupted() throws Exception {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        AtomicInteger exit = new AtomicInteger(-1);
        Thread serving = new Thread(() -> exit.set(Main.run(new String[] {"serve", "--port", "0", "--token", "t0k",
                "--track", "tone=tone:1000", "--track", "low=tone:250"}, InputStream.nullInputStream(),
                new PrintWriter(out, true), new PrintWriter(err, true))));
        serving.start();
        String url = awaitUrl(out, err);
        try {
            assertThat(out.toString()).contains("/whep/tone").contains("/whep/low").contains("Bearer");
            assertThat(get(url + "/", null).statusCode()).isEqualTo(401);
            HttpResponse<String> page = get(url + "/", "t0k");
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.body()).contains("window.pcmtrackAgent");
            // The voice agent: a conversation opens (and is ended with the server).
            HttpResponse<String> agent = HTTP.send(HttpRequest.newBuilder(URI.create(url + "/agent")).header("Authorization", "Bearer t0k")
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(agent.statusCode()).isEqualTo(201);
            assertThat(agent.body()).matches("\\{\"id\":\"[0-9a-f]{32}\",\"location\":\"/agent/[0-9a-f]{32}\".*");
            assertThat(out.toString()).contains("/agent");
            assertThat(get(url + "/tracks", "t0k").body()).contains("\"name\":\"tone\"").contains("\"name\":\"low\"");

            try (WebRtcSession listener = WebRtcSession.receiving(WebRtcSession.options().candidates(CandidatePolicy.LOOPBACK))) {
                HttpResponse<String> created = HTTP.send(HttpRequest.newBuilder(URI.create(url + "/whep/tone"))
                        .header("Content-Type", "application/sdp").header("Authorization", "Bearer t0k")
                        .POST(HttpRequest.BodyPublishers.ofString(listener.offer())).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(created.statusCode()).isEqualTo(201);
                assertThat(created.headers().firstValue("Location")).hasValueSatisfying(l -> assertThat(l).startsWith("/whep/tone/"));
                listener.accept(created.body());
                listener.awaitConnected(Duration.ofSeconds(10));

                float[] heard = record(listener, 24_000, 48_000);
                SignalAnalysis.ToneFit fit = SignalAnalysis.fitTone(heard, 0, heard.length, 1000, 48_000);
                assertThat(SignalAnalysis.db(fit.amplitude(), 1.0)).isCloseTo(-6.02, within(1.0));

                serving.interrupt();
                serving.join(20_000);
            }
            assertThat(exit.get()).isZero();
            assertThat(out.toString()).contains("stopped: 1 session ended, and 1 agent conversation");
        } finally {
            serving.interrupt();
            serving.join(20_000);
        }
    }

    @Test
    void badTracksAndOptionsAreRefusedWithTheValueNamed() {
        CliTest.Run noName = CliTest.run("serve", "--port", "0", "--track", "tone:440");
        assertThat(noName.exit()).isEqualTo(Main.EXIT_BAD_INPUT);
        assertThat(noName.err()).contains("--track must be NAME=INPUT").contains("tone:440");

        CliTest.Run missing = CliTest.run("serve", "--port", "0", "--track", "a=no-such-file.wav");
        assertThat(missing.exit()).isEqualTo(Main.EXIT_BAD_INPUT);
        assertThat(missing.err()).contains("no-such-file.wav: no such file");

        CliTest.Run twice = CliTest.run("serve", "--port", "0", "--track", "a=tone:440", "--track", "a=sweep");
        assertThat(twice.exit()).isEqualTo(Main.EXIT_BAD_INPUT);
        assertThat(twice.err()).contains("--track a is given twice");

        CliTest.Run badName = CliTest.run("serve", "--port", "0", "--track", "a b=tone:440");
        assertThat(badName.exit()).isEqualTo(Main.EXIT_BAD_INPUT);
        assertThat(badName.err()).contains("a track name is 1..64").contains("'a b'");

        CliTest.Run badPort = CliTest.run("serve", "--port", "70000");
        assertThat(badPort.exit()).isEqualTo(Main.EXIT_BAD_INPUT);
        assertThat(badPort.err()).contains("port must be 0..65535, got 70000");

        CliTest.Run badOrigin = CliTest.run("serve", "--port", "0", "--allow-origin", "app.example");
        assertThat(badOrigin.exit()).isEqualTo(Main.EXIT_BAD_INPUT);
        assertThat(badOrigin.err()).contains("origin must be * or scheme://host[:port], got 'app.example'");
    }

    private static String awaitUrl(StringWriter out, StringWriter err) throws InterruptedException {
        Pattern serving = Pattern.compile("serving on (http://127\\.0\\.0\\.1:\\d+)");
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            String text = out.toString();
            Matcher m = serving.matcher(text);
            if (text.contains("Bearer") && m.find()) { // the last line of the banner is printed
                return m.group(1);
            }
            Thread.sleep(20);
        }
        throw new AssertionError("serve did not start; out: " + out + "; err: " + err);
    }

    private static HttpResponse<String> get(String url, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Skips {@code skip} samples of the received audio, then returns {@code count} as floats. */
    private static float[] record(WebRtcSession session, int skip, int count) throws InterruptedException {
        float[] out = new float[count];
        int n = 0;
        while (n < count) {
            PcmData chunk = session.receiver().read(Duration.ofSeconds(5));
            assertThat(chunk).as("audio within 5 s").isNotNull();
            float[] f = chunk.toFloats();
            int from = Math.min(skip, f.length);
            skip -= from;
            int take = Math.min(f.length - from, count - n);
            System.arraycopy(f, from, out, n, take);
            n += take;
        }
        return out;
    }
}
