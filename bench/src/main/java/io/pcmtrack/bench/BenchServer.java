package io.pcmtrack.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.pcmtrack.webrtc.CandidatePolicy;
import io.pcmtrack.webrtc.WebRtcSession;

/** A {@link ServeForBench} process, and WHEP listeners in this one that connect to it over 127.0.0.1. */
final class BenchServer implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private final Process process;
    private final BufferedReader out;
    private final Writer in;
    final String url;

    BenchServer(int maxSessions) throws IOException {
        this(maxSessions, -1);
    }

    /** @param lingerMs the server's {@code WebRtcFactories.linger}, or -1 for the default */
    BenchServer(int maxSessions, long lingerMs) throws IOException {
        this(maxSessions, lingerMs, null);
    }

    /**
     * @param lingerMs the server's {@code WebRtcFactories.linger}, or -1 for the default
     * @param aiortc   null for pcmtrack's server, else the path of {@code bench/aiortc/serve.py}:
     *                 aiortc serves instead (run by Debian's /usr/bin/python3)
     */
    BenchServer(int maxSessions, long lingerMs, String aiortc) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // A fixed, pre-touched heap: growth of the resident memory is then native memory, not the heap expanding.
        List<String> command = new java.util.ArrayList<>();
        if (aiortc != null) {
            command.addAll(List.of("/usr/bin/python3", aiortc));
        } else {
            command.addAll(List.of(java, "-Xms128m", "-Xmx128m", "-XX:+AlwaysPreTouch"));
            // e.g. -XX:NativeMemoryTracking=summary, to ask the server's JVM where its memory is (jcmd PID VM.native_memory)
            String extra = System.getProperty("bench.server.jvmArgs", "").trim();
            if (!extra.isEmpty()) {
                command.addAll(List.of(extra.split("\\s+")));
            }
            command.addAll(List.of("-cp", System.getProperty("java.class.path"), ServeForBench.class.getName(),
                    Integer.toString(maxSessions), lingerMs < 0 ? "" : Long.toString(lingerMs)));
        }
        process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        url = "http://127.0.0.1:" + Integer.parseInt(line("PORT ").substring(5).trim());
        System.out.println("server process " + process.pid() + ": " + String.join(" ", command.subList(0, Math.min(command.size(), 6))));
    }

    private String line(String prefix) throws IOException {
        for (String l; (l = out.readLine()) != null; ) {
            if (l.startsWith(prefix)) {
                return l;
            }
        }
        throw new IOException("the server process ended before printing '" + prefix + "'");
    }

    /** The server's STATS line (scheduler lateness since the previous call). */
    String stats() throws IOException {
        in.write("stats\n");
        in.flush();
        return line("STATS ");
    }

    /** {@link #stats()} after a full collection in the server (its heap then is what is live). */
    String statsAfterGc() throws IOException {
        in.write("stats gc\n");
        in.flush();
        return line("STATS ");
    }

    /** Calls glibc's {@code malloc_trim(0)} in the server (pcmtrack's only) and waits for it. */
    void trim() throws IOException {
        in.write("trim\n");
        in.flush();
        line("TRIMMED ");
    }

    /** Resident memory of the server process, in KiB. */
    long rssKb() throws IOException {
        for (String l : Files.readAllLines(Path.of("/proc/" + process.pid() + "/status"))) {
            if (l.startsWith("VmRSS:")) {
                return Long.parseLong(l.replaceAll("[^0-9]", ""));
            }
        }
        throw new IOException("no VmRSS for process " + process.pid());
    }

    /** CPU time the server process used so far, in clock ticks (1/100 s). */
    long cpuTicks() throws IOException {
        String stat = Files.readString(Path.of("/proc/" + process.pid() + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    /** A connected WHEP listener of {@code track}; {@link Listener#close()} DELETEs it. */
    Listener listen(String track) throws Exception {
        long start = System.nanoTime();
        WebRtcSession session = WebRtcSession.receiving(WebRtcSession.options().candidates(CandidatePolicy.LOOPBACK));
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url + "/whep/" + track))
                    .header("Content-Type", "application/sdp").POST(HttpRequest.BodyPublishers.ofString(session.offer()))
                    .build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 201) {
                throw new IOException("POST /whep/" + track + " got " + r.statusCode() + ": " + r.body().trim());
            }
            long posted = System.nanoTime();
            session.accept(r.body());
            session.awaitConnected(Duration.ofSeconds(20));
            return new Listener(session, url + r.headers().firstValue("Location").orElseThrow(),
                    System.nanoTime() - start, posted - start);
        } catch (Exception | Error e) {
            session.close();
            throw e;
        }
    }

    /**
     * A connected WHIP publisher to {@code /whip/NAME}; {@code audio} gets the sending session
     * before it offers (to attach a track), {@link Listener#close()} DELETEs it.
     */
    Listener publish(String name, java.util.function.Consumer<WebRtcSession> audio) throws Exception {
        long start = System.nanoTime();
        WebRtcSession session = WebRtcSession.sending(WebRtcSession.options().candidates(CandidatePolicy.LOOPBACK));
        try {
            audio.accept(session);
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url + "/whip/" + name))
                    .header("Content-Type", "application/sdp").POST(HttpRequest.BodyPublishers.ofString(session.offer()))
                    .build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 201) {
                throw new IOException("POST /whip/" + name + " got " + r.statusCode() + ": " + r.body().trim());
            }
            long posted = System.nanoTime();
            session.accept(r.body());
            session.awaitConnected(Duration.ofSeconds(20));
            return new Listener(session, url + r.headers().firstValue("Location").orElseThrow(),
                    System.nanoTime() - start, posted - start);
        } catch (Exception | Error e) {
            session.close();
            throw e;
        }
    }

    /** A WHEP or WHIP client session; {@link #close()} sends DELETE, then closes the client side. */
    static class Listener implements AutoCloseable {
        final WebRtcSession session;
        final String resource;
        /** From creating the client session to CONNECTED: offer, POST, answer, ICE and DTLS. */
        final long setupNanos;
        /** From creating the client session to the 201. */
        final long answeredNanos;

        Listener(WebRtcSession session, String resource, long setupNanos, long answeredNanos) {
            this.session = session;
            this.resource = resource;
            this.setupNanos = setupNanos;
            this.answeredNanos = answeredNanos;
        }

        @Override
        public void close() throws IOException {
            try {
                HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(resource)).DELETE().build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() != 200) {
                    throw new IOException("DELETE " + resource + " got " + r.statusCode());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while deleting " + resource, e);
            } finally {
                session.close();
            }
        }
    }

    @Override
    public void close() throws IOException {
        in.close();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
