package io.pcmtrack.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.pcmtrack.PcmData;
import io.pcmtrack.PcmFormat;
import io.pcmtrack.SampleFormat;

/**
 * Damaged files must fail with {@link WavFormatException} or read as valid audio: never another
 * exception, never an allocation sized by a corrupted header.
 */
class WavFuzzTest {
    private static final int MUTATIONS = 2_000;
    /** Reading a file of a few hundred bytes several ways needs far less; a size taken from a header needs far more. */
    private static final long ALLOCATION_LIMIT = 16L << 20;
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private static final long[] INTERESTING = {0, 1, 2, 3, 15, 16, 17, 18, 39, 40, 0x7FFF, 0x8000, 0xFFFE, 0xFFFF,
            0x7FFF_FFFFL, 0x8000_0000L, 0xFFFF_FFF0L, 0xFFFF_FFFEL, 0xFFFF_FFFFL};

    @TempDir
    Path dir;

    @Test
    void mutatedAndTruncatedFilesOnlyEverThrowWavFormatException() throws IOException {
        List<byte[]> seeds = seedFiles();
        Random random = new Random(20_240_611);
        Path path = dir.resolve("fuzz.wav");
        for (byte[] seed : seeds) {
            // Loads and warms up everything a read touches, so that allocations below are the reader's own.
            Files.write(path, seed);
            assertThat(check(seed, path, "seed")).isTrue();
        }
        int readable = 0;
        for (int i = 0; i < MUTATIONS; i++) {
            byte[] seed = seeds.get(random.nextInt(seeds.size()));
            Mutation mutation = mutate(seed, random);
            Files.write(path, mutation.bytes());
            String what = "mutation " + i + " (" + mutation.how() + ")";
            long before = THREADS.getThreadAllocatedBytes(Thread.currentThread().getId());
            readable += check(mutation.bytes(), path, what) ? 1 : 0;
            long allocated = THREADS.getThreadAllocatedBytes(Thread.currentThread().getId()) - before;
            assertThat(allocated).as(what + ": bytes allocated").isLessThan(ALLOCATION_LIMIT);
        }
        // Both outcomes must be exercised, or the mutations are too mild or too harsh to mean anything.
        assertThat(readable).isBetween(MUTATIONS / 10, MUTATIONS * 9 / 10);
    }

    private record Mutation(byte[] bytes, String how) {
    }

    /** One random mutation of a copy of {@code seed}, mostly aimed at the header where the sizes are. */
    private static Mutation mutate(byte[] seed, Random random) {
        byte[] b = seed.clone();
        String how;
        switch (random.nextInt(7)) {
            case 0 -> {
                int length = random.nextInt(b.length + 1);
                b = Arrays.copyOf(b, length);
                how = "truncated to " + length;
            }
            case 1 -> {
                int flips = 1 + random.nextInt(8);
                for (int k = 0; k < flips; k++) {
                    b[random.nextInt(Math.min(b.length, 96))] ^= (byte) (1 << random.nextInt(8));
                }
                how = flips + " bit flips in the header";
            }
            case 2 -> {
                int at = random.nextInt(Math.min(b.length, 96) - 3);
                long value = INTERESTING[random.nextInt(INTERESTING.length)];
                ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(at, (int) value);
                how = "32-bit " + value + " at " + at;
            }
            case 3 -> {
                int at = random.nextInt(Math.min(b.length, 96) - 1);
                long value = INTERESTING[random.nextInt(INTERESTING.length)];
                ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putShort(at, (short) value);
                how = "16-bit " + (value & 0xFFFF) + " at " + at;
            }
            case 4 -> {
                int at = random.nextInt(b.length);
                int n = 1 + random.nextInt(Math.min(16, b.length - at));
                byte[] cut = new byte[b.length - n];
                System.arraycopy(b, 0, cut, 0, at);
                System.arraycopy(b, at + n, cut, at, b.length - at - n);
                b = cut;
                how = n + " bytes deleted at " + at;
            }
            case 5 -> {
                int[] sizeFields = sizeFieldOffsets(b);
                int at = sizeFields[random.nextInt(sizeFields.length)];
                long value = random.nextBoolean() ? INTERESTING[random.nextInt(INTERESTING.length)] : random.nextInt();
                ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(at, (int) value);
                how = "size field at " + at + " set to " + (value & 0xFFFF_FFFFL);
            }
            default -> {
                int at = random.nextInt(Math.min(b.length, 96));
                int n = 1 + random.nextInt(16);
                byte[] grown = new byte[b.length + n];
                System.arraycopy(b, 0, grown, 0, at);
                for (int k = 0; k < n; k++) {
                    grown[at + k] = (byte) random.nextInt();
                }
                System.arraycopy(b, at, grown, at + n, b.length - at);
                b = grown;
                how = n + " random bytes inserted at " + at;
            }
        }
        return new Mutation(b, how);
    }

    /** Offsets of the RIFF size and of every chunk's size field, found by walking the chunks. */
    private static int[] sizeFieldOffsets(byte[] b) {
        ByteBuffer le = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        int[] offsets = new int[16];
        int n = 0;
        offsets[n++] = 4;
        for (int at = 12; at + 8 <= b.length && n < offsets.length; ) {
            offsets[n++] = at + 4;
            long size = le.getInt(at + 4) & 0xFFFF_FFFFL;
            at += 8 + (int) Math.min(size + (size & 1), b.length);
        }
        return Arrays.copyOf(offsets, n);
    }

    /** Reads the file every way there is; true if it was readable. */
    private static boolean check(byte[] file, Path path, String what) {
        try {
            PcmData byStream = WavReader.read(new ByteArrayInputStream(file));
            PcmData byPath = WavReader.read(path);
            assertValid(byStream, file.length, what);
            assertThat(byPath.toBytes()).as(what).isEqualTo(byStream.toBytes());
            long frames = 0;
            try (WavReader reader = WavReader.open(new ByteArrayInputStream(file))) {
                PcmData chunk;
                while ((chunk = reader.read(97)) != null) {
                    assertValid(chunk, file.length, what);
                    frames += chunk.samplesPerChannel();
                }
            }
            assertThat(frames).as(what).isEqualTo(byStream.samplesPerChannel());
            return true;
        } catch (WavFormatException expected) {
            assertThat(expected.getMessage()).as(what).isNotBlank().doesNotContain("\n");
            return false;
        } catch (Throwable t) {
            fail(what + " threw " + t, t);
            return false;
        }
    }

    private static void assertValid(PcmData pcm, int fileLength, String what) {
        int bytes = pcm.toBytes().length;
        assertThat(bytes).as(what).isEqualTo(pcm.samplesPerChannel() * pcm.format().bytesPerFrame());
        assertThat(bytes).as(what).isLessThanOrEqualTo(fileLength);
    }

    private static List<byte[]> seedFiles() {
        byte[] ds64 = new byte[28];
        ByteBuffer.wrap(ds64).order(ByteOrder.LITTLE_ENDIAN).putLong(8, 4 * 40);
        return List.of(
                new WavReaderTest.Wav().fmt(WavReaderTest.Wav.fmt(1, 2, 48_000, 4, 16))
                        .chunk("LIST", new byte[13]).data(WavReaderTest.randomBytes(4 * 50, 1)).bytes(),
                bytesOf(WavWriterTest.randomAudio(new PcmFormat(44_100, 6, SampleFormat.F32), 20, 2)),
                bytesOf(WavWriterTest.randomAudio(new PcmFormat(8_000, 1, SampleFormat.U8), 33, 3)),
                bytesOf(WavWriterTest.randomAudio(new PcmFormat(96_000, 2, SampleFormat.S24), 30, 4)),
                new WavReaderTest.Wav("RF64").chunk("ds64", ds64).fmt(WavReaderTest.Wav.fmt(3, 1, 16_000, 4, 32))
                        .chunk("data", 0xFFFF_FFFFL, WavReaderTest.randomBytes(4 * 40, 5)).bytes());
    }

    private static byte[] bytesOf(PcmData pcm) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            WavWriter.write(out, pcm);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return out.toByteArray();
    }
}
