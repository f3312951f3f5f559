package io.pcmtrack.telephony;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import io.pcmtrack.FrameScheduler;
import io.pcmtrack.MediaClock;
import io.pcmtrack.PcmConverter;
import io.pcmtrack.PcmData;
import io.pcmtrack.PcmFormat;
import io.pcmtrack.TrackEndedException;
import io.pcmtrack.dsp.Resampler;
import org.junit.jupiter.api.Test;

/** The caller's audio: converted, bounded, and taken by read, future or listener. */
class CallAudioReceiverTest {

    private static short[] frame(int value) {
        short[] s = new short[160];
        java.util.Arrays.fill(s, (short) value);
        return s;
    }

    @Test
    void chunksComeOutInOrderInTheRequestedFormat() throws Exception {
        CallAudioReceiver r = new CallAudioReceiver(PcmFormat.f32(8000, 2), Duration.ofSeconds(1));
        r.accept(frame(16_384), 160, 8000);
        r.accept(frame(-8192), 160, 8000);
        PcmData first = r.read(Duration.ZERO);
        assertThat(first.format()).isEqualTo(PcmFormat.f32(8000, 2));
        assertThat(first.toFloats()).hasSize(320).containsOnly(0.5f);
        assertThat(r.read(Duration.ZERO).toFloats()).containsOnly(-0.25f);
        assertThat(r.read(Duration.ZERO)).isNull();
    }

    @Test
    void callerAudioIsResampledWithTheChosenFilter() throws Exception {
        java.util.Random random = new java.util.Random(3);
        short[][] frames = new short[10][160];
        for (short[] f : frames) {
            for (int i = 0; i < f.length; i++) {
                f[i] = (short) (random.nextGaussian() * 3000);
            }
        }
        for (Resampler.Quality q : Resampler.Quality.values()) {
            CallAudioReceiver r = new CallAudioReceiver(PcmFormat.s16(16_000, 1), Duration.ofSeconds(1), q);
            PcmConverter reference = new PcmConverter(PcmFormat.s16(8000, 1), PcmFormat.s16(16_000, 1), q);
            for (short[] f : frames) {
                r.accept(f, 160, 8000);
                short[] expected = reference.convert(PcmData.ofShorts(8000, 1, f)).toShorts();
                assertThat(r.read(Duration.ZERO).toShorts()).as("%s", q).containsExactly(expected);
            }
        }
        CallAudioReceiver byDefault = new CallAudioReceiver(PcmFormat.s16(16_000, 1), Duration.ofSeconds(1));
        CallAudioReceiver standard = new CallAudioReceiver(PcmFormat.s16(16_000, 1), Duration.ofSeconds(1),
                Resampler.Quality.STANDARD);
        byDefault.accept(frames[0], 160, 8000);
        byDefault.accept(frames[1], 160, 8000);
        standard.accept(frames[0], 160, 8000);
        standard.accept(frames[1], 160, 8000);
        byDefault.read(Duration.ZERO);
        standard.read(Duration.ZERO);
        assertThat(byDefault.read(Duration.ZERO).toShorts()).as("default: the telephony filter")
                .isNotEqualTo(standard.read(Duration.ZERO).toShorts());
        try (FrameScheduler scheduler = new FrameScheduler(MediaClock.system())) {
            assertThat(CallOptions.of(scheduler).resampling()).isEqualTo(Resampler.Quality.TELEPHONY);
        }
    }

    @Test
    void theOldestChunksAreDroppedOverTheLimit() throws Exception {
        CallAudioReceiver r = new CallAudioReceiver(PcmFormat.s16(8000, 1), Duration.ofMillis(50));
        for (int i = 1; i <= 5; i++) {
            r.accept(frame(i), 160, 8000);
        }
        assertThat(r.stats().droppedChunks()).isEqualTo(3);
        assertThat(r.read(Duration.ZERO).toShorts()[0]).isEqualTo((short) 4);
        assertThat(r.buffered()).isEqualTo(Duration.ofMillis(20));
    }

    @Test
    void aFutureGetsTheNextChunkAndEndingFailsTheRest() throws Exception {
        CallAudioReceiver r = new CallAudioReceiver(PcmFormat.s16(8000, 1), Duration.ofSeconds(1));
        CompletableFuture<PcmData> next = r.readAsync();
        CompletableFuture<PcmData> never = r.readAsync();
        r.accept(frame(7), 160, 8000);
        assertThat(next.get(5, TimeUnit.SECONDS).toShorts()[0]).isEqualTo((short) 7);
        r.close();
        assertThatThrownBy(() -> never.get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(TrackEndedException.class);
    }

    @Test
    void aListenerGetsEveryChunkAndSurvivesItsOwnExceptions() throws Exception {
        CallAudioReceiver r = new CallAudioReceiver(PcmFormat.s16(8000, 1), Duration.ofSeconds(1));
        List<Short> got = new CopyOnWriteArrayList<>();
        r.onAudio(chunk -> {
            got.add(chunk.toShorts()[0]);
            if (got.size() == 1) {
                throw new IllegalStateException("listener bug");
            }
        });
        for (int i = 1; i <= 3; i++) {
            r.accept(frame(i), 160, 8000);
        }
        TwilioWebSocketTest.waitUntil(() -> got.size() == 3, Duration.ofSeconds(5));
        assertThat(got).containsExactly((short) 1, (short) 2, (short) 3);
        assertThat(r.stats().listenerErrors()).isEqualTo(1);
        assertThatThrownBy(() -> r.read(Duration.ZERO)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void afterTheCallEndsReadsDrainTheQueueThenThrow() throws Exception {
        CallAudioReceiver r = new CallAudioReceiver(PcmFormat.s16(8000, 1), Duration.ofSeconds(1));
        r.accept(frame(3), 160, 8000);
        r.close();
        r.accept(frame(4), 160, 8000);              // nothing arrives after the end
        assertThat(r.read(Duration.ofSeconds(1)).toShorts()[0]).isEqualTo((short) 3);
        assertThatThrownBy(() -> r.read(Duration.ofSeconds(1))).isInstanceOf(TrackEndedException.class);
    }
}
