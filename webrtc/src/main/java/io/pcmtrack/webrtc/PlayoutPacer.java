package io.pcmtrack.webrtc;

import java.util.concurrent.locks.LockSupport;

/**
 * Keeps webrtc-java's headless playout device pulling at real time.
 *
 * <p>The device ({@code HeadlessAudioDeviceModule}, which {@link WebRtcFactories#receiver()} uses) has a thread
 * that pulls 10 ms of received audio, which calls the sinks, and then sleeps {@code 10 - elapsed} milliseconds,
 * with {@code elapsed} measured in whole milliseconds of the monotonic clock. The next pull counts its 10 ms from
 * the millisecond it woke in. So whatever a sleep overshoots is lost for good: on a virtual machine whose 10 ms
 * sleeps take 10.3 ms the device pulls at 0.97 of real time. NetEq, the jitter buffer it pulls from, then fills,
 * holds more delay than the network needs and shortens the audio by the same 3 % to catch up.
 *
 * <p>A pull whose sinks return just past a whole millisecond makes the device sleep to 10 whole milliseconds after
 * the millisecond the pull began in. Its next pull then begins that far after the boundary only by the sleep's own
 * overshoot, and the overshoot stops adding up from one pull to the next as long as it stays under a millisecond.
 * {@link #afterDelivery()} does that: on the first delivery of a pull it holds the pulling thread until just past
 * the next whole millisecond (at most 1 ms, parked but for the last 0.2 ms, which it spins; the thread is the
 * device's, and the other sinks of the pull are called after it). A pull is told from the next by time: a
 * delivery that comes a millisecond or more after the thread's last one returned starts a new pull (the device
 * sleeps at least that long between pulls; the sinks of one pull are called microseconds apart), so a pull that
 * delivers to many receivers is held once, however long it takes.
 * {@link System#nanoTime()} reads the monotonic clock the device reads, so both agree on where a millisecond
 * begins.
 *
 * <p>Measured on this machine (docs/BENCHMARKS.md, "The receiving device's pace"): in alternating 1-minute runs
 * the device's pace was 0.988-0.998 of real time paced against 0.963-0.991 not, and NetEq removed a quarter to
 * two thirds less audio.
 *
 * <p>A device that keeps its own deadlines (a sound card's, or a future webrtc-java whose loop does) only sees
 * its sinks return up to a millisecond later.
 */
final class PlayoutPacer {
    /**
     * The default of {@link WebRtcAudioReceiver.Options#pacePlayout(boolean)}: on Linux, where libwebrtc's
     * milliseconds and {@link System#nanoTime()} are both read from {@code CLOCK_MONOTONIC} (measured there), unless
     * the system property {@code pcmtrack.webrtc.pacePlayout} is {@code false}; elsewhere off, unless it is
     * {@code true}. With the two clocks apart, a hold would end past the device's millisecond by the offset and
     * make the pace worse.
     */
    static final boolean DEFAULT = Boolean.parseBoolean(System.getProperty("pcmtrack.webrtc.pacePlayout",
            String.valueOf(System.getProperty("os.name", "").startsWith("Linux"))));

    private static final long MILLISECOND = 1_000_000L;
    /** The last stretch before the boundary, spun rather than parked: at most this much CPU per 10 ms pull. */
    private static final long SPIN_NANOS = 200_000L;
    /**
     * A delivery this long or longer after the thread's last one returned starts a new pull: the device sleeps
     * at least a millisecond between pulls, while the sinks of one pull are called microseconds apart.
     */
    private static final long NEW_PULL_GAP_NANOS = MILLISECOND;
    /** Per pulling thread: when its last delivery returned (nanoTime). */
    private static final ThreadLocal<long[]> LAST_RETURN =
            ThreadLocal.withInitial(() -> new long[] {System.nanoTime() - 1_000 * MILLISECOND});

    private PlayoutPacer() {
    }

    /**
     * Called on the pulling thread after a sink delivered its audio: holds the first delivery of a pull until just
     * past the next whole millisecond.
     */
    static void afterDelivery() {
        long[] last = LAST_RETURN.get();
        long end = holdUntil(last[0], System.nanoTime());
        // Parked to shortly before the boundary (a park ends 0.1-0.3 ms late on a VM), then the rest spun, so that
        // the pull ends as close past the boundary as it can: what it ends late adds to the sleep's own overshoot.
        // A park may also end early (spuriously, or at once if the thread is interrupted): a few tries.
        for (int i = 0; i < 3; i++) {
            long left = end - SPIN_NANOS - System.nanoTime();
            if (left <= 0) {
                break;
            }
            LockSupport.parkNanos(left);
        }
        while (end - System.nanoTime() > 0) {
            Thread.onSpinWait();
        }
        last[0] = System.nanoTime();
    }

    /**
     * Where a delivery at {@code now} is held to, given when this thread's last delivery returned: {@code now}
     * itself (no hold) for a later delivery of the same pull, else, for the first of a new pull, the first instant
     * of the millisecond after {@code now}'s.
     */
    static long holdUntil(long lastReturn, long now) {
        if (now - lastReturn < NEW_PULL_GAP_NANOS) {
            return now;
        }
        return Math.floorDiv(now, MILLISECOND) * MILLISECOND + MILLISECOND;
    }
}
