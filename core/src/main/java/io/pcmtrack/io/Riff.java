package io.pcmtrack.io;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/** RIFF/WAVE constants and little-endian field access shared by the reader and the writer. */
final class Riff {
    static final int RIFF = fourCc("RIFF");
    static final int RIFX = fourCc("RIFX");
    static final int RF64 = fourCc("RF64");
    static final int BW64 = fourCc("BW64");
    static final int WAVE = fourCc("WAVE");
    static final int FMT = fourCc("fmt ");
    static final int DATA = fourCc("data");
    static final int FACT = fourCc("fact");
    static final int DS64 = fourCc("ds64");

    static final int WAVE_FORMAT_PCM = 0x0001;
    static final int WAVE_FORMAT_IEEE_FLOAT = 0x0003;
    static final int WAVE_FORMAT_EXTENSIBLE = 0xFFFE;

    /** A 32-bit size of all ones: the convention for "length unknown" in streamed WAVs and RF64. */
    static final long UNKNOWN_SIZE = 0xFFFF_FFFFL;

    /** Bytes of an extensible fmt chunk: 16 common, cbSize, then 22 of extension. */
    static final int EXTENSIBLE_FMT_BYTES = 40;

    /**
     * The last 14 bytes of every KSDATAFORMAT_SUBTYPE GUID that wraps a format tag:
     * {@code {0000xxxx-0000-0010-8000-00AA00389B71}} in its little-endian byte order.
     */
    static final byte[] SUBTYPE_GUID_TAIL = {
            0x00, 0x00, 0x00, 0x00, 0x10, 0x00, (byte) 0x80, 0x00, 0x00, (byte) 0xAA, 0x00, 0x38, (byte) 0x9B, 0x71};

    private Riff() {
    }

    static int fourCc(String id) {
        return id.charAt(0) | id.charAt(1) << 8 | id.charAt(2) << 16 | id.charAt(3) << 24;
    }

    static int u16(byte[] b, int i) {
        return (b[i] & 0xff) | (b[i + 1] & 0xff) << 8;
    }

    static int s32(byte[] b, int i) {
        return (b[i] & 0xff) | (b[i + 1] & 0xff) << 8 | (b[i + 2] & 0xff) << 16 | b[i + 3] << 24;
    }

    static long u32(byte[] b, int i) {
        return s32(b, i) & 0xFFFF_FFFFL;
    }

    static long s64(byte[] b, int i) {
        return u32(b, i) | (long) s32(b, i + 4) << 32;
    }

    static void put16(byte[] b, int i, int v) {
        b[i] = (byte) v;
        b[i + 1] = (byte) (v >>> 8);
    }

    static void put32(byte[] b, int i, long v) {
        b[i] = (byte) v;
        b[i + 1] = (byte) (v >>> 8);
        b[i + 2] = (byte) (v >>> 16);
        b[i + 3] = (byte) (v >>> 24);
    }

    /** Four bytes as {@code 'text'} when printable ASCII, else as hex, for error messages. */
    static String describeId(byte[] b, int offset, int length) {
        boolean printable = true;
        for (int i = offset; i < offset + length; i++) {
            printable &= b[i] >= 0x20 && b[i] < 0x7f;
        }
        if (printable) {
            return "'" + new String(b, offset, length, StandardCharsets.US_ASCII) + "'";
        }
        StringBuilder sb = new StringBuilder("bytes");
        for (int i = offset; i < offset + length; i++) {
            sb.append(String.format(Locale.ROOT, " %02X", b[i] & 0xff));
        }
        return sb.toString();
    }

    static String hexTag(int tag) {
        return String.format(Locale.ROOT, "0x%04X", tag);
    }

    /** The registered name of a WAVE format tag, for error messages. */
    static String codecName(int tag) {
        return switch (tag) {
            case 0x0000 -> "unknown";
            case 0x0001 -> "PCM";
            case 0x0002 -> "Microsoft ADPCM";
            case 0x0003 -> "IEEE float";
            case 0x0006 -> "A-law";
            case 0x0007 -> "mu-law";
            case 0x0011 -> "IMA ADPCM";
            case 0x0022 -> "DSP Group TrueSpeech";
            case 0x0031 -> "GSM 6.10";
            case 0x0040 -> "G.721 ADPCM";
            case 0x0050 -> "MPEG";
            case 0x0055 -> "MP3";
            case 0x0064 -> "G.726 ADPCM";
            case 0x00FF -> "AAC";
            case 0x0160, 0x0161, 0x0162, 0x0163 -> "Windows Media Audio";
            case 0x1610 -> "HE-AAC";
            case 0x2000 -> "AC-3";
            case 0x2001 -> "DTS";
            case 0x674F, 0x6750, 0x6751, 0x676F, 0x6770, 0x6771 -> "Ogg Vorbis";
            case 0xF1AC -> "FLAC";
            case WAVE_FORMAT_EXTENSIBLE -> "WAVE_FORMAT_EXTENSIBLE";
            default -> "not a known codec";
        };
    }

    /** A GUID in its usual text form, from its 16 little-endian bytes. */
    static String guid(byte[] b, int i) {
        return String.format(Locale.ROOT, "{%08X-%04X-%04X-%02X%02X-%02X%02X%02X%02X%02X%02X}",
                s32(b, i), u16(b, i + 4), u16(b, i + 6), b[i + 8], b[i + 9],
                b[i + 10], b[i + 11], b[i + 12], b[i + 13], b[i + 14], b[i + 15]);
    }

    /**
     * The speaker positions a WAVE_FORMAT_EXTENSIBLE file declares for {@code channels}: the
     * usual layouts up to 7.1 (mono is front centre), and 0 ("no particular speakers") beyond,
     * where no layout is standard.
     */
    static int channelMask(int channels) {
        return switch (channels) {
            case 1 -> 0x4;    // FC
            case 2 -> 0x3;    // FL FR
            case 3 -> 0x7;    // FL FR FC
            case 4 -> 0x33;   // FL FR BL BR
            case 5 -> 0x37;   // FL FR FC BL BR
            case 6 -> 0x3F;   // FL FR FC LFE BL BR (5.1)
            case 7 -> 0x70F;  // FL FR FC LFE BC SL SR (6.1)
            case 8 -> 0x63F;  // FL FR FC LFE BL BR SL SR (7.1)
            default -> 0;
        };
    }
}
