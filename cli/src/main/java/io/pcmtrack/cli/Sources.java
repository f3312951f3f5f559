package io.pcmtrack.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;

import io.pcmtrack.PcmData;
import io.pcmtrack.PcmFormat;
import io.pcmtrack.SampleFormat;
import io.pcmtrack.io.WavFormatException;
import io.pcmtrack.io.WavReader;

/** Inputs of {@code pcmtrack stream}: a WAV file, a tone, a sweep, or raw PCM on stdin. */
final class Sources {
    private Sources() {
    }

    /** Audio delivered in chunks until it ends. */
    interface Source extends AutoCloseable {
        PcmFormat format();

        /** The next chunk of at most {@code maxFrames} samples per channel, or null at the end. */
        PcmData next(int maxFrames) throws IOException;

        /** Total length in samples per channel, or -1 if unknown. */
        long length();

        @Override
        default void close() throws IOException {
        }
    }

    /**
     * Parses an input spec: a WAV path, {@code tone:HZ}, {@code sweep} or {@code -} (stdin).
     *
     * @param inFormat format of stdin, or of generated signals (their rate and channels); may be null
     */
    static Source open(String spec, PcmFormat inFormat, double seconds, InputStream stdin) throws IOException {
        PcmFormat generated = inFormat != null ? inFormat.withSampleFormat(SampleFormat.F32) : PcmFormat.f32(48_000, 1);
        if (spec.equals("-")) {
            if (inFormat == null) {
                throw new UserException("reading raw PCM from stdin needs --in-format, e.g. --in-format s16:16000:1");
            }
            return new Raw(stdin, inFormat);
        }
        if (spec.startsWith("tone:")) {
            double hz;
            try {
                hz = Double.parseDouble(spec.substring(5));
            } catch (NumberFormatException e) {
                throw new UserException("tone needs a frequency in Hz, e.g. tone:440; got '" + spec + "'");
            }
            if (!(hz > 0 && hz < generated.sampleRate() / 2.0)) {
                throw new UserException("tone frequency must be between 0 and " + generated.sampleRate() / 2
                        + " Hz (half the rate), got " + spec.substring(5));
            }
            return new Generated(generated, seconds, t -> 0.5 * Math.sin(2 * Math.PI * hz * t));
        }
        if (spec.equals("sweep")) {
            // Logarithmic sweep from 20 Hz to 0.45 of the rate: phase is the integral of the frequency.
            double f0 = 20;
            double f1 = 0.45 * generated.sampleRate();
            double k = Math.log(f1 / f0) / seconds;
            return new Generated(generated, seconds, t -> 0.5 * Math.sin(2 * Math.PI * f0 * (Math.exp(k * t) - 1) / k));
        }
        Path path = Path.of(spec);
        try {
            return new Wav(WavReader.open(path));
        } catch (NoSuchFileException e) {
            throw new UserException(spec + ": no such file");
        } catch (WavFormatException e) {
            throw new UserException(spec + ": " + e.getMessage());
        } catch (IOException e) {
            throw new UserException(spec + ": cannot read: " + (Files.isDirectory(path) ? "is a directory" : e.getMessage()));
        }
    }

    /** {@code s16:16000:1} -> PcmFormat. */
    static PcmFormat parseFormat(String spec) {
        String[] parts = spec.split(":");
        if (parts.length != 3) {
            throw new UserException("format must be FORMAT:RATE:CHANNELS, e.g. s16:16000:1; got '" + spec + "'");
        }
        SampleFormat f;
        try {
            f = SampleFormat.valueOf(parts[0].toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new UserException("sample format must be one of u8, s16, s24, s32, f32, f64; got '" + parts[0] + "'");
        }
        try {
            return new PcmFormat(Integer.parseInt(parts[1]), Integer.parseInt(parts[2]), f);
        } catch (NumberFormatException e) {
            throw new UserException("rate and channels must be integers, got '" + spec + "'");
        } catch (IllegalArgumentException e) {
            throw new UserException(e.getMessage());
        }
    }

    /** A signal computed sample by sample. */
    interface Signal {
        double at(double seconds);
    }

    private static final class Generated implements Source {
        private final PcmFormat format;
        private final long total;
        private final Signal signal;
        private long position;

        Generated(PcmFormat format, double seconds, Signal signal) {
            this.format = format;
            this.total = Math.round(seconds * format.sampleRate());
            this.signal = signal;
        }

        @Override
        public PcmFormat format() {
            return format;
        }

        @Override
        public long length() {
            return total;
        }

        @Override
        public PcmData next(int maxFrames) {
            int n = (int) Math.min(maxFrames, total - position);
            if (n <= 0) {
                return null;
            }
            int ch = format.channels();
            float[] f = new float[n * ch];
            for (int i = 0; i < n; i++) {
                float v = (float) signal.at((double) (position + i) / format.sampleRate());
                for (int c = 0; c < ch; c++) {
                    f[i * ch + c] = v;
                }
            }
            position += n;
            return PcmData.ofFloats(format.sampleRate(), ch, f);
        }
    }

    private static final class Wav implements Source {
        private final WavReader reader;

        Wav(WavReader reader) {
            this.reader = reader;
        }

        @Override
        public PcmFormat format() {
            return reader.format();
        }

        @Override
        public long length() {
            return reader.samplesPerChannel();
        }

        @Override
        public PcmData next(int maxFrames) throws IOException {
            return reader.read(maxFrames);
        }

        @Override
        public void close() throws IOException {
            reader.close();
        }
    }

    /** Raw little-endian PCM; a trailing partial sample frame is dropped. */
    private static final class Raw implements Source {
        private final InputStream in;
        private final PcmFormat format;
        private byte[] buffer = new byte[0];

        Raw(InputStream in, PcmFormat format) {
            this.in = in;
            this.format = format;
        }

        @Override
        public PcmFormat format() {
            return format;
        }

        @Override
        public long length() {
            return -1;
        }

        @Override
        public PcmData next(int maxFrames) throws IOException {
            int frameBytes = format.bytesPerFrame();
            int want = maxFrames * frameBytes;
            if (buffer.length != want) {
                buffer = new byte[want];
            }
            int n = in.readNBytes(buffer, 0, want);
            n -= n % frameBytes;
            if (n == 0) {
                return null;
            }
            return PcmData.ofBytes(format, java.util.Arrays.copyOf(buffer, n));
        }
    }
}
