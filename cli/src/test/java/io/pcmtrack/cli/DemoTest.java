package io.pcmtrack.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.xml.parsers.DocumentBuilderFactory;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.pcmtrack.PcmData;
import io.pcmtrack.PcmFormat;
import io.pcmtrack.io.WavReader;

/** The demo and the WebRTC destination, through real libwebrtc calls on 127.0.0.1, in real time. */
class DemoTest {
    @TempDir
    Path dir;

    @Test
    void demoStreamsSpeechThroughACallAndWritesAPassingReport() throws Exception {
        CliTest.Run r = CliTest.run("demo", "--out", dir.toString(), "--limit-seconds", "4");
        assertThat(r.exit()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).contains("speech arrived").contains("end-to-end delay").contains("pacing p50/p99/max")
                .contains("heap after GC").contains("PASS");

        PcmData received = WavReader.read(dir.resolve("received.wav"));
        assertThat(received.format()).isEqualTo(PcmFormat.s16(48_000, 1));
        assertThat(received.duration().toMillis()).isBetween(3_500L, 7_000L);
        assertThat(WavReader.read(dir.resolve("sent.wav")).duration().toMillis()).isBetween(4_000L, 7_000L);

        String html = Files.readString(dir.resolve("report.html"), StandardCharsets.UTF_8);
        assertThat(html).contains("<p class=\"pass\">PASS</p>").doesNotContain("<script").doesNotContain("src=\"http").doesNotContain("href=\"http")
                .contains("Waveform envelope").contains("Buffer level").contains("Frame lateness").contains("Memory");
        Matcher svg = Pattern.compile("<svg .*?</svg>", Pattern.DOTALL).matcher(html);
        int charts = 0;
        while (svg.find()) {
            // Every chart is well-formed XML, or a browser would show nothing.
            DocumentBuilderFactory.newInstance().newDocumentBuilder()
                    .parse(new ByteArrayInputStream(svg.group().getBytes(StandardCharsets.UTF_8)));
            charts++;
        }
        assertThat(charts).isEqualTo(4);
    }

    @Test
    void streamsAToneIntoARealCall() {
        CliTest.Run r = CliTest.run("stream", "tone:440", "--seconds", "2", "--to", "webrtc-loopback");
        assertThat(r.exit()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).contains("streamed 2.00 s").contains("received").contains("jitter buffer");
        double received = Double.parseDouble(r.out().replaceAll("(?s).*received ([0-9.]+) s.*", "$1"));
        assertThat(received).isGreaterThan(1.9);
    }

    @Test
    void webrtcNeedsRealTime() {
        CliTest.Run r = CliTest.run("stream", "tone:440", "--to", "webrtc-loopback", "--fast");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("needs --realtime");
    }
}
