package io.pcmtrack.bench;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;

/**
 * Bench-only JNA bindings to the two reference resamplers the side-by-side benchmark runs: libsoxr at its
 * default (HQ) quality and speexdsp at quality 10, both on mono float audio. Debian packages
 * {@code libsoxr0} and {@code libspeexdsp1}; nothing outside {@code bench} uses them.
 *
 * <p>Direct-mapped calls on native buffers allocated once, so a call costs the library's work plus JNA's
 * fixed call overhead (well under a microsecond), not a copy of Java arrays.
 */
final class NativeResamplers {
    private NativeResamplers() {
    }

    /** A streaming mono float converter over native buffers. */
    interface Converter extends AutoCloseable {
        /** Converts {@code frames} input frames at {@code in + offsetBytes}; returns output frames written. */
        int process(Memory in, long offsetBytes, int frames);

        @Override
        void close();
    }

    /** libsoxr with {@code quality_spec = NULL}, which soxr.h defines as {@code SOXR_HQ}, one thread. */
    static final class Soxr implements Converter {
        static {
            Native.register(Soxr.class, NativeLibrary.getInstance("soxr"));
        }

        private static native Pointer soxr_create(double inputRate, double outputRate, int channels, Pointer error,
                                                  Pointer ioSpec, Pointer qualitySpec, Pointer runtimeSpec);

        private static native Pointer soxr_process(Pointer soxr, Pointer in, long inLen, Pointer inDone,
                                                   Pointer out, long outLen, Pointer outDone);

        private static native void soxr_delete(Pointer soxr);

        private final Pointer soxr;
        private final Memory out;
        private final long outFrames;
        private final Memory done = new Memory(16);

        Soxr(int inRate, int outRate, int maxInFrames) {
            Memory error = new Memory(8);
            error.setPointer(0, null);
            soxr = soxr_create(inRate, outRate, 1, error, null, null, null);
            if (soxr == null || error.getPointer(0) != null) {
                throw new IllegalStateException("soxr_create " + inRate + " -> " + outRate + ": "
                        + (error.getPointer(0) == null ? "null" : error.getPointer(0).getString(0)));
            }
            outFrames = 4L * maxInFrames * outRate / inRate + 64;
            out = new Memory(4 * outFrames);
        }

        @Override
        public int process(Memory in, long offsetBytes, int frames) {
            Pointer error = soxr_process(soxr, in.share(offsetBytes), frames, done, out, outFrames, done.share(8));
            if (error != null) {
                throw new IllegalStateException("soxr_process: " + error.getString(0));
            }
            return (int) done.getLong(8);
        }

        @Override
        public void close() {
            soxr_delete(soxr);
        }
    }

    /** speexdsp's resampler at quality 10 (its best), float interface. */
    static final class Speex implements Converter {
        static {
            Native.register(Speex.class, NativeLibrary.getInstance("speexdsp"));
        }

        private static native Pointer speex_resampler_init(int channels, int inRate, int outRate, int quality, Pointer error);

        private static native int speex_resampler_process_float(Pointer state, int channel, Pointer in, Pointer inLen,
                                                                Pointer out, Pointer outLen);

        private static native void speex_resampler_destroy(Pointer state);

        private final Pointer state;
        private final Memory out;
        private final int outFrames;
        private final Memory lengths = new Memory(8);

        Speex(int inRate, int outRate, int maxInFrames) {
            Memory error = new Memory(4);
            state = speex_resampler_init(1, inRate, outRate, 10, error);
            if (state == null || error.getInt(0) != 0) {
                throw new IllegalStateException("speex_resampler_init " + inRate + " -> " + outRate + ": error " + error.getInt(0));
            }
            outFrames = (int) (4L * maxInFrames * outRate / inRate + 64);
            out = new Memory(4L * outFrames);
        }

        @Override
        public int process(Memory in, long offsetBytes, int frames) {
            lengths.setInt(0, frames);
            lengths.setInt(4, outFrames);
            int error = speex_resampler_process_float(state, 0, in.share(offsetBytes), lengths, out, lengths.share(4));
            if (error != 0) {
                throw new IllegalStateException("speex_resampler_process_float: error " + error);
            }
            return lengths.getInt(4);
        }

        @Override
        public void close() {
            speex_resampler_destroy(state);
        }
    }
}
