package io.pcmtrack.cli.janus;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.pcmtrack.webrtc.ProcessLifecycleTest;
import org.junit.jupiter.api.Assumptions;

/**
 * A real SFU for tests: Debian's Janus (VideoRoom plugin, HTTP and WebSocket transports) and
 * Debian's simple-whip-server in front of it, inside a network namespace of their own, so that
 * fixed ports are private to the test and every packet stays on loopback.
 *
 * <p>The namespace has {@code lo} and a veth pair whose one end carries only 127.0.0.1/32: Janus
 * never gathers ICE candidates on a loopback interface (in a namespace with only {@code lo} its
 * WHIP answer fails with "Error setting ICE locally"), so it gathers 127.0.0.1 on the veth, while
 * the traffic to 127.0.0.1 still goes through {@code lo}. A default route through {@code lo}
 * lets libwebrtc find its address ({@code CandidatePolicy.LOOPBACK}). Processes that talk to the
 * SFU (the publisher, the subscriber) run in the namespace too: {@link #command(String...)}.
 *
 * <p>Needs root (network namespaces), Debian's {@code janus}, {@code node}, and the
 * simple-whip-server app with its npm dependencies (installed by {@code .ci/install-janus-whip}).
 * Missing any, the test is skipped with a message naming it, or fails under {@code CI=true}.
 */
public final class JanusSfu implements AutoCloseable {
    static final String APP_ENV = "PCMTRACK_SIMPLE_WHIP_SERVER";
    static final String APP_DEFAULT = "/usr/local/lib/simple-whip-server";
    private static final AtomicInteger COUNT = new AtomicInteger();
    /** The VideoRoom room that Janus's configuration here creates, and that the WHIP endpoint maps to. */
    public static final long ROOM = 1234;

    private final String namespace = "pcmtrack-janus-" + ProcessHandle.current().pid() + "-" + COUNT.incrementAndGet();
    private final Path work;
    private final String token = "t" + Long.toHexString(System.nanoTime());
    private final List<Process> processes = new ArrayList<>();
    private boolean namespaceCreated;
    private Duration startup;

    /** How long Janus and simple-whip-server took to be ready. */
    public record Duration(long janusMillis, long whipMillis) {
    }

    private JanusSfu() throws IOException {
        this.work = Files.createTempDirectory("pcmtrack-janus-");
    }

    /** Starts everything, or skips the test (fails it under CI=true) if something is not installed. */
    public static JanusSfu start() throws Exception {
        requireInstalled();
        JanusSfu sfu = new JanusSfu();
        try {
            sfu.setUp();
            return sfu;
        } catch (Exception | Error e) {
            sfu.close();
            throw e;
        }
    }

    private static void requireInstalled() {
        Path app = app();
        String missing = null;
        if (!"root".equals(System.getProperty("user.name")) && !isRoot()) {
            missing = "root (network namespaces need it)";
        } else if (!onPath("janus")) {
            missing = "the Debian package janus (apt-get install janus)";
        } else if (!onPath("node")) {
            missing = "Node.js (apt-get install nodejs)";
        } else if (!onPath("ip")) {
            missing = "the Debian package iproute2";
        } else if (!Files.isRegularFile(app.resolve("src/server.js"))
                || !Files.isRegularFile(app.resolve("node_modules/express/package.json"))) {
            missing = "Debian's simple-whip-server app with its npm dependencies in " + app
                    + " (run .ci/install-janus-whip, or set " + APP_ENV + ")";
        }
        if (missing == null) {
            return;
        }
        if (System.getenv("CI") != null) {
            throw new AssertionError("the SFU test needs " + missing + "; under CI it must run");
        }
        Assumptions.abort("the SFU test needs " + missing);
    }

    private static boolean isRoot() {
        try {
            Process p = new ProcessBuilder("id", "-u").redirectErrorStream(true).start();
            return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim().equals("0");
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean onPath(String command) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, command))) {
                return true;
            }
        }
        return false;
    }

    static Path app() {
        String dir = System.getenv(APP_ENV);
        return Path.of(dir == null || dir.isBlank() ? APP_DEFAULT : dir);
    }

    private void setUp() throws Exception {
        run("ip", "netns", "add", namespace);
        namespaceCreated = true;
        run("ip", "-n", namespace, "link", "set", "lo", "up");
        run("ip", "-n", namespace, "link", "add", "pj0", "type", "veth", "peer", "name", "pj1");
        run("ip", "-n", namespace, "addr", "add", "127.0.0.1/32", "dev", "pj0");
        run("ip", "-n", namespace, "link", "set", "pj0", "up");
        run("ip", "-n", namespace, "link", "set", "pj1", "up");
        run("ip", "-n", namespace, "route", "add", "default", "dev", "lo", "src", "127.0.0.1");

        long t0 = System.nanoTime();
        Path conf = janusConfig();
        Path janusLog = work.resolve("janus.log");
        processes.add(new ProcessBuilder(command("janus", "-F", conf.toString(), "-C",
                conf.resolve("janus.jcfg").toString(), "-o", "-N", "-L", janusLog.toString()))
                .redirectErrorStream(true).redirectOutput(work.resolve("janus.out").toFile()).start());
        awaitLine(janusLog, "HTTP webserver started", 15);
        awaitLine(janusLog, "Websockets server started", 15);
        long t1 = System.nanoTime();

        Path whipLog = work.resolve("whip.log");
        ProcessBuilder node = new ProcessBuilder(command("node", "src/server.js")).directory(app().toFile())
                .redirectErrorStream(true).redirectOutput(whipLog.toFile());
        node.environment().put("NODE_ENV", "production");
        processes.add(node.start());
        awaitLine(whipLog, "WHIP server prototype started", 15);
        long t2 = System.nanoTime();
        startup = new Duration((t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000);

        // simple-whip-server's own (non-standard) API maps a WHIP endpoint to a VideoRoom room.
        String create = "fetch('http://127.0.0.1:7080/whip/create',{method:'POST',headers:{'Content-Type':"
                + "'application/json'},body:JSON.stringify({id:'pcmtrack',room:" + ROOM + ",token:'" + token
                + "'})}).then(r=>r.text().then(t=>{console.log(r.status+' '+t);process.exit(r.status==200?0:1)}))"
                + ".catch(e=>{console.log(String(e));process.exit(1)})";
        run(command("node", "-e", create).toArray(String[]::new));
    }

    /** Janus's configuration: only the VideoRoom plugin and the HTTP and WebSocket transports. */
    private Path janusConfig() throws IOException {
        Path conf = Files.createDirectories(work.resolve("janus"));
        Path plugins = Files.createDirectories(conf.resolve("plugins"));
        Path transports = Files.createDirectories(conf.resolve("transports"));
        Path installed = janusLibraries();
        Files.createSymbolicLink(plugins.resolve("libjanus_videoroom.so"),
                installed.resolve("plugins/libjanus_videoroom.so"));
        Files.createSymbolicLink(transports.resolve("libjanus_http.so"), installed.resolve("transports/libjanus_http.so"));
        Files.createSymbolicLink(transports.resolve("libjanus_websockets.so"),
                installed.resolve("transports/libjanus_websockets.so"));
        Files.writeString(conf.resolve("janus.jcfg"), """
                general: {
                \tconfigs_folder = "%s"
                \tplugins_folder = "%s"
                \ttransports_folder = "%s"
                \tdebug_level = 4
                }
                media: {
                }
                nat: {
                \tice_enforce_list = "pj0"
                }
                """.formatted(conf, plugins, transports));
        Files.writeString(conf.resolve("janus.plugin.videoroom.jcfg"), """
                room-%d: {
                \tdescription = "pcmtrack"
                \tpublishers = 6
                \taudiocodec = "opus"
                }
                """.formatted(ROOM));
        Files.writeString(conf.resolve("janus.transport.http.jcfg"), """
                general: {
                \tbase_path = "/janus"
                \thttp = true
                \tport = 8088
                \thttps = false
                }
                admin: {
                \tadmin_http = false
                }
                """);
        Files.writeString(conf.resolve("janus.transport.websockets.jcfg"), """
                general: {
                \tws = true
                \tws_port = 8188
                \twss = false
                }
                admin: {
                \tadmin_ws = false
                }
                """);
        return conf;
    }

    /** Where Debian put Janus's plugins and transports (…/janus), read from its packaged janus.jcfg. */
    private static Path janusLibraries() throws IOException {
        Path packaged = Path.of("/etc/janus/janus.jcfg");
        if (Files.isRegularFile(packaged)) {
            Matcher m = Pattern.compile("plugins_folder\\s*=\\s*\"([^\"]+)/plugins\"").matcher(Files.readString(packaged));
            if (m.find()) {
                return Path.of(m.group(1));
            }
        }
        for (String arch : List.of("x86_64-linux-gnu", "aarch64-linux-gnu")) {
            Path p = Path.of("/usr/lib", arch, "janus");
            if (Files.isDirectory(p)) {
                return p;
            }
        }
        throw new IOException("cannot find Janus's plugins folder (no /etc/janus/janus.jcfg naming it)");
    }

    /** {@code cmd} prefixed so that it runs inside the namespace. */
    public List<String> command(String... cmd) {
        List<String> c = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
        c.addAll(Arrays.asList(cmd));
        return c;
    }

    /** A java command line, inside the namespace, for {@code main} on this JVM's class path. */
    public List<String> java(Class<?> main, String... args) throws IOException {
        List<String> c = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-cp", String.join(File.pathSeparator, ProcessLifecycleTest.classPath()), main.getName()));
        c.addAll(Arrays.asList(args));
        return command(c.toArray(String[]::new));
    }

    /** The WHIP endpoint URL (reachable inside the namespace). */
    public String whipEndpoint() {
        return "http://127.0.0.1:7080/whip/endpoint/pcmtrack";
    }

    /** Janus's HTTP API URL (reachable inside the namespace). */
    public String janusApi() {
        return "http://127.0.0.1:8088/janus";
    }

    /** The bearer token the WHIP endpoint wants. */
    public String token() {
        return token;
    }

    public Duration startup() {
        return startup;
    }

    /** Janus's and simple-whip-server's logs, for failure messages. */
    public String logs() {
        StringBuilder b = new StringBuilder();
        for (String name : List.of("janus.log", "whip.log")) {
            Path p = work.resolve(name);
            try {
                List<String> lines = Files.exists(p) ? Files.readAllLines(p) : List.of();
                b.append("--- ").append(name).append(" (last 40 lines)\n");
                lines.subList(Math.max(0, lines.size() - 40), lines.size()).forEach(l -> b.append(l).append('\n'));
            } catch (IOException e) {
                b.append("--- ").append(name).append(": ").append(e).append('\n');
            }
        }
        return b.toString();
    }

    private void awaitLine(Path log, String line, int seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            if (Files.exists(log) && Files.readString(log, StandardCharsets.ISO_8859_1).contains(line)) {
                return;
            }
            for (Process p : processes) {
                if (!p.isAlive()) {
                    throw new IllegalStateException("a process of the SFU exited with " + p.exitValue()
                            + " before '" + line + "'\n" + logs());
                }
            }
            Thread.sleep(20);
        }
        throw new IllegalStateException("no '" + line + "' in " + log.getFileName() + " within " + seconds + " s\n" + logs());
    }

    private static void run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " failed: " + out.strip());
        }
    }

    /** Stops the SFU's processes and removes the namespace and the work directory. */
    @Override
    public void close() {
        for (Process p : processes) {
            p.destroy();
        }
        for (Process p : processes) {
            try {
                if (!p.waitFor(5, TimeUnit.SECONDS)) {
                    p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (namespaceCreated) {
            try {
                run("ip", "netns", "del", namespace);
            } catch (Exception e) {
                System.err.println("could not delete network namespace " + namespace + ": " + e.getMessage());
            }
        }
        try (var files = Files.walk(work)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            // a temporary directory left behind
        }
    }
}
