package io.pcmtrack.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

import io.pcmtrack.PcmData;
import io.pcmtrack.io.WavFormatException;
import io.pcmtrack.io.WavReader;
import io.pcmtrack.io.WavWriter;
import io.pcmtrack.webrtc.WebRtcUnavailableException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code pcmtrack demo}: speech through a track and a real libwebrtc call, with a report. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Streams a speech sample through an AudioStreamTrack into a real libwebrtc call over "
                + "127.0.0.1 and receives it on the other side, in real time, as a TTS engine would: bursts of "
                + "50-400 ms at irregular times, 22.05 kHz in, 48 kHz out.",
                "Prints a report and writes received.wav, sent.wav and report.html into the output folder. "
                + "Exits 1 if a check fails."})
final class DemoCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--out", defaultValue = "pcmtrack-out", paramLabel = "DIR",
            description = "Output folder. Default: ${DEFAULT-VALUE}.")
    Path out;

    @Option(names = "--input", paramLabel = "WAV", description = "Speech to play instead of the bundled sample.")
    Path input;

    @Option(names = "--limit-seconds", paramLabel = "S", description = "Play at most this much of the input.")
    Double limitSeconds;

    @Option(names = "--seed", defaultValue = "7", description = "Seed of the bursty producer. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Override
    public Integer call() throws Exception {
        PrintWriter o = spec.commandLine().getOut();
        PcmData speech = load();
        if (limitSeconds != null) {
            if (limitSeconds <= 0) {
                throw new UserException("--limit-seconds must be > 0, got " + limitSeconds);
            }
            speech = trim(speech, limitSeconds);
        }
        try {
            Files.createDirectories(out);
        } catch (IOException e) {
            throw new UserException(out + ": cannot create the output folder: " + e.getMessage());
        }
        o.printf(Locale.ROOT, "pcmtrack demo: %.1f s of speech (%s) through a libwebrtc call on 127.0.0.1%n",
                speech.duration().toMillis() / 1000.0, speech.format());
        o.flush();
        Demo.Result r;
        try {
            r = new Demo(speech, seed, spec.commandLine().getErr()).run();
        } catch (WebRtcUnavailableException e) {
            throw new UserException("WebRTC is not available here: " + e.getMessage(), 1);
        }
        Path received = out.resolve("received.wav");
        Path sent = out.resolve("sent.wav");
        Path html = out.resolve("report.html");
        WavWriter.write(received, r.received());
        WavWriter.write(sent, r.sent());
        Files.writeString(html, r.report().render(), StandardCharsets.UTF_8);
        o.print(r.text());
        o.println("wrote " + received + ", " + sent + " and " + html);
        o.println(r.report().passed() ? "PASS" : "FAIL");
        return r.report().passed() ? 0 : 1;
    }

    private PcmData load() throws IOException {
        if (input == null) {
            try (InputStream in = DemoCommand.class.getResourceAsStream("speech-22k.wav")) {
                if (in == null) {
                    throw new IllegalStateException("the bundled speech sample is missing from the jar");
                }
                return WavReader.read(in);
            }
        }
        try {
            return WavReader.read(input);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new UserException(input + ": no such file");
        } catch (WavFormatException e) {
            throw new UserException(input + ": " + e.getMessage());
        }
    }

    private static PcmData trim(PcmData pcm, double seconds) {
        long frames = Math.min(pcm.samplesPerChannel(), Math.round(seconds * pcm.format().sampleRate()));
        if (frames == pcm.samplesPerChannel()) {
            return pcm;
        }
        byte[] bytes = java.util.Arrays.copyOf(pcm.toBytes(), (int) frames * pcm.format().bytesPerFrame());
        return PcmData.ofBytes(pcm.format(), bytes);
    }
}
