package io.pcmtrack.agent;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import io.pcmtrack.AudioFrame;
import io.pcmtrack.FrameScheduler;
import io.pcmtrack.PcmData;
import io.pcmtrack.VirtualClock;

/**
 * A call in virtual time: the caller's audio goes to the agent in chunks, each when its last
 * sample has "arrived" (the clock advanced by the chunk), right after the agent's track emitted
 * the frames due by then through a manual scheduler. The emitted frames are kept by pts, as
 * the far end would hear them.
 */
final class SimulatedCall implements AutoCloseable {
    final VirtualClock clock = new VirtualClock();
    final ParrotAgent agent;
    final FrameScheduler scheduler = FrameScheduler.manual(clock);
    final List<AgentEvent> events = new ArrayList<>();
    final int outputRate;
    /** Emitted audio as floats, indexed by pts. */
    private float[] output = new float[48_000 * 10];
    private int outputLength;
    /** One entry per emitted frame: pts, whether silent, the track's played position after it. */
    final List<long[]> frames = new ArrayList<>();

    SimulatedCall(AgentOptions.Builder options) {
        agent = ParrotAgent.create(options.clock(clock).build());
        outputRate = agent.track().format().sampleRate();
        agent.addListener(events::add);
        scheduler.attach(agent.track(), this::onFrame);
        scheduler.runDue();
    }

    SimulatedCall() {
        this(AgentOptions.builder());
    }

    private void onFrame(AudioFrame frame) {
        int n = frame.samplesPerChannel();
        int at = (int) frame.pts();
        if (at + n > output.length) {
            output = Arrays.copyOf(output, Math.max(at + n, output.length * 2));
        }
        short[] s = frame.shorts();
        for (int i = 0; i < n; i++) {
            output[at + i] = s[i] / 32768f;
        }
        outputLength = at + n;
        frames.add(new long[] {frame.pts(), frame.isSilence() ? 1 : 0, agent.track().playedPosition()});
    }

    /** Feeds {@code pcm} in chunks of {@code chunkMillis} of its audio (the last one may be shorter). */
    void feed(PcmData pcm, int chunkMillis) {
        int rate = pcm.format().sampleRate();
        int channels = pcm.format().channels();
        byte[] bytes = pcm.toBytes();
        int frameBytes = channels * pcm.format().sampleFormat().bytesPerSample();
        int chunk = (int) ((long) chunkMillis * rate / 1000);
        for (int at = 0; at < pcm.samplesPerChannel(); at += chunk) {
            int n = Math.min(chunk, pcm.samplesPerChannel() - at);
            PcmData piece = PcmData.ofBytes(pcm.format(),
                    Arrays.copyOfRange(bytes, at * frameBytes, (at + n) * frameBytes));
            clock.advance(Duration.ofNanos((long) n * 1_000_000_000L / rate));
            scheduler.runDue();
            agent.accept(piece);
        }
    }

    void feed(PcmData pcm) {
        feed(pcm, 20);
    }

    /** The caller is silent for {@code ms} (digital silence at 16 kHz). */
    void idle(int ms) {
        feed(new Signals(16_000).silence(ms).pcm());
    }

    /** The emitted audio, pts 0 up to the last frame. */
    float[] output() {
        return Arrays.copyOf(output, outputLength);
    }

    /** Runs of consecutive non-silent frames (the agent talking): {startSample, endSample} by pts. */
    List<int[]> talkRuns() {
        List<int[]> runs = new ArrayList<>();
        int[] current = null;
        for (long[] f : frames) {
            boolean audio = f[1] == 0;
            int pts = (int) f[0];
            int frameSamples = agent.track().samplesPerFrame();
            if (audio && current != null && current[1] == pts) {
                current[1] = pts + frameSamples;
            } else if (audio) {
                current = new int[] {pts, pts + frameSamples};
                runs.add(current);
            } else {
                current = null;
            }
        }
        return runs;
    }

    /** A run without its trailing exact zeros (the padding of its last frame). */
    int[] trimmed(int[] run) {
        float[] out = output;
        int end = run[1];
        while (end > run[0] && out[end - 1] == 0f) {
            end--;
        }
        return new int[] {run[0], end};
    }

    double millis(int outputSamples) {
        return outputSamples * 1000.0 / outputRate;
    }

    <T extends AgentEvent> List<T> events(Class<T> type) {
        return events.stream().filter(type::isInstance).map(type::cast).toList();
    }

    @Override
    public void close() {
        agent.close();
        scheduler.close();
    }
}
