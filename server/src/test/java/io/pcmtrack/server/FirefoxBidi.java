package io.pcmtrack.server;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Debian's Firefox ESR, headless, driven over WebDriver BiDi (the W3C protocol Firefox speaks
 * itself, on a WebSocket: no geckodriver, which Debian does not package). Runs as a process of
 * its own inside the test's network namespace, where Firefox's WebSocket is, and takes commands
 * on stdin, one a line, answering each on stdout with a line that starts {@code BIDI }:
 * <ul>
 *   <li>{@code NAVIGATE url} &rarr; {@code OK} once the page has loaded;</li>
 *   <li>{@code VIEWPORT width height} &rarr; {@code OK};</li>
 *   <li>{@code SCREENSHOT file} &rarr; {@code OK} once the whole page is in the PNG file;</li>
 *   <li>{@code EVAL expression} &rarr; {@code RESULT json}: the expression awaited in the page and
 *       passed through {@code JSON.stringify}; {@code ERROR message} if it threw or took over 120 s;</li>
 *   <li>{@code EVALWITHIN seconds expression} &rarr; the same with another time limit.</li>
 * </ul>
 * Says {@code PORT 0} once the browser is ready (the line {@link ChildServer} waits for), and
 * {@code CLOSED} after closing it when stdin ends.
 *
 * <p>Arguments: the Firefox executable, a fresh profile directory and the PulseAudio executable
 * (Firefox plays into a null sink of a PulseAudio server of its own). The profile's prefs give
 * the page a fake microphone without asking, play audio without a gesture, and let WebRTC use
 * 127.0.0.1 by its address.
 */
public final class FirefoxBidi {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern LISTENING = Pattern.compile("WebDriver BiDi listening on (ws://\\S+)");
    private static final List<String> PREFS = List.of(
            "media.navigator.permission.disabled", "true",
            "media.navigator.streams.fake", "true",
            "media.autoplay.default", "0",
            "media.autoplay.blocking_policy", "0",
            "media.autoplay.block-webaudio", "false",
            "media.peerconnection.ice.loopback", "true",
            "media.peerconnection.ice.obfuscate_host_addresses", "false",
            "remote.active-protocols", "1",
            "browser.shell.checkDefaultBrowser", "false",
            "datareporting.policy.dataSubmissionEnabled", "false",
            "toolkit.telemetry.reportingpolicy.firstRun", "false",
            "app.update.disabledForTesting", "true",
            "network.captive-portal-service.enabled", "false",
            "network.connectivity-service.enabled", "false",
            "browser.safebrowsing.update.enabled", "false",
            "extensions.update.enabled", "false");

    private final AtomicLong ids = new AtomicLong();
    private final Map<Long, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    private WebSocket socket;
    private String context;

    private FirefoxBidi() {
    }

    public static void main(String[] args) throws Exception {
        Path profile = Path.of(args[1]);
        Files.createDirectories(profile);
        StringBuilder prefs = new StringBuilder();
        for (int i = 0; i < PREFS.size(); i += 2) {
            prefs.append("user_pref(\"").append(PREFS.get(i)).append("\", ").append(PREFS.get(i + 1)).append(");\n");
        }
        Files.writeString(profile.resolve("user.js"), prefs);
        // Firefox's WebAudio runs only with an audio device (cubeb fails without one and the AudioContext never
        // starts): a PulseAudio server of this run with a null sink, a speaker that paces in real time.
        Path pulse = profile.resolveSibling(profile.getFileName() + "-pulse");
        Files.createDirectories(pulse);
        Path socket = pulse.resolve("native");
        ProcessBuilder pb = new ProcessBuilder(args[2], "--daemonize=no", "--exit-idle-time=-1", "-n", "--use-pid-file=no",
                "--load=module-null-sink sink_name=speaker", "--load=module-native-protocol-unix socket=" + socket + " auth-anonymous=1")
                .redirectErrorStream(true).redirectOutput(pulse.resolve("log").toFile());
        pb.environment().put("HOME", pulse.toString());
        pb.environment().put("PULSE_RUNTIME_PATH", pulse.toString());
        Process pulseaudio = pb.start();
        for (int i = 0; i < 100 && !Files.exists(socket); i++) {
            Thread.sleep(50);
        }
        ProcessBuilder fb = new ProcessBuilder(args[0], "--headless", "--no-remote", "--profile", profile.toString(),
                "--remote-debugging-port=0", "about:blank").redirectErrorStream(true);
        fb.environment().put("PULSE_SERVER", "unix:" + socket);
        Process firefox = fb.start();
        FirefoxBidi bidi = new FirefoxBidi();
        try {
            String url = bidi.awaitListening(firefox);
            bidi.connect(url);
            System.out.println("PORT 0");
            System.out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            for (String line; (line = in.readLine()) != null; ) {
                System.out.println("BIDI " + bidi.run(line));
                System.out.flush();
            }
            bidi.send("browser.close", JSON.createObjectNode(), Duration.ofSeconds(10));
        } finally {
            firefox.destroy();
            if (!firefox.waitFor(10, TimeUnit.SECONDS)) {
                firefox.destroyForcibly();
            }
            pulseaudio.destroy();
            System.out.println("CLOSED");
            System.out.flush();
        }
        System.exit(0);
    }

    /** Reads Firefox's output until it says where BiDi listens; the rest of its output is passed on. */
    private String awaitListening(Process firefox) throws Exception {
        BufferedReader out = new BufferedReader(new InputStreamReader(firefox.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<String> url = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                for (String line; (line = out.readLine()) != null; ) {
                    Matcher m = LISTENING.matcher(line);
                    if (m.find()) {
                        url.complete(m.group(1));
                    }
                    System.err.println("firefox: " + line);
                }
            } catch (IOException e) {
                // Firefox ended
            }
            url.completeExceptionally(new IllegalStateException("firefox ended before it listened for WebDriver BiDi"));
        }, "firefox-output");
        t.setDaemon(true);
        t.start();
        return url.get(60, TimeUnit.SECONDS);
    }

    private void connect(String url) throws Exception {
        socket = HttpClient.newHttpClient().newWebSocketBuilder()
                .buildAsync(URI.create(url.endsWith("/session") ? url : url + "/session"), new Listener())
                .get(30, TimeUnit.SECONDS);
        ObjectNode caps = JSON.createObjectNode();
        caps.putObject("capabilities");
        send("session.new", caps, Duration.ofSeconds(30));
        JsonNode tree = send("browsingContext.getTree", JSON.createObjectNode(), Duration.ofSeconds(10));
        context = tree.path("contexts").path(0).path("context").asText();
    }

    private String run(String line) {
        try {
            if (line.startsWith("NAVIGATE ")) {
                ObjectNode p = JSON.createObjectNode().put("context", context).put("url", line.substring(9)).put("wait", "complete");
                send("browsingContext.navigate", p, Duration.ofSeconds(30));
                return "OK";
            }
            if (line.startsWith("VIEWPORT ")) {
                String[] wh = line.substring(9).trim().split(" ");
                ObjectNode p = JSON.createObjectNode().put("context", context);
                p.putObject("viewport").put("width", Integer.parseInt(wh[0])).put("height", Integer.parseInt(wh[1]));
                send("browsingContext.setViewport", p, Duration.ofSeconds(10));
                return "OK";
            }
            if (line.startsWith("SCREENSHOT ")) {
                ObjectNode p = JSON.createObjectNode().put("context", context).put("origin", "document");
                JsonNode r = send("browsingContext.captureScreenshot", p, Duration.ofSeconds(30));
                Files.write(Path.of(line.substring(11).trim()), java.util.Base64.getDecoder().decode(r.path("data").asText()));
                return "OK";
            }
            if (line.startsWith("EVAL ") || line.startsWith("EVALWITHIN ")) {
                Duration timeout = Duration.ofSeconds(120);
                String expression = line.substring(5);
                if (line.startsWith("EVALWITHIN ")) {
                    String[] parts = line.split(" ", 3);
                    timeout = Duration.ofSeconds(Long.parseLong(parts[1]));
                    expression = parts[2];
                }
                ObjectNode p = JSON.createObjectNode()
                        .put("expression", "(async () => JSON.stringify(await (" + expression + ")))()")
                        .put("awaitPromise", true).put("resultOwnership", "none");
                p.putObject("target").put("context", context);
                JsonNode r = send("script.evaluate", p, timeout);
                if ("exception".equals(r.path("type").asText())) {
                    return "ERROR " + r.path("exceptionDetails").path("text").asText();
                }
                JsonNode v = r.path("result");
                return "RESULT " + ("string".equals(v.path("type").asText()) ? v.path("value").asText() : "null");
            }
            return "ERROR unknown command (expected NAVIGATE url, EVAL expression or EVALWITHIN seconds expression): " + line;
        } catch (Exception e) {
            return "ERROR " + String.valueOf(e).replace('\n', ' ');
        }
    }

    private JsonNode send(String method, ObjectNode params, Duration timeout) throws Exception {
        long id = ids.incrementAndGet();
        CompletableFuture<JsonNode> answer = new CompletableFuture<>();
        pending.put(id, answer);
        ObjectNode msg = JSON.createObjectNode().put("id", id).put("method", method);
        msg.set("params", params);
        socket.sendText(JSON.writeValueAsString(msg), true).get(10, TimeUnit.SECONDS);
        JsonNode r = answer.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (r.has("error")) {
            throw new IllegalStateException(method + ": " + r.path("error").asText() + ": " + r.path("message").asText());
        }
        return r.path("result");
    }

    /** Collects text messages (they may come in parts) and completes the command each answers; events are ignored. */
    private final class Listener implements WebSocket.Listener {
        private final StringBuilder text = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                try {
                    JsonNode m = JSON.readTree(text.toString());
                    CompletableFuture<JsonNode> f = m.has("id") && !m.get("id").isNull() ? pending.remove(m.get("id").asLong()) : null;
                    if (f != null) {
                        f.complete(m);
                    }
                } catch (IOException e) {
                    System.err.println("unreadable BiDi message: " + e.getMessage());
                }
                text.setLength(0);
            }
            ws.request(1);
            return null;
        }
    }
}
