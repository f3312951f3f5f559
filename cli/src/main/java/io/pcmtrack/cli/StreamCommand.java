package io.pcmtrack.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import io.pcmtrack.AudioFrame;
import io.pcmtrack.AudioStreamTrack;
import io.pcmtrack.MediaClock;
import io.pcmtrack.OverflowPolicy;
import io.pcmtrack.PcmData;
import io.pcmtrack.PcmFormat;
import io.pcmtrack.TrackStats;
import io.pcmtrack.VirtualClock;
import io.pcmtrack.io.WavWriter;
import io.pcmtrack.webrtc.CandidatePolicy;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code pcmtrack stream INPUT --to ...}: any audio through a track to a WAV file, nowhere, or a real call. */
@Command(name = "stream", mixinStandardHelpOptions = true,
        description = "Feeds INPUT into an AudioStreamTrack and sends its paced frames to a destination.")
final class StreamCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @ParentCommand
    Main main;

    @Parameters(index = "0", paramLabel = "INPUT",
            description = "A WAV file, tone:HZ (e.g. tone:440), sweep, or - for raw PCM on stdin (needs --in-format).")
    String input;

    @Option(names = "--to", defaultValue = "null", paramLabel = "DEST",
            description = "whip:URL (publish through WHIP, RFC 9725), webrtc-loopback (a real libwebrtc call over "
                    + "127.0.0.1), wav:FILE, or null. Default: ${DEFAULT-VALUE}.")
    String to;

    @Option(names = "--token", paramLabel = "TOKEN",
            description = "Bearer token for whip:URL (sent as Authorization: Bearer TOKEN).")
    String token;

    @Option(names = "--candidates", defaultValue = "all", paramLabel = "loopback|host|all",
            description = "ICE candidates offered for whip:URL: 127.0.0.1 only, host addresses, or all (with STUN/TURN "
                    + "servers the endpoint announces). Default: ${DEFAULT-VALUE}.")
    String candidates;

    @Option(names = "--in-format", paramLabel = "FMT:RATE:CH",
            description = "Format of stdin, e.g. s16:16000:1; for tone and sweep, their rate and channels (default f32:48000:1).")
    String inFormat;

    @Option(names = "--seconds", defaultValue = "5", description = "Length of tone and sweep. Default: ${DEFAULT-VALUE}.")
    double seconds;

    @Option(names = "--rate", defaultValue = "48000", description = "Track sample rate. Default: ${DEFAULT-VALUE}.")
    int rate;

    @Option(names = "--channels", defaultValue = "1", description = "Track channels. Default: ${DEFAULT-VALUE}.")
    int channels;

    @Option(names = "--frame-ms", defaultValue = "20", description = "Frame duration in ms. Default: ${DEFAULT-VALUE}.")
    int frameMs;

    @Option(names = "--buffer-ms", defaultValue = "2000", description = "Track buffer limit in ms. Default: ${DEFAULT-VALUE}.")
    int bufferMs;

    @Option(names = "--overflow", defaultValue = "block", paramLabel = "drop|block",
            description = "When the buffer is full: drop the oldest audio, or hold the producer back. Default: ${DEFAULT-VALUE}.")
    String overflow;

    @Option(names = "--chunk-ms", defaultValue = "100", description = "Producer chunk size in ms. Default: ${DEFAULT-VALUE}.")
    int chunkMs;

    @ArgGroup(exclusive = true)
    Pace pace;

    static final class Pace {
        @Option(names = "--realtime", description = "Pace frames with the system clock (default for webrtc-loopback).")
        boolean realtime;

        @Option(names = "--fast", description = "Virtual time: as fast as the machine goes (default for wav and null).")
        boolean fast;
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        boolean webrtc = to.equals("webrtc-loopback") || to.startsWith("whip:");
        boolean realtime = pace != null ? pace.realtime : webrtc;
        if (webrtc && !realtime) {
            throw new UserException("--to " + (to.startsWith("whip:") ? "whip:URL" : to)
                    + " needs --realtime: libwebrtc takes audio in real time only");
        }
        if (token != null && !to.startsWith("whip:")) {
            throw new UserException("--token is for --to whip:URL, got --to " + to);
        }
        CandidatePolicy policy = switch (candidates) {
            case "loopback" -> CandidatePolicy.LOOPBACK;
            case "host" -> CandidatePolicy.HOST;
            case "all" -> CandidatePolicy.ALL;
            default -> throw new UserException("--candidates must be loopback, host or all, got '" + candidates + "'");
        };
        OverflowPolicy overflowPolicy = switch (overflow) {
            case "drop" -> OverflowPolicy.DROP_OLDEST;
            case "block" -> OverflowPolicy.BLOCK;
            default -> throw new UserException("--overflow must be drop or block, got '" + overflow + "'");
        };
        if (chunkMs < 1 || seconds <= 0) {
            throw new UserException("--chunk-ms must be >= 1 and --seconds > 0, got " + chunkMs + " and " + seconds);
        }
        MediaClock clock = realtime ? MediaClock.system() : new VirtualClock();
        AudioStreamTrack track;
        try {
            track = AudioStreamTrack.builder().clock(clock).sampleRate(rate).channels(channels)
                    .frameDuration(Duration.ofMillis(frameMs)).bufferLimit(Duration.ofMillis(bufferMs))
                    .overflow(overflowPolicy).build();
        } catch (IllegalArgumentException e) {
            throw new UserException(e.getMessage());
        }
        PcmFormat in = inFormat == null ? null : Sources.parseFormat(inFormat);
        try (Sources.Source source = Sources.open(input, in, seconds, main.stdin)) {
            Destination dest = Destination.open(to, track, token, policy);
            Result r;
            try {
                r = stream(source, track, dest, realtime, chunkMs, err);
            } finally {
                dest.close(); // before the summary: a call reports what its far side received once it is over
            }
            TrackStats s = r.stats();
            out.printf(Locale.ROOT, "streamed %s of %s to %s in %.2f s: %d frames (%d silent, %d padded), "
                            + "%d samples dropped, %d late frames (max %s)%n",
                    seconds(s.writtenSamples(), rate), source.format(), to, r.wallSeconds(), s.framesEmitted(),
                    s.silentFrames(), s.paddedFrames(), s.droppedSamples(), s.lateFrames(), Memory.ms(s.maxLateness()));
            dest.summarize(out);
        }
        return 0;
    }

    /** What a stream run did. */
    record Result(TrackStats stats, double wallSeconds) {
    }

    /**
     * A producer thread writes the source into the track, staying at most 200 ms ahead of the
     * track's clock (real or virtual) as a live producer would; this thread receives paced frames
     * until everything was played.
     */
    static Result stream(Sources.Source source, AudioStreamTrack track, Destination dest, boolean realtime, int chunkMs,
                         PrintWriter progressOut) throws Exception {
        int chunkFrames = Math.max(1, source.format().sampleRate() * chunkMs / 1000);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        MediaClock clock = track.clock();
        long start = System.nanoTime();
        long clockStart = clock.nanoTime();
        Thread producer = new Thread(() -> {
            long written = 0;
            try {
                PcmData pcm;
                while ((pcm = source.next(chunkFrames)) != null) {
                    track.write(pcm);
                    written += pcm.samplesPerChannel();
                    long aheadOf = clockStart + written * 1_000_000_000L / source.format().sampleRate() - 200_000_000L;
                    long now;
                    while ((now = clock.nanoTime()) < aheadOf) {
                        // Real time: sleep it off. Virtual time moves as the consumer receives: poll.
                        LockSupport.parkNanos(realtime ? aheadOf - now : 50_000);
                    }
                }
                track.write(PcmData.ofFloats(source.format().sampleRate(), source.format().channels(), new float[0]), true);
            } catch (Throwable e) {
                failure.set(e);
            }
        }, "pcmtrack-producer");
        producer.setDaemon(true);
        producer.start();
        Progress progress = realtime ? new Progress(progressOut, source.length() < 0 ? -1
                : source.length() / (double) source.format().sampleRate()) : null;
        AudioFrame frame = null;
        Duration frameDuration = track.frameDuration();
        while (producer.isAlive() || track.buffered().compareTo(Duration.ZERO) > 0) {
            if (!realtime && producer.isAlive() && track.buffered().compareTo(frameDuration) < 0) {
                // Virtual time would race ahead of the producer thread and play silence: wait for audio.
                LockSupport.parkNanos(50_000);
                continue;
            }
            frame = track.recv(frame);
            dest.accept(frame);
            if (progress != null) {
                progress.update((frame.pts() + frame.samplesPerChannel()) / (double) track.format().sampleRate());
            }
            if (failure.get() != null) {
                break;
            }
        }
        producer.join();
        if (progress != null) {
            progress.done();
        }
        Throwable t = failure.get();
        if (t instanceof IOException io) {
            throw new UserException("reading input failed: " + io.getMessage());
        }
        if (t != null) {
            throw new IllegalStateException("producer failed", t);
        }
        return new Result(track.stats(), (System.nanoTime() - start) / 1e9);
    }

    static String seconds(long samples, int rate) {
        return String.format(Locale.ROOT, "%.2f s", samples / (double) rate);
    }

    /** Where frames go. */
    interface Destination extends AutoCloseable {
        void accept(AudioFrame frame) throws IOException;

        default void summarize(PrintWriter out) {
        }

        /** Ends the destination; an interrupt while it waits is kept in the thread's status. */
        @Override
        default void close() throws IOException {
        }

        static Destination open(String spec, AudioStreamTrack track, String token, CandidatePolicy candidates)
                throws IOException {
            if (spec.equals("null")) {
                return frame -> { };
            }
            if (spec.startsWith("wav:") && spec.length() > 4) {
                Path path = Path.of(spec.substring(4));
                WavWriter writer;
                try {
                    writer = WavWriter.create(path, track.format());
                } catch (IOException e) {
                    throw new UserException(path + ": cannot write: " + e.getMessage());
                }
                return new Destination() {
                    @Override
                    public void accept(AudioFrame frame) throws IOException {
                        writer.write(frame);
                    }

                    @Override
                    public void summarize(PrintWriter out) {
                        out.println("wrote " + path);
                    }

                    @Override
                    public void close() throws IOException {
                        writer.close();
                    }
                };
            }
            if (spec.equals("webrtc-loopback")) {
                return WebRtcDestination.open(track);
            }
            if (spec.startsWith("whip:") && spec.length() > 5) {
                return WhipDestination.open(spec.substring(5), token, candidates, track);
            }
            throw new UserException("--to must be whip:URL, webrtc-loopback, wav:FILE or null, got '" + spec + "'");
        }
    }
}
