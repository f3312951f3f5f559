package io.pcmtrack.telephony;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;

import io.pcmtrack.FrameScheduler;
import io.pcmtrack.VirtualClock;
import org.junit.jupiter.api.Test;

/** Bad settings are refused with the value and the range in the message. */
class CallOptionsTest {
    private final CallOptions options = CallOptions.of(FrameScheduler.manual(new VirtualClock()));

    @Test
    void leadMustBeZeroToOneSecond() {
        assertThatThrownBy(() -> options.lead(Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("lead must be 0..1000 ms, got PT-0.001S");
        assertThatThrownBy(() -> options.lead(Duration.ofMillis(1001)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("got PT1.001S");
    }

    @Test
    void limitsMustBeInRange() {
        assertThatThrownBy(() -> options.maxMessageBytes(10))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("maxMessageBytes must be 1024..16777216, got 10");
        assertThatThrownBy(() -> options.maxMessagesPerSecond(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("maxMessagesPerSecond must be 10..100000, got 0");
        assertThatThrownBy(() -> options.receiveBufferLimit(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("receiveBufferLimit must be > 0, got PT0S");
    }

    @Test
    void telnyxRatesMustFitTheCodec() {
        assertThatThrownBy(() -> new TelnyxEndpoint(options, PhoneCodec.PCMU, 16_000, call -> { }))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("sampleRate must be 8000 for PCMU, got 16000");
        assertThatThrownBy(() -> new TelnyxEndpoint(options, PhoneCodec.L16, 44_100, call -> { }))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("sampleRate must be 8000 for L16 or 16000, got 44100");
    }
}
