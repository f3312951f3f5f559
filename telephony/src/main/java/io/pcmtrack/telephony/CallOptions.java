package io.pcmtrack.telephony;

import java.time.Duration;
import java.util.Objects;

import io.pcmtrack.FrameScheduler;
import io.pcmtrack.PcmFormat;
import io.pcmtrack.dsp.Resampler;

/**
 * How the calls of one endpoint run: the scheduler that paces their outgoing audio, the send-ahead
 * lead, the format the application wants the caller's audio in, and the per-connection limits.
 *
 * <pre>{@code
 * FrameScheduler scheduler = new FrameScheduler(MediaClock.system());
 * CallOptions options = CallOptions.of(scheduler)
 *         .lead(Duration.ofMillis(100))
 *         .receiveFormat(PcmFormat.s16(16_000, 1));
 * }</pre>
 */
public final class CallOptions {
    /** The most lead allowed: more only adds latency to every barge-in. */
    public static final Duration MAX_LEAD = Duration.ofSeconds(1);

    private final FrameScheduler scheduler;
    private Duration lead = Duration.ofMillis(100);
    private PcmFormat receiveFormat;
    private Duration receiveBufferLimit = Duration.ofSeconds(10);
    private Duration sendBufferLimit = Duration.ofSeconds(30);
    private int maxMessageBytes = 64 * 1024;
    private int maxMessagesPerSecond = 400;
    private Duration markEchoTimeout = Duration.ofSeconds(10);
    private Resampler.Quality resampling = Resampler.Quality.TELEPHONY;

    private CallOptions(FrameScheduler scheduler) {
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    }

    /** Options whose calls are paced by {@code scheduler} (and its clock). */
    public static CallOptions of(FrameScheduler scheduler) {
        return new CallOptions(scheduler);
    }

    /**
     * How far ahead of the provider's playback the call keeps its audio, 0..{@link #MAX_LEAD},
     * rounded up to whole 20 ms frames; default 100 ms. A scheduler stall shorter than the lead is
     * inaudible; every barge-in and every utterance is that much later.
     */
    public CallOptions lead(Duration d) {
        if (d == null || d.isNegative() || d.compareTo(MAX_LEAD) > 0) {
            throw new IllegalArgumentException("lead must be 0.." + MAX_LEAD.toMillis() + " ms, got " + d);
        }
        this.lead = d;
        return this;
    }

    /** Format of the caller's audio as delivered; default: as it arrives (mono S16 at the wire's rate). */
    public CallOptions receiveFormat(PcmFormat f) {
        this.receiveFormat = Objects.requireNonNull(f, "receiveFormat");
        return this;
    }

    /** Most caller audio queued before the oldest is dropped, &gt; 0; default 10 s. */
    public CallOptions receiveBufferLimit(Duration d) {
        this.receiveBufferLimit = positive(d, "receiveBufferLimit");
        return this;
    }

    /** Buffer limit of each call's outgoing track, &gt; 0; default 30 s. */
    public CallOptions sendBufferLimit(Duration d) {
        this.sendBufferLimit = positive(d, "sendBufferLimit");
        return this;
    }

    /** Largest message accepted from the provider, 1 KiB..16 MiB; larger ones are dropped and counted. Default 64 KiB. */
    public CallOptions maxMessageBytes(int bytes) {
        if (bytes < 1024 || bytes > 16 * 1024 * 1024) {
            throw new IllegalArgumentException("maxMessageBytes must be 1024..16777216, got " + bytes);
        }
        this.maxMessageBytes = bytes;
        return this;
    }

    /**
     * Messages accepted per connection and second, 10..100000; those over it are dropped and
     * counted. A provider sends 50 media messages a second plus a few events. Default 400.
     */
    public CallOptions maxMessagesPerSecond(int n) {
        if (n < 10 || n > 100_000) {
            throw new IllegalArgumentException("maxMessagesPerSecond must be 10..100000, got " + n);
        }
        this.maxMessagesPerSecond = n;
        return this;
    }

    /**
     * How long after its audio should have played a mark's echo may be missing before it is
     * logged and counted as overdue (it stays pending and ends with the call); default 10 s.
     */
    public CallOptions markEchoTimeout(Duration d) {
        this.markEchoTimeout = positive(d, "markEchoTimeout");
        return this;
    }

    /**
     * The filter for every rate conversion of a call: the agent's audio into the wire's rate (24 kHz
     * text-to-speech to 8 kHz, say) and the caller's audio into {@link #receiveFormat}. Default
     * {@link Resampler.Quality#TELEPHONY}: its images and aliases (below -100 dB for tones up to 0.4 of the
     * lower rate) lie under the noise floor of the wire formats themselves (G.711 about -38 dB, 16-bit L16
     * about -98 dB), its passband reaches 3.69 kHz at 8 kHz (the telephone band ends at 3.4), its lookahead
     * is 2 ms instead of 5 at 8 kHz, and it runs 1.5 to 2 times as fast. {@link Resampler.Quality#STANDARD}
     * for the library's default filter.
     */
    public CallOptions resampling(Resampler.Quality q) {
        this.resampling = Objects.requireNonNull(q, "resampling");
        return this;
    }

    public FrameScheduler scheduler() {
        return scheduler;
    }

    public Duration lead() {
        return lead;
    }

    /** The requested receive format, or null for the wire's own. */
    public PcmFormat receiveFormat() {
        return receiveFormat;
    }

    public Duration receiveBufferLimit() {
        return receiveBufferLimit;
    }

    public Duration sendBufferLimit() {
        return sendBufferLimit;
    }

    public int maxMessageBytes() {
        return maxMessageBytes;
    }

    public int maxMessagesPerSecond() {
        return maxMessagesPerSecond;
    }

    public Duration markEchoTimeout() {
        return markEchoTimeout;
    }

    public Resampler.Quality resampling() {
        return resampling;
    }

    CallOptions copy() {
        CallOptions c = new CallOptions(scheduler);
        c.lead = lead;
        c.receiveFormat = receiveFormat;
        c.resampling = resampling;
        c.receiveBufferLimit = receiveBufferLimit;
        c.sendBufferLimit = sendBufferLimit;
        c.maxMessageBytes = maxMessageBytes;
        c.maxMessagesPerSecond = maxMessagesPerSecond;
        c.markEchoTimeout = markEchoTimeout;
        return c;
    }

    private static Duration positive(Duration d, String name) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be > 0, got " + d);
        }
        return d;
    }
}
