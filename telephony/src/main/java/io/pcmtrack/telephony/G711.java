package io.pcmtrack.telephony;

/**
 * ITU-T G.711 μ-law and A-law, bit-exact with the ITU-T reference implementation (G.191 Software
 * Tool Library, {@code g711.c}) for every 16-bit input and every code.
 *
 * <p>16-bit samples map onto G.711's uniform scale as in that reference: μ-law takes the top 14
 * bits ({@code x >> 2}), A-law the top 13 ({@code x >> 4} gives the 12-bit magnitude plus sign),
 * and a negative sample's magnitude is its one's complement, so {@code x} and {@code ~x} get the
 * same magnitude and opposite signs. A-law codes are transmitted with the even bits inverted
 * ({@code ^ 0x55}), μ-law codes with all bits inverted, as the standard prescribes. Decoding
 * returns the standard's decoder output value scaled to 16 bits ({@code << 2} for μ-law,
 * {@code << 3} for A-law).
 *
 * <p>Encoding and decoding are table lookups (16 KiB, 4 KiB and two 512-byte tables built once);
 * the array methods allocate nothing. Thread-safe.
 */
public final class G711 {
    private static final byte[] ULAW_ENCODE = new byte[1 << 14];
    private static final byte[] ALAW_ENCODE = new byte[1 << 12];
    private static final short[] ULAW_DECODE = new short[256];
    private static final short[] ALAW_DECODE = new short[256];

    static {
        for (int i = 0; i < ULAW_ENCODE.length; i++) {
            ULAW_ENCODE[i] = (byte) referenceUlawEncode((short) (((i << 18) >> 18) << 2));
        }
        for (int i = 0; i < ALAW_ENCODE.length; i++) {
            ALAW_ENCODE[i] = (byte) referenceAlawEncode((short) (((i << 20) >> 20) << 4));
        }
        for (int code = 0; code < 256; code++) {
            ULAW_DECODE[code] = referenceUlawDecode(code);
            ALAW_DECODE[code] = referenceAlawDecode(code);
        }
    }

    private G711() {
    }

    /** The μ-law code of a 16-bit sample. */
    public static byte ulawEncode(short sample) {
        return ULAW_ENCODE[(sample >> 2) & 0x3FFF];
    }

    /** The 16-bit decoder output of a μ-law code. */
    public static short ulawDecode(byte code) {
        return ULAW_DECODE[code & 0xFF];
    }

    /** The A-law code of a 16-bit sample. */
    public static byte alawEncode(short sample) {
        return ALAW_ENCODE[(sample >> 4) & 0xFFF];
    }

    /** The 16-bit decoder output of an A-law code. */
    public static short alawDecode(byte code) {
        return ALAW_DECODE[code & 0xFF];
    }

    /** Encodes {@code count} samples from {@code pcm[from]} into {@code codes[to]}. */
    public static void ulawEncode(short[] pcm, int from, byte[] codes, int to, int count) {
        checkRange(pcm.length, from, codes.length, to, count);
        for (int i = 0; i < count; i++) {
            codes[to + i] = ULAW_ENCODE[(pcm[from + i] >> 2) & 0x3FFF];
        }
    }

    /** Decodes {@code count} codes from {@code codes[from]} into {@code pcm[to]}. */
    public static void ulawDecode(byte[] codes, int from, short[] pcm, int to, int count) {
        checkRange(codes.length, from, pcm.length, to, count);
        for (int i = 0; i < count; i++) {
            pcm[to + i] = ULAW_DECODE[codes[from + i] & 0xFF];
        }
    }

    /** Encodes {@code count} samples from {@code pcm[from]} into {@code codes[to]}. */
    public static void alawEncode(short[] pcm, int from, byte[] codes, int to, int count) {
        checkRange(pcm.length, from, codes.length, to, count);
        for (int i = 0; i < count; i++) {
            codes[to + i] = ALAW_ENCODE[(pcm[from + i] >> 4) & 0xFFF];
        }
    }

    /** Decodes {@code count} codes from {@code codes[from]} into {@code pcm[to]}. */
    public static void alawDecode(byte[] codes, int from, short[] pcm, int to, int count) {
        checkRange(codes.length, from, pcm.length, to, count);
        for (int i = 0; i < count; i++) {
            pcm[to + i] = ALAW_DECODE[codes[from + i] & 0xFF];
        }
    }

    private static void checkRange(int srcLength, int from, int dstLength, int to, int count) {
        if (count < 0 || from < 0 || to < 0 || from > srcLength - count || to > dstLength - count) {
            throw new IndexOutOfBoundsException("G.711 range out of bounds: " + count + " samples from " + from
                    + " of " + srcLength + " into " + to + " of " + dstLength);
        }
    }

    // ---- G.191 g711.c, transcribed: the tables above are built from these ----

    /** {@code ulaw_compress} of G.191 for one sample. */
    static int referenceUlawEncode(short linear) {
        int absno = linear < 0 ? ((~linear) >> 2) + 33 : (linear >> 2) + 33;
        if (absno > 0x1FFF) {
            absno = 0x1FFF;
        }
        int i = absno >> 6;
        int segno = 1;
        while (i != 0) {
            segno++;
            i >>= 1;
        }
        int highNibble = 0x0008 - segno;
        int lowNibble = 0x000F - ((absno >> segno) & 0x000F);
        int code = (highNibble << 4) | lowNibble;
        if (linear >= 0) {
            code |= 0x0080;
        }
        return code;
    }

    /** {@code ulaw_expand} of G.191 for one code (0..255). */
    static short referenceUlawDecode(int code) {
        int sign = code < 0x80 ? -1 : 1;
        int mantissa = ~code;
        int exponent = (mantissa >> 4) & 0x7;
        int segment = exponent + 1;
        mantissa &= 0xF;
        int step = 4 << segment;
        return (short) (sign * ((0x80 << exponent) + step * mantissa + step / 2 - 4 * 33));
    }

    /** {@code alaw_compress} of G.191 for one sample. */
    static int referenceAlawEncode(short linear) {
        int ix = linear < 0 ? (~linear) >> 4 : linear >> 4;
        if (ix > 15) {
            int iexp = 1;
            while (ix > 16 + 15) {
                ix >>= 1;
                iexp++;
            }
            ix -= 16;
            ix += iexp << 4;
        }
        if (linear >= 0) {
            ix |= 0x0080;
        }
        return ix ^ 0x0055;
    }

    /** {@code alaw_expand} of G.191 for one code (0..255). */
    static short referenceAlawDecode(int code) {
        int ix = (code ^ 0x0055) & 0x007F;
        int iexp = ix >> 4;
        int mant = ix & 0x000F;
        if (iexp > 0) {
            mant += 16;
        }
        mant = (mant << 4) + 0x0008;
        if (iexp > 1) {
            mant <<= iexp - 1;
        }
        return (short) (code > 127 ? mant : -mant);
    }
}
