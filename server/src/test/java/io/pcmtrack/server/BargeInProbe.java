package io.pcmtrack.server;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Page;
import io.pcmtrack.PcmData;
import io.pcmtrack.PcmFormat;
import io.pcmtrack.io.WavWriter;

/**
 * Barge-in on the agent's page, stage by stage: headless Chromium talks to the voice agent with a
 * fake microphone that says something, waits for the answer and talks over it, again and again.
 * For every barge-in it takes, on one clock (the server's agent times moved onto the page's by
 * the wall clock both read on this machine): the caller's onset in the page, the agent's first
 * speech window, the flush, and the agent's silence in the page; for every turn the microphone
 * leg (page onset to the agent's first speech window) and the voice leg (frame emitted to the
 * page's onset of it). Page settings (the start options of {@code window.pcmtrackAgent}), the
 * agent's frame length and the agent's hold ({@code --agent both}: a server of each kind) are
 * compared in interleaved rounds, each round a new conversation.
 *
 * <pre>
 * mvn -q -pl server -am test-compile dependency:build-classpath -Dmdep.outputFile=target/test.cp -Dmdep.includeScope=test
 * java -cp "server/target/test-classes:server/target/classes:$(cat server/target/test.cp)" \
 *      io.pcmtrack.server.BargeInProbe --rounds 3 --seconds 34 --agent both \
 *      --config 'opus20={"opusFrameMs":20}' --config 'opus10={"opusFrameMs":10}'
 * </pre>
 * Needs root, {@code ip} and Debian's chromium.
 */
public final class BargeInProbe {
    private static final int RATE = 48_000;
    /** One cycle of the microphone file: a 1.2 s utterance, then 0.6 s that starts about 0.7 s into its answer. */
    private static final double CYCLE_SECONDS = 5.6;
    private static final int CYCLES = 6;

    /**
     * The page's detector before the AudioWorklet, run beside it on the same streams for a paired
     * comparison: an AnalyserNode on every MediaStreamSource the page makes (the microphone first,
     * then the agent), its last 10 ms read every 10 ms by a timer, stamped with performance.now().
     */
    private static final String OLD_DETECTOR = """
            window.oldDetector = [];
            const make = AudioContext.prototype.createMediaStreamSource;
            AudioContext.prototype.createMediaStreamSource = function (stream) {
              const source = make.call(this, stream);
              const analyser = this.createAnalyser();
              analyser.fftSize = 2048;
              source.connect(analyser);
              const buf = new Float32Array(analyser.fftSize), windowSamples = Math.round(this.sampleRate * 0.01);
              const f = {sounds: [], current: null};
              window.oldDetector.push(f);
              setInterval(() => {
                const now = performance.now();
                analyser.getFloatTimeDomainData(buf);
                let sum = 0;
                for (let i = buf.length - windowSamples; i < buf.length; i++) sum += buf[i] * buf[i];
                const db = 10 * Math.log10(sum / windowSamples + 1e-12), c = f.current;
                if (db >= -45) { if (!c) f.current = {start: now, end: now}; else c.end = now; }
                else if (c && now - c.end > 150) { f.sounds.push({start: c.start, end: c.end}); f.current = null; }
              }, 10);
              return source;
            };
            """;

    private BargeInProbe() {
    }

    record Config(String name, String startOptions) {
    }

    public static void main(String[] args) throws Exception {
        int rounds = 3;
        int seconds = 34;
        String agents = "hold";
        List<Config> configs = new ArrayList<>();
        for (int i = 0; i < args.length; i += 2) {
            switch (args[i]) {
                case "--rounds" -> rounds = Integer.parseInt(args[i + 1]);
                case "--seconds" -> seconds = Integer.parseInt(args[i + 1]);
                case "--agent" -> agents = args[i + 1];
                case "--config" -> {
                    String[] kv = args[i + 1].split("=", 2);
                    configs.add(new Config(kv[0], kv[1]));
                }
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + "; expected --rounds N, --seconds S, --agent hold|nohold|both, --config name={startOptions}");
            }
        }
        if (configs.isEmpty()) {
            configs.add(new Config("page defaults", "{}"));
        }
        Path work = Files.createTempDirectory("pcmtrack-bargein");
        Path mic = work.resolve("talk-over.wav");
        WavWriter.write(mic, PcmData.ofFloats(RATE, 1, talkOver()).convertTo(PcmFormat.s16(RATE, 1)));
        Map<String, Map<String, List<Double>>> results = new LinkedHashMap<>();
        boolean withHold = agents.equals("hold") || agents.equals("both");
        boolean withoutHold = agents.equals("nohold") || agents.equals("both");
        if (!withHold && !withoutHold) {
            throw new IllegalArgumentException("--agent must be hold, nohold or both, got " + agents);
        }
        try (NetworkNamespace ns = NetworkNamespace.create();
             ChildServer hold = withHold ? new ChildServer(ns, AgentTestServer.class) : null;
             ChildServer noHold = withoutHold ? new ChildServer(ns, AgentTestServer.class, "--no-hold") : null;
             Chromium chromium = new Chromium(ns, work, List.of("--use-fake-ui-for-media-stream",
                     "--use-fake-device-for-media-stream", "--use-file-for-fake-audio-capture=" + mic))) {
            for (int r = 0; r < rounds; r++) {
                for (Config c : configs) {
                    for (ChildServer server : new ChildServer[] {hold, noHold}) {
                        if (server == null) {
                            continue;
                        }
                        String name = c.name + (server == hold ? ", agent holds at the first speech window" : ", agent talks on until the rule");
                        Map<String, List<Double>> into = results.computeIfAbsent(name, k -> new LinkedHashMap<>());
                        conversation(chromium.browser, server.port, new Config(name, c.startOptions), seconds, into);
                    }
                }
            }
        }
        for (var e : results.entrySet()) {
            System.out.println("== " + e.getKey());
            for (var m : e.getValue().entrySet()) {
                print(m.getKey(), m.getValue());
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static void conversation(Browser browser, int port, Config config, int seconds,
                                     Map<String, List<Double>> into) {
        BrowserContext context = browser.newContext(new Browser.NewContextOptions().setPermissions(List.of("microphone")));
        try {
            Page page = context.newPage();
            page.addInitScript(OLD_DETECTOR);
            page.navigate("http://127.0.0.1:" + port + "/");
            page.waitForFunction("() => window.pcmtrackAgent !== undefined");
            page.evaluate("async () => { await window.pcmtrackAgent.start(Object.assign({raw: true}, " + config.startOptions + ")); }");
            page.waitForTimeout(seconds * 1000.0);
            Map<String, Object> measured = (Map<String, Object>) page.evaluate("() => window.pcmtrackAgent.measured()");
            Map<String, Object> state = (Map<String, Object>) page.evaluate("() => window.pcmtrackAgent.state()");
            Map<String, Object> rtc = (Map<String, Object>) page.evaluate("() => window.pcmtrackAgent.rtc()");
            // The old detector's sounds on the page's time line (ms since the page's time 0).
            List<List<Map<String, Object>>> old = (List<List<Map<String, Object>>>) page.evaluate("(zero) => window.oldDetector.map(f =>"
                    + " f.sounds.map(s => ({start: s.start - (zero - performance.timeOrigin), end: s.end - (zero - performance.timeOrigin)})))",
                    number(measured, "zeroWallMs"));
            page.evaluate("async () => { await window.pcmtrackAgent.stop(); }");
            double shift = number((Map<String, Object>) state.get("clock"), "agentZeroWallMs") - number(measured, "zeroWallMs");
            List<Map<String, Object>> callerSounds = (List<Map<String, Object>>) measured.get("caller");
            List<Map<String, Object>> agentSounds = (List<Map<String, Object>>) measured.get("agent");
            List<Map<String, Object>> turns = (List<Map<String, Object>>) ((Map<String, Object>) state.get("timeline")).get("turns");
            int bargeIns = 0;
            for (Map<String, Object> t : turns) {
                if ("caller".equals(t.get("speaker"))) {
                    Map<String, Object> s = nearest(callerSounds, "start", number(t, "fromMs") + shift);
                    if (s != null) {
                        add(into, "microphone leg: page onset to the agent's first speech window", number(t, "fromMs") + shift - number(s, "start"));
                    }
                    continue;
                }
                if (t.get("fromMs") == null) {
                    continue;
                }
                Map<String, Object> heard = nearest(agentSounds, "start", number(t, "fromMs") + shift);
                if (heard == null) {
                    continue;
                }
                add(into, "voice leg: the answer's first frame emitted to its onset in the page", number(heard, "start") - (number(t, "fromMs") + shift));
                if (!"barged_in".equals(t.get("ending"))) {
                    continue;
                }
                Map<String, Object> onset = nearest(callerSounds, "start", number(t, "bargeInAtMs") + shift);
                if (onset == null) {
                    continue;
                }
                bargeIns++;
                double pageOnset = number(onset, "start");
                add(into, "barge-in, in the page: the caller's onset to the agent's silence", number(heard, "end") - pageOnset);
                add(into, "  1 microphone leg: to the agent's first speech window", number(t, "bargeInAtMs") + shift - pageOnset);
                add(into, "  2 the agent: first speech window to the flush (the hold's, or the rule's)", number(t, "cutAtMs") - number(t, "bargeInAtMs"));
                add(into, "  3 the flush to the agent's silence in the page", number(heard, "end") - (number(t, "cutAtMs") + shift));
                if (old.size() == 2) {
                    Map<String, Object> oldOnset = nearest(old.get(0), "start", pageOnset);
                    Map<String, Object> oldCut = nearest(old.get(1), "end", number(heard, "end"));
                    if (oldOnset != null && oldCut != null) {
                        double oldTotal = number(oldCut, "end") - number(oldOnset, "start");
                        add(into, "barge-in as the old page measured it (AnalyserNode read every 10 ms)", oldTotal);
                        add(into, "  the AudioWorklet's value less the old page's, same barge-in", number(heard, "end") - pageOnset - oldTotal);
                    }
                }
            }
            if (rtc != null) {
                add(into, "page jitter buffer (average over the conversation)", number(rtc, "jitterMs"));
                add(into, "page jitter buffer target (average)", number(rtc, "targetMs"));
                add(into, "page: agent's audio concealed (per mille of what was received)", 1000 * number(rtc, "concealed") / number(rtc, "received"));
            }
            Map<String, Object> micStats = (Map<String, Object>) state.get("microphone");
            if (micStats != null && micStats.get("jitterBufferMs") instanceof Number n) {
                add(into, "server jitter buffer of the microphone (average)", n.doubleValue());
                add(into, "server: microphone concealed (per mille of what was received)",
                        1000 * number(micStats, "concealedSamples") / number(micStats, "samplesReceived"));
            }
            System.out.printf(Locale.ROOT, "%s: %d barge-ins; page rtc %s; microphone %s%n", config.name, bargeIns, rtc, micStats);
        } finally {
            context.close();
        }
    }

    /** The sound whose {@code edge} ("start" or "end") is nearest to {@code ms}, within 400 ms, or null. */
    private static Map<String, Object> nearest(List<Map<String, Object>> sounds, String edge, double ms) {
        Map<String, Object> best = null;
        for (Map<String, Object> s : sounds) {
            double d = Math.abs(number(s, edge) - ms);
            if (d < 400 && (best == null || d < Math.abs(number(best, edge) - ms))) {
                best = s;
            }
        }
        return best;
    }

    private static void add(Map<String, List<Double>> into, String what, double ms) {
        into.computeIfAbsent(what, k -> new ArrayList<>()).add(ms);
    }

    private static void print(String what, List<Double> ms) {
        double[] v = ms.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        System.out.printf(Locale.ROOT, "%-75s n=%3d  min %6.1f  median %6.1f  max %6.1f ms%n", what, v.length, v[0],
                v[v.length / 2], v[v.length - 1]);
    }

    private static double number(Map<String, Object> m, String key) {
        Object v = m.get(key);
        if (!(v instanceof Number n)) {
            throw new IllegalStateException(key + " missing from " + m);
        }
        return n.doubleValue();
    }

    /** Per cycle: 1.2 s at -20 dBFS, then at 2.9 s (about 0.7 s into its answer) 0.6 s at -22 dBFS. */
    static float[] talkOver() {
        float[] out = new float[(int) (CYCLES * CYCLE_SECONDS * RATE)];
        for (int c = 0; c < CYCLES; c++) {
            double t0 = c * CYCLE_SECONDS;
            BrowserAgentTest.burst(out, RATE, t0 + 0.3, 1.2, 170, -20);
            BrowserAgentTest.burst(out, RATE, t0 + 2.9, 0.6, 230, -22);
        }
        return out;
    }
}
