package io.pcmtrack.server;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import com.microsoft.playwright.Page;

/**
 * Measures, in headless Chromium against a server in its own JVM (both in a loopback-only
 * network namespace): WHEP setup time (from the page's offer to the connection being
 * {@code connected}), the delay from {@code track.write} on the server to the tone's onset in the
 * page's WebAudio graph, and from {@code track.flush()} to silence there. Times are compared on
 * the machine's wall clock (the same clock in both processes).
 *
 * <pre>
 * mvn -q -pl server -am test-compile dependency:build-classpath -Dmdep.outputFile=target/test.cp -Dmdep.includeScope=test
 * java -cp "server/target/test-classes:server/target/classes:$(cat server/target/test.cp)" \
 *      io.pcmtrack.server.BrowserLatencyProbe --trials 20
 * </pre>
 * Needs root, {@code ip} and Debian's chromium.
 */
public final class BrowserLatencyProbe {
    private static final String DETECT = """
            (mode) => new Promise(resolve => {
              const a = window.probe.analyser, buf = new Float32Array(a.fftSize);
              const check = () => {
                a.getFloatTimeDomainData(buf);
                let peak = 0;
                for (const v of buf) peak = Math.max(peak, Math.abs(v));
                if (mode === "onset" ? peak > 0.1 : peak < 0.01) {
                  resolve(performance.timeOrigin + performance.now());
                } else {
                  setTimeout(check, 1);
                }
              };
              check();
            })
            """;

    private BrowserLatencyProbe() {
    }

    public static void main(String[] args) throws Exception {
        int trials = args.length > 1 && args[0].equals("--trials") ? Integer.parseInt(args[1]) : 20;
        Path work = Files.createTempDirectory("pcmtrack-probe");
        List<Double> setups = new ArrayList<>();
        List<Double> delays = new ArrayList<>();
        List<Double> flushes = new ArrayList<>();
        try (NetworkNamespace ns = NetworkNamespace.create();
             ChildServer server = new ChildServer(ns, LatencyTestServer.class);
             Chromium chromium = new Chromium(ns, work, List.of())) {
            Page page = chromium.browser.newPage();
            page.navigate("http://127.0.0.1:" + server.port + "/");
            page.waitForFunction("() => window.pcmtrack !== undefined");
            for (int s = 0; s < 5; s++) {
                double setup = ((Number) page.evaluate("""
                        async () => {
                          const t0 = performance.now();
                          const session = await window.pcmtrack.listen("probe");
                          if (session.pc.connectionState !== "connected") {
                            await new Promise(r => session.pc.addEventListener("connectionstatechange",
                                () => { if (session.pc.connectionState === "connected") r(); }));
                          }
                          const setup = performance.now() - t0;
                          if (window.probe) await window.pcmtrack.end(window.probe.session);
                          const ctx = new AudioContext();
                          await ctx.resume();
                          const analyser = ctx.createAnalyser();
                          analyser.fftSize = 256;
                          ctx.createMediaStreamSource(session.stream).connect(analyser);
                          window.probe = {session, analyser};
                          return setup;
                        }
                        """)).doubleValue();
                setups.add(setup);
            }
            Thread.sleep(2_000);
            for (int i = 0; i < trials; i++) {
                page.evaluate("(d) => { window.onset = (" + DETECT + ")('onset'); }", null);
                server.send("beep");
                long wrote = Long.parseLong(server.expect("WROTE ", Duration.ofSeconds(5)).substring(6).trim());
                double arrived = ((Number) page.evaluate("() => window.onset")).doubleValue();
                delays.add(arrived - wrote / 1e6);
                Thread.sleep(1_000);
                page.evaluate("(d) => { window.silence = (" + DETECT + ")('silence'); }", null);
                server.send("flush");
                long flushed = Long.parseLong(server.expect("FLUSHED ", Duration.ofSeconds(5)).substring(8).trim());
                double silent = ((Number) page.evaluate("() => window.silence")).doubleValue();
                flushes.add(silent - flushed / 1e6);
                Thread.sleep(700);
            }
            Object stats = page.evaluate("""
                    async () => {
                      for (const s of (await window.probe.session.pc.getStats()).values())
                        if (s.type === "inbound-rtp") return {packetsLost: s.packetsLost, concealedSamples: s.concealedSamples,
                            jitterBufferMs: 1000 * s.jitterBufferDelay / s.jitterBufferEmittedCount};
                    }
                    """);
            System.out.println("inbound-rtp at the end: " + stats);
        }
        print("WHEP setup, offer to connected", setups);
        print("track.write to onset in the page", delays);
        print("track.flush() to silence in the page", flushes);
    }

    private static void print(String what, List<Double> ms) {
        double[] v = ms.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        System.out.printf(Locale.ROOT, "%s (%d): min %.1f ms, median %.1f ms, max %.1f ms%n", what, v.length, v[0],
                v[v.length / 2], v[v.length - 1]);
    }
}
