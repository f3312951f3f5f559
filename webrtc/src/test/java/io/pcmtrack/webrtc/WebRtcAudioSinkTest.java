package io.pcmtrack.webrtc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.pcmtrack.AudioFrame;
import io.pcmtrack.AudioStreamTrack;
import io.pcmtrack.PcmData;
import io.pcmtrack.PcmFormat;
import io.pcmtrack.SampleFormat;
import io.pcmtrack.VirtualClock;
import org.junit.jupiter.api.Test;

/** The publishing conversion path, without the native library. */
class WebRtcAudioSinkTest {

    /** Records every push (copying the reused array). */
    static final class Recorder implements AudioPush {
        final List<byte[]> chunks = new ArrayList<>();
        final List<int[]> params = new ArrayList<>();

        @Override
        public void push(byte[] data, int bits, int rate, int channels, int frames) {
            chunks.add(data.clone());
            params.add(new int[] {bits, rate, channels, frames});
        }

        short sample(int chunk, int index) {
            byte[] b = chunks.get(chunk);
            return (short) ((b[2 * index] & 0xff) | (b[2 * index + 1] << 8));
        }
    }

    private static AudioFrame frameOf(AudioStreamTrack track, PcmData pcm) throws InterruptedException {
        track.write(pcm);
        return track.recv();
    }

    @Test
    void s16MonoFrameOf20msIsPushedAsTwo10msChunksInLittleEndian() throws Exception {
        AudioStreamTrack track = AudioStreamTrack.builder().clock(new VirtualClock()).build();
        short[] in = Signals.tone(48_000, 1, 1000, -6, 0, 960);
        in[0] = 0x1234;
        in[959] = -2;
        Recorder r = new Recorder();
        WebRtcAudioSink sink = new WebRtcAudioSink(track.format(), track.samplesPerFrame(), r);

        sink.onFrame(frameOf(track, PcmData.ofShorts(48_000, 1, in)));

        assertThat(r.chunks).hasSize(2);
        assertThat(r.chunks.get(0)).hasSize(960);
        assertThat(r.params.get(0)).containsExactly(16, 48_000, 1, 480);
        assertThat(r.chunks.get(0)[0]).isEqualTo((byte) 0x34);
        assertThat(r.chunks.get(0)[1]).isEqualTo((byte) 0x12);
        for (int i = 0; i < 960; i++) {
            assertThat(r.sample(i / 480, i % 480)).as("sample %d", i).isEqualTo(in[i]);
        }
        assertThat(sink.pushes()).isEqualTo(2);
        assertThat(sink.frames()).isEqualTo(1);
    }

    @Test
    void f32StereoAt44100IsConvertedWithTheContractsRounding() throws Exception {
        AudioStreamTrack track = AudioStreamTrack.builder().clock(new VirtualClock()).sampleRate(44_100).channels(2)
                .sampleFormat(SampleFormat.F32).frameDuration(Duration.ofMillis(30)).build();
        float[] in = new float[1323 * 2];
        for (int i = 0; i < in.length; i++) {
            in[i] = (float) Math.sin(i * 0.01) * 1.2f; // past full scale: clamped
        }
        in[1] = Float.NaN;
        Recorder r = new Recorder();
        WebRtcAudioSink sink = new WebRtcAudioSink(track.format(), track.samplesPerFrame(), r);

        sink.onFrame(frameOf(track, PcmData.ofFloats(44_100, 2, in)));

        assertThat(r.chunks).hasSize(3);
        assertThat(r.params.get(2)).containsExactly(16, 44_100, 2, 441);
        assertThat(r.chunks.get(2)).hasSize(441 * 2 * 2);
        for (int i = 0; i < in.length; i++) {
            float f = in[i];
            short expected = f != f ? 0 : (short) Math.round(Math.max(-1f, Math.min(1f, f)) * 32767f);
            assertThat(r.sample(i / 882, i % 882)).as("sample %d", i).isEqualTo(expected);
        }
    }

    @Test
    void acceptsTheRatesLibwebrtcTakesWithAnyWholeNumberOf10msPerFrame() {
        for (int rate : new int[] {8_000, 16_000, 24_000, 32_000, 44_100, 48_000}) {
            for (int ms : new int[] {10, 20, 40}) {
                Recorder r = new Recorder();
                WebRtcAudioSink sink = new WebRtcAudioSink(PcmFormat.s16(rate, 1), rate * ms / 1000, r);
                sink.onFrame(AudioFrame.allocate(PcmFormat.s16(rate, 1), rate * ms / 1000));
                assertThat(r.chunks).as("%d Hz, %d ms", rate, ms).hasSize(ms / 10);
                assertThat(r.params.get(0)[3]).isEqualTo(rate / 100);
            }
        }
    }

    @Test
    void rejectsWhatLibwebrtcWouldDropNamingTheValue() {
        AudioPush none = (d, b, r, c, f) -> { };
        assertThatThrownBy(() -> new WebRtcAudioSink(PcmFormat.s16(48_000, 3), 960, none))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1 or 2, got 3");
        assertThatThrownBy(() -> new WebRtcAudioSink(PcmFormat.s16(22_050, 1), 441, none))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("22050 Hz");
        assertThatThrownBy(() -> new WebRtcAudioSink(PcmFormat.s16(96_000, 1), 960, none))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("96000 Hz");
        assertThatThrownBy(() -> new WebRtcAudioSink(PcmFormat.s16(48_000, 1), 1200, none))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("got 1200 samples per frame");
        assertThatThrownBy(() -> new WebRtcAudioSink(new PcmFormat(48_000, 1, SampleFormat.S24), 960, none))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("S24");
        WebRtcAudioSink sink = new WebRtcAudioSink(PcmFormat.s16(48_000, 1), 960, none);
        assertThatThrownBy(() -> sink.onFrame(AudioFrame.allocate(PcmFormat.s16(48_000, 1), 480)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("960 samples per channel");
    }

    @Test
    void conversionPathAllocatesNothingPerFrame() {
        com.sun.management.ThreadMXBean tmx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long[] checksum = new long[1];
        AudioPush consume = (data, bits, rate, channels, frames) -> checksum[0] += data[frames] + bits + rate + channels;
        for (PcmFormat format : new PcmFormat[] {PcmFormat.s16(48_000, 1), PcmFormat.f32(48_000, 2),
                PcmFormat.s16(44_100, 2), PcmFormat.f32(16_000, 1)}) {
            int spf = format.sampleRate() / 50;
            AudioFrame frame = AudioFrame.allocate(format, spf);
            WebRtcAudioSink sink = new WebRtcAudioSink(format, spf, consume);
            for (int i = 0; i < 20_000; i++) {
                sink.onFrame(frame); // warm-up: JIT compilation may allocate
            }
            long before = tmx.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < 50_000; i++) {
                sink.onFrame(frame);
            }
            long allocated = tmx.getCurrentThreadAllocatedBytes() - before;
            assertThat(allocated).as("bytes allocated by 50,000 frames of %s", format).isLessThan(1_024);
        }
        assertThat(checksum[0]).isNotZero();
    }
}
