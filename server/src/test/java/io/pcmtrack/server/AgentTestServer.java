package io.pcmtrack.server;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

import io.pcmtrack.agent.AgentOptions;
import io.pcmtrack.webrtc.WebRtcFactories;

/**
 * The server the agent's browser test talks to, in its own JVM inside the test's network
 * namespace: the voice agent with its default options ({@code --no-hold}: with
 * {@code holdOnSpeech(false)}, for comparisons). Says {@code PORT n} once it serves; answers
 * a line {@code sessions} on stdin with {@code SESSIONS n}, {@code threads} with
 * {@code THREADS total=n pcmtrack=m os=k} (Java threads alive, those named pcmtrack-*, after a
 * GC, and the process's threads as the kernel counts them, libwebrtc's included), and
 * {@code connections} with {@code CONNECTIONS n} (libwebrtc peer connections not freed yet,
 * {@code WebRtcFactories.liveConnections()}). Ends when its stdin closes, ending
 * every conversation, and says {@code CLOSED}.
 */
public final class AgentTestServer {
    private AgentTestServer() {
    }

    public static void main(String[] args) throws Exception {
        boolean hold = !java.util.Arrays.asList(args).contains("--no-hold");
        PcmTrackServer server = PcmTrackServer.builder().port(0)
                .agent(AgentOptions.defaults().toBuilder().holdOnSpeech(hold).build()).build().start();
        System.out.println("PORT " + server.port());
        System.out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line; (line = in.readLine()) != null; ) {
            if (line.equals("sessions")) {
                System.out.println("SESSIONS " + server.agentSessions());
                System.out.flush();
            } else if (line.equals("threads")) {
                System.gc();
                long pcmtrack = Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("pcmtrack-")).count();
                System.out.println("THREADS total=" + Thread.activeCount() + " pcmtrack=" + pcmtrack + " os=" + osThreads());
                System.out.flush();
            } else if (line.equals("connections")) {
                System.out.println("CONNECTIONS " + WebRtcFactories.liveConnections());
                System.out.flush();
            }
        }
        server.close();
        System.out.println("CLOSED");
        System.out.flush();
        System.exit(0);
    }

    private static long osThreads() throws java.io.IOException {
        for (String l : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
            if (l.startsWith("Threads:")) {
                return Long.parseLong(l.substring(8).trim());
            }
        }
        throw new IllegalStateException("no Threads: line in /proc/self/status");
    }
}
