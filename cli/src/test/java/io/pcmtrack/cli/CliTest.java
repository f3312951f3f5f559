package io.pcmtrack.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.pcmtrack.PcmData;
import io.pcmtrack.PcmFormat;
import io.pcmtrack.dsp.SignalAnalysis;
import io.pcmtrack.io.WavReader;

/** The command line: every command, its help, and its answers to bad input. */
class CliTest {
    @TempDir
    Path dir;

    /** Exit code and what a run printed. */
    record Run(int exit, String out, String err) {
    }

    static Run run(InputStream stdin, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.run(args, stdin, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(exit, out.toString(), err.toString());
    }

    static Run run(String... args) {
        return run(InputStream.nullInputStream(), args);
    }

    @Test
    void theBundledSpeechSampleIsReadable() throws Exception {
        try (InputStream in = Main.class.getResourceAsStream("speech-22k.wav")) {
            PcmData speech = WavReader.read(in);
            assertThat(speech.format()).isEqualTo(PcmFormat.s16(22_050, 1));
            assertThat(speech.duration().toMillis()).isBetween(8_000L, 12_000L);
        }
    }

    @Test
    void versionAndHelpWorkEverywhere() {
        Run version = run("--version");
        assertThat(version.exit()).isZero();
        assertThat(version.out()).startsWith("pcmtrack ").contains("Java");
        for (String[] args : new String[][] {{"--help"}, {"demo", "--help"}, {"stream", "--help"}, {"soak", "--help"}}) {
            Run help = run(args);
            assertThat(help.exit()).as(String.join(" ", args)).isZero();
            assertThat(help.out()).contains("Usage:");
        }
        assertThat(run("--help").out()).contains("demo").contains("stream").contains("soak");
    }

    @Test
    void streamsAToneIntoAWavFile() throws Exception {
        Path wav = dir.resolve("tone.wav");
        Run r = run("stream", "tone:1000", "--seconds", "2", "--to", "wav:" + wav, "--fast");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("streamed 2.00 s").contains("wrote");
        PcmData pcm = WavReader.read(wav);
        assertThat(pcm.format()).isEqualTo(PcmFormat.s16(48_000, 1));
        assertThat(pcm.samplesPerChannel()).isEqualTo(2 * 48_000);
        float[] x = pcm.toFloats();
        SignalAnalysis.ToneFit fit = SignalAnalysis.fitTone(x, 4_800, 48_000, 1000, 48_000);
        assertThat(fit.amplitude()).isCloseTo(0.5, within(0.001));
        assertThat(fit.sinadDb()).isGreaterThan(80);
    }

    @Test
    void streamsASweepToNowhereWithOtherTrackSettings() {
        Run r = run("stream", "sweep", "--seconds", "1", "--rate", "16000", "--channels", "2", "--frame-ms", "10",
                "--buffer-ms", "300", "--overflow", "drop", "--fast");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("streamed 1.00 s").contains("100 frames");
    }

    @Test
    void streamsRawPcmFromStdinResampled() throws Exception {
        ByteBuffer b = ByteBuffer.allocate(16_000 * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 16_000; i++) {
            b.putShort((short) Math.round(16_000 * Math.sin(2 * Math.PI * 440 * i / 16_000.0)));
        }
        Path wav = dir.resolve("stdin.wav");
        Run r = run(new ByteArrayInputStream(b.array()), "stream", "-", "--in-format", "s16:16000:1",
                "--to", "wav:" + wav, "--fast");
        assertThat(r.exit()).as(r.err()).isZero();
        float[] x = WavReader.read(wav).toFloats();
        assertThat(x.length).isBetween(48_000, 48_000 + 960);
        assertThat(SignalAnalysis.fitTone(x, 4_800, 38_400, 440, 48_000).amplitude())
                .isCloseTo(16_000 / 32768.0, within(0.002));
    }

    @Test
    void streamsAWavFile() throws Exception {
        Path in = dir.resolve("in.wav");
        io.pcmtrack.io.WavWriter.write(in, PcmData.ofFloats(22_050, 1, SignalAnalysis.sine(22_050, 300, 22_050, 0.4, 0)));
        Path out = dir.resolve("out.wav");
        Run r = run("stream", in.toString(), "--to", "wav:" + out, "--channels", "2");
        assertThat(r.exit()).as(r.err()).isZero();
        PcmData pcm = WavReader.read(out);
        assertThat(pcm.format()).isEqualTo(PcmFormat.s16(48_000, 2));
        assertThat(pcm.samplesPerChannel()).isEqualTo(48_000);
    }

    @Test
    void missingFileIsOneLineAndExitCode2() {
        Run r = run("stream", dir.resolve("nope.wav").toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err().strip()).isEqualTo("pcmtrack: " + dir.resolve("nope.wav") + ": no such file");
    }

    @Test
    void malformedWavFilesAreOneLineAndExitCode2() throws Exception {
        Path garbage = dir.resolve("garbage.wav");
        Files.write(garbage, "OggS this is not a wave file at all".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        assertOneLineError(run("stream", garbage.toString()), garbage + ": not a WAV file");

        Path truncated = dir.resolve("truncated.wav");
        Files.write(truncated, java.util.Arrays.copyOf(validWav(), 30));
        assertOneLineError(run("stream", truncated.toString()), truncated + ": ");

        byte[] mp3 = validWav();
        ByteBuffer.wrap(mp3).order(ByteOrder.LITTLE_ENDIAN).putShort(20, (short) 0x55);
        Path codec = dir.resolve("mp3.wav");
        Files.write(codec, mp3);
        assertOneLineError(run("stream", codec.toString()), codec + ": unsupported WAV codec");

        byte[] huge = validWav();
        ByteBuffer.wrap(huge).order(ByteOrder.LITTLE_ENDIAN).putShort(22, (short) 0); // zero channels
        Path zero = dir.resolve("zero.wav");
        Files.write(zero, huge);
        assertOneLineError(run("stream", zero.toString()), zero + ": ");
    }

    @Test
    void badOptionsAreOneLineAndExitCode2() {
        assertOneLineError(run("stream", "tone:440", "--overflow", "sometimes"), "--overflow must be drop or block");
        assertOneLineError(run("stream", "-", "--in-format", "s17:16000:1"), "sample format must be one of");
        assertOneLineError(run("stream", "-"), "needs --in-format");
        assertOneLineError(run("stream", "tone:abc"), "tone needs a frequency");
        assertOneLineError(run("stream", "tone:440", "--rate", "5"), "sampleRate must be 1000..768000 Hz, got 5");
        assertOneLineError(run("stream", "tone:440", "--to", "speaker"), "--to must be");
        Run unknown = run("stream", "tone:440", "--frobnicate");
        assertThat(unknown.exit()).isEqualTo(2);
        assertThat(unknown.err()).contains("Unknown option").doesNotContain("Exception");
    }

    @Test
    void shortVirtualSoakPassesAndReportsMemory() {
        // RSS is not checked here: this JVM runs other tests too, and its heap is not fixed.
        Run r = run("soak", "--hours", "0.1", "--tracks", "20", "--sample-every", "0.02", "--max-growth-kib", "2048",
                "--max-rss-growth-kib", "1000000", "--warmup-seconds", "0");
        assertThat(r.exit()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).contains("| 0.02 |").contains("| 0.10 |").contains("missing frames: 0").contains("PASS");
        assertThat(r.out()).doesNotContain("950.00 ms"); // every frame went out on time in virtual time
    }

    @Test
    void aSoakWhoseSamplesAllFallInTheWarmUpFailsAndSaysWhy() {
        // 0.1 h of virtual time takes about a second: every sample falls in a 600 s warm-up.
        Run r = run("soak", "--hours", "0.1", "--tracks", "5", "--sample-every", "0.02", "--warmup-seconds", "600");
        assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(1);
        assertThat(r.out()).contains("(warm-up)").contains("heap n/a").contains("missing frames: 0")
                .contains("memory not measured: 0 of 5 samples fell after the warm-up of 600 s").contains("FAIL")
                .doesNotContain("PASS");
    }

    @Test
    void shortRealTimeSoakDeliversEveryFrame() {
        // 12 s of the system clock: 200 tracks through a scheduler thread, lateness measured for real.
        Run r = run("soak", "--realtime", "--hours", "0.00333", "--tracks", "200", "--sample-every", "0.001",
                "--max-growth-kib", "4096", "--max-rss-growth-kib", "1000000", "--warmup-seconds", "0");
        assertThat(r.exit()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).contains("real-time soak").contains("missing frames: 0").contains("PASS");
        // 200 tracks for 12 s: whatever the clock did, about 50 frames per track per second went out.
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("lateness over the run, ([\\d,]+) frames").matcher(r.out());
        assertThat(m.find()).as(r.out()).isTrue();
        assertThat(Long.parseLong(m.group(1).replace(",", ""))).isBetween(100_000L, 125_000L);
    }

    @Test
    void soakRejectsNonsense() {
        assertOneLineError(run("soak", "--hours", "0"), "soak needs --hours > 0");
        assertOneLineError(run("soak", "--warmup-seconds", "-1"), "soak needs --warmup-seconds >= 0; got -1");
    }

    private static void assertOneLineError(Run r, String fragment) {
        assertThat(r.exit()).as(r.err()).isEqualTo(2);
        assertThat(r.err().strip()).startsWith("pcmtrack: ").contains(fragment);
        assertThat(r.err().strip().lines().count()).as(r.err()).isLessThanOrEqualTo(2); // message (+ a --help hint)
        assertThat(r.err()).doesNotContain("\tat ").doesNotContain("Exception");
    }

    /** A valid 16-bit mono WAV of 100 samples. */
    private static byte[] validWav() throws Exception {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        io.pcmtrack.io.WavWriter.write(out, PcmData.ofShorts(8_000, 1, new short[100]));
        return out.toByteArray();
    }
}
