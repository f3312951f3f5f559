package io.pcmtrack.webrtc;

import java.time.Duration;
import java.util.Arrays;

import io.pcmtrack.PcmData;
import io.pcmtrack.TrackEndedException;

/**
 * Collects a receiver's audio (mono, 16-bit) on a thread of its own, with the arrival time of
 * every chunk, so that tests can time events in the received signal.
 */
public final class Capture implements AutoCloseable {
    final int rate;
    private final WebRtcAudioReceiver receiver;
    private final Thread thread;
    private volatile boolean running = true;
    private short[] samples;
    private int size;
    private long[] chunkStart = new long[1024];
    private long[] chunkNanos = new long[1024];
    private int chunks;
    private volatile Throwable failure;

    private Capture(WebRtcAudioReceiver receiver, Duration capacity) {
        this.receiver = receiver;
        this.rate = receiver.format().sampleRate();
        this.samples = new short[(int) (capacity.toMillis() * rate / 1000)];
        this.thread = new Thread(this::run, "test-capture");
        this.thread.setDaemon(true);
    }

    public static Capture start(WebRtcAudioReceiver receiver, Duration capacity) {
        if (receiver.format().channels() != 1) {
            throw new IllegalArgumentException("capture takes mono, got " + receiver.format());
        }
        Capture c = new Capture(receiver, capacity);
        c.thread.start();
        return c;
    }

    private void run() {
        try {
            while (running) {
                PcmData pcm = receiver.read(Duration.ofMillis(50));
                long now = System.nanoTime();
                if (pcm == null) {
                    continue;
                }
                short[] s = pcm.toShorts();
                synchronized (this) {
                    if (size + s.length > samples.length) {
                        continue; // full: keep the beginning
                    }
                    if (chunks == chunkStart.length) {
                        chunkStart = Arrays.copyOf(chunkStart, chunks * 2);
                        chunkNanos = Arrays.copyOf(chunkNanos, chunks * 2);
                    }
                    chunkStart[chunks] = size;
                    chunkNanos[chunks] = now;
                    chunks++;
                    System.arraycopy(s, 0, samples, size, s.length);
                    size += s.length;
                }
            }
        } catch (TrackEndedException e) {
            // receiver closed
        } catch (Throwable t) {
            failure = t;
        }
    }

    /** Samples captured so far (a copy). */
    public synchronized short[] samples() {
        return Arrays.copyOf(samples, size);
    }

    synchronized int size() {
        return size;
    }

    /** Arrival time (System.nanoTime) of sample {@code index}: its chunk's arrival plus its offset in the chunk. */
    public synchronized long nanosOf(int index) {
        int lo = 0;
        int hi = chunks - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (chunkStart[mid] <= index) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return chunkNanos[lo] + (index - chunkStart[lo]) * 1_000_000_000L / rate;
    }

    /** Index of the first sample that arrived at or after {@code nanos}. */
    public synchronized int indexAt(long nanos) {
        for (int c = 0; c < chunks; c++) {
            if (chunkNanos[c] >= nanos) {
                return (int) chunkStart[c];
            }
        }
        return size;
    }

    /** Waits until {@code predicate} holds for the captured samples, or the timeout. */
    boolean awaitSamples(java.util.function.Predicate<short[]> predicate, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (predicate.test(samples())) {
                return true;
            }
            Thread.sleep(10);
        }
        return false;
    }

    Throwable failure() {
        return failure;
    }

    @Override
    public void close() {
        running = false;
        try {
            thread.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
