package io.pcmtrack.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;

import io.pcmtrack.MediaClock;

import org.junit.jupiter.api.Test;

/** Thresholds have the documented defaults, and a bad value is named in the error. */
class OptionsTest {

    @Test
    void defaultsAreTheDocumentedOnes() {
        VadOptions v = VadOptions.defaults();
        assertThat(v.minSpeechLevel()).isEqualTo(-50);
        assertThat(v.margin()).isEqualTo(12);
        assertThat(v.floorWindow()).isEqualTo(Duration.ofSeconds(3));
        assertThat(v.minUtterance()).isEqualTo(Duration.ofMillis(300));
        assertThat(v.endSilence()).isEqualTo(Duration.ofMillis(500));
        assertThat(v.bargeIn()).isEqualTo(Duration.ofMillis(200));
        AgentOptions a = AgentOptions.defaults();
        assertThat(a.maxUtterance()).isEqualTo(Duration.ofSeconds(30));
        assertThat(a.burst()).isEqualTo(Duration.ofMillis(200));
        assertThat(a.lead()).isEqualTo(Duration.ofMillis(400));
        assertThat(a.fadeOut()).isEqualTo(Duration.ofMillis(10));
        assertThat(a.holdOnSpeech()).isTrue();
        assertThat(a.farEndBuffer()).isEqualTo(Duration.ZERO);
        assertThat(a.history()).isEqualTo(100);
    }

    @Test
    void badValuesAreNamed() {
        assertThatThrownBy(() -> VadOptions.builder().minSpeechLevel(3)).hasMessage("minSpeechLevel must be -100..0 dBFS, got 3.0");
        assertThatThrownBy(() -> VadOptions.builder().minSpeechLevel(Double.NaN)).hasMessageContaining("got NaN");
        assertThatThrownBy(() -> VadOptions.builder().margin(-1)).hasMessage("margin must be 0..60 dB, got -1.0");
        assertThatThrownBy(() -> VadOptions.builder().endSilence(Duration.ofMillis(5)))
                .hasMessage("endSilence must be 10 ms..60 s, got 5 ms");
        assertThatThrownBy(() -> VadOptions.builder().minUtterance(null)).hasMessage("minUtterance must be 10 ms..60 s, got null");
        assertThatThrownBy(() -> VadOptions.builder().bargeIn(Duration.ofMillis(-200)))
                .hasMessage("bargeIn must be 10 ms..60 s, got -200 ms");
        assertThatThrownBy(() -> VadOptions.builder().bargeIn(Duration.ofMillis(400)).build())
                .hasMessage("bargeIn (400 ms) must not be longer than minUtterance (300 ms)");
        assertThatThrownBy(() -> AgentOptions.builder().fadeOut(Duration.ofNanos(-1))).hasMessageStartingWith("fadeOut must be 0 ms..1 s");
        assertThatThrownBy(() -> AgentOptions.builder().maxUtterance(Duration.ofMinutes(11)))
                .hasMessage("maxUtterance must be 100 ms..600 s, got 660 s");
        assertThatThrownBy(() -> AgentOptions.builder().history(0)).hasMessage("history must be 1..100000 turns, got 0");
        assertThatThrownBy(() -> AgentOptions.builder().farEndBuffer(Duration.ofSeconds(2)))
                .hasMessage("farEndBuffer must be 0 ms..1 s, got 2 s");
        assertThatThrownBy(() -> AgentOptions.builder().lead(Duration.ofMillis(100)).build())
                .hasMessage("lead (100 ms) must be at least one burst (200 ms)");
        assertThatThrownBy(() -> AgentOptions.builder().clock(null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void aBuilderStartsFromExistingValues() {
        VadOptions v = VadOptions.defaults().toBuilder().endSilence(Duration.ofMillis(700)).build();
        assertThat(v.endSilence()).isEqualTo(Duration.ofMillis(700));
        assertThat(v.minUtterance()).isEqualTo(Duration.ofMillis(300));
        assertThat(v.toString()).contains("endSilence=700 ms");
        MediaClock clock = new io.pcmtrack.VirtualClock();
        AgentOptions a = AgentOptions.builder().vad(v).maxUtterance(Duration.ofSeconds(5)).burst(Duration.ofMillis(100))
                .lead(Duration.ofMillis(300)).fadeOut(Duration.ofMillis(5)).holdOnSpeech(false).farEndBuffer(Duration.ofMillis(100))
                .history(7).clock(clock).build();
        AgentOptions b = a.toBuilder().fadeOut(Duration.ZERO).build();
        assertThat(b.vad()).isSameAs(v);
        assertThat(b.maxUtterance()).isEqualTo(Duration.ofSeconds(5));
        assertThat(b.burst()).isEqualTo(Duration.ofMillis(100));
        assertThat(b.lead()).isEqualTo(Duration.ofMillis(300));
        assertThat(b.fadeOut()).isEqualTo(Duration.ZERO);
        assertThat(b.holdOnSpeech()).isFalse();
        assertThat(b.farEndBuffer()).isEqualTo(Duration.ofMillis(100));
        assertThat(b.history()).isEqualTo(7);
        assertThat(b.clock()).isSameAs(clock);
        assertThat(b.toString()).contains("holdOnSpeech=false");
    }
}
