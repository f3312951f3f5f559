package io.pcmtrack.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.pcmtrack.AudioStreamTrack;
import io.pcmtrack.PcmData;
import io.pcmtrack.PcmFormat;
import io.pcmtrack.TrackEndedException;
import io.pcmtrack.agent.AgentOptions;
import io.pcmtrack.io.WavWriter;
import io.pcmtrack.server.PcmTrackServer;
import io.pcmtrack.server.ServerStartException;
import io.pcmtrack.server.WhipPublication;
import io.pcmtrack.webrtc.WebRtcFactories;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code pcmtrack serve}: live tracks over WHEP, microphones over WHIP, and a page to try both,
 * until interrupted.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Serves a voice agent to talk to at / (microphone over WHIP, its voice over WHEP), live tracks over WHEP",
                "and takes audio over WHIP, until interrupted.",
                "Every listener of a track hears the same live stream; each INPUT loops for as long as the server runs."})
final class ServeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @ParentCommand
    Main main;

    @Option(names = "--host", defaultValue = "127.0.0.1",
            description = "Address to listen on. Default: ${DEFAULT-VALUE} (this machine only; media then stays on 127.0.0.1 too).")
    String host;

    @Option(names = "--port", defaultValue = "8080", description = "Port to listen on; 0 for any free one. Default: ${DEFAULT-VALUE}.")
    int port;

    @Option(names = "--token", paramLabel = "TOKEN", description = "Every request must carry Authorization: Bearer TOKEN.")
    String token;

    @Option(names = "--track", paramLabel = "NAME=INPUT",
            description = "Serve INPUT at POST /whep/NAME: a WAV file, tone:HZ, sweep, or - (raw PCM on stdin, needs --in-format). Repeatable.")
    List<String> tracks = new ArrayList<>();

    @Option(names = "--in-format", paramLabel = "FMT:RATE:CH", description = "Format of stdin for a track '-', e.g. s16:16000:1.")
    String inFormat;

    @Option(names = "--allow-origin", paramLabel = "ORIGIN",
            description = "A web page origin (https://app.example) allowed to call the endpoints, or *. Repeatable.")
    List<String> origins = new ArrayList<>();

    @Option(names = "--max-sessions", defaultValue = "100", description = "Most WHEP and WHIP sessions at once. Default: ${DEFAULT-VALUE}.")
    int maxSessions;

    @Option(names = "--max-agent-sessions", defaultValue = "20",
            description = "Most voice-agent conversations at once (each is two peer connections). Default: ${DEFAULT-VALUE}.")
    int maxAgentSessions;

    @Option(names = "--max-agent-sessions-per-client", defaultValue = "3",
            description = "Most voice-agent conversations one client address has at once. Default: ${DEFAULT-VALUE}.")
    int maxAgentSessionsPerClient;

    @Option(names = "--record", paramLabel = "DIR", description = "Save each WHIP publication to DIR/NAME-ID.wav.")
    Path recordDir;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Map<String, String> inputs = parseTracks();
        PcmFormat stdinFormat = inFormat == null ? null : Sources.parseFormat(inFormat);
        if (recordDir != null && !Files.isDirectory(recordDir)) {
            throw new UserException("--record must name an existing directory, got " + recordDir);
        }
        PcmTrackServer.Builder builder;
        try {
            builder = PcmTrackServer.builder().host(host).port(port).token(token).maxSessions(maxSessions)
                    .agent(AgentOptions.defaults()).maxAgentSessions(maxAgentSessions)
                    .maxAgentSessionsPerClient(maxAgentSessionsPerClient).twilio()
                    .whip(p -> receive(p, out));
            for (String origin : origins) {
                builder.allowOrigin(origin);
            }
        } catch (IllegalArgumentException e) {
            throw new UserException(e.getMessage());
        }
        // Listeners come and go: keep libwebrtc's factory between them (disposing and recreating it
        // costs setup time and leaks more native memory than keeping it).
        Duration linger = WebRtcFactories.linger();
        WebRtcFactories.linger(Duration.ofSeconds(30));
        List<AudioStreamTrack> liveTracks = new ArrayList<>();
        List<LoopingFeeder> feeders = new ArrayList<>();
        PcmTrackServer server = null;
        Thread caller = Thread.currentThread();
        CountDownLatch stopped = new CountDownLatch(1);
        // Ctrl-C: wake the serving thread and give it time to end every session.
        Thread hook = new Thread(() -> {
            caller.interrupt();
            try {
                stopped.await(15, TimeUnit.SECONDS);
            } catch (InterruptedException ignored) {
                // exiting anyway
            }
        }, "pcmtrack-serve-shutdown");
        try {
            for (Map.Entry<String, String> e : inputs.entrySet()) {
                AudioStreamTrack track = AudioStreamTrack.builder().bufferLimit(Duration.ofSeconds(2)).build();
                liveTracks.add(track);
                feeders.add(new LoopingFeeder(e.getKey(), e.getValue(), stdinFormat, main.stdin, track, err));
                builder.track(e.getKey(), track);
            }
            server = builder.build().start();
            Runtime.getRuntime().addShutdownHook(hook);
            out.println("serving on " + server.url() + " (open it in a browser and talk to the agent; Ctrl-C to stop)");
            out.println("  agent POST " + server.url() + "/agent   a parrot voice agent per conversation, page at /");
            out.println("  phone WS   " + server.url().replace("http://", "ws://") + "/twilio   Twilio Media Streams to the same agent"
                    + (token == null ? "" : " (the stream's <Parameter name=\"token\">)"));
            for (Map.Entry<String, String> e : inputs.entrySet()) {
                out.println("  WHEP  POST " + server.url() + "/whep/" + e.getKey() + "   " + e.getValue() + ", looped");
            }
            out.println("  WHIP  POST " + server.url() + "/whip/NAME" + (recordDir == null ? "" : "   saved to " + recordDir));
            if (token != null) {
                out.println("  every request needs Authorization: Bearer <token>");
            }
            out.flush();
            try {
                new CountDownLatch(1).await();
            } catch (InterruptedException e) {
                // interrupted: stop serving
            }
            int sessions = server.sessions();
            int conversations = server.agentSessions();
            server.close();
            out.println("stopped: " + sessions + " session" + (sessions == 1 ? "" : "s") + " ended"
                    + (conversations == 0 ? "" : ", and " + conversations + " agent conversation" + (conversations == 1 ? "" : "s")));
            return 0;
        } catch (ServerStartException | IllegalArgumentException e) {
            throw new UserException(e.getMessage());
        } finally {
            if (server != null) {
                server.close();
            }
            for (LoopingFeeder f : feeders) {
                f.close();
            }
            for (AudioStreamTrack t : liveTracks) {
                t.close();
            }
            WebRtcFactories.linger(linger);
            stopped.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException | IllegalArgumentException e) {
                // already shutting down, or never added
            }
            Thread.interrupted();
        }
    }

    private Map<String, String> parseTracks() {
        Map<String, String> inputs = new LinkedHashMap<>();
        for (String t : tracks) {
            int eq = t.indexOf('=');
            if (eq <= 0 || eq == t.length() - 1) {
                throw new UserException("--track must be NAME=INPUT, e.g. --track tone=tone:440; got '" + t + "'");
            }
            String name = t.substring(0, eq);
            if (inputs.put(name, t.substring(eq + 1)) != null) {
                throw new UserException("--track " + name + " is given twice");
            }
        }
        if (inputs.values().stream().filter("-"::equals).count() > 1) {
            throw new UserException("only one --track can read stdin (-)");
        }
        return inputs;
    }

    /** Takes a WHIP publication's audio until it ends; reports it, and saves it with --record. */
    private void receive(WhipPublication p, PrintWriter out) throws IOException, InterruptedException {
        out.println("WHIP " + p.name() + ": publishing (" + p.id() + ")");
        out.flush();
        WavWriter wav = recordDir == null ? null
                : WavWriter.create(recordDir.resolve(p.name() + "-" + p.id() + ".wav"), p.receiver().format());
        long samples = 0;
        double peak = 0;
        try {
            while (true) { // until the receiver is closed and drained: read throws TrackEndedException
                PcmData chunk = p.receiver().read(Duration.ofMillis(200));
                if (chunk == null) {
                    continue;
                }
                samples += chunk.samplesPerChannel();
                for (float v : chunk.toFloats()) {
                    peak = Math.max(peak, Math.abs(v));
                }
                if (wav != null) {
                    wav.write(chunk);
                }
            }
        } catch (TrackEndedException e) {
            // the publication ended and everything it sent was read
        } finally {
            if (wav != null) {
                wav.close();
            }
        }
        out.printf(Locale.ROOT, "WHIP %s: ended after %.1f s of audio, peak %.1f dBFS%n", p.name(),
                samples / (double) p.receiver().format().sampleRate(), 20 * Math.log10(peak + 1e-12));
        out.flush();
    }
}
