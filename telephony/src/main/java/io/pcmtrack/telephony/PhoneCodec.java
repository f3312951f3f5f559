package io.pcmtrack.telephony;

/**
 * The audio encodings phone providers stream: G.711 μ-law ({@code PCMU}) and A-law ({@code PCMA})
 * at 8 kHz, and 16-bit linear PCM ({@code L16}) at 8 or 16 kHz, whose byte order depends on the
 * provider (RTP's network order for Telnyx, little-endian for Vonage).
 */
public enum PhoneCodec {
    PCMU(1),
    PCMA(1),
    L16(2);

    private final int bytesPerSample;

    PhoneCodec(int bytesPerSample) {
        this.bytesPerSample = bytesPerSample;
    }

    public int bytesPerSample() {
        return bytesPerSample;
    }

    /** Encodes {@code count} samples into {@code out[0..count * bytesPerSample)}; allocates nothing. */
    void encode(short[] pcm, int count, byte[] out, boolean bigEndian) {
        switch (this) {
            case PCMU -> G711.ulawEncode(pcm, 0, out, 0, count);
            case PCMA -> G711.alawEncode(pcm, 0, out, 0, count);
            case L16 -> {
                for (int i = 0; i < count; i++) {
                    short s = pcm[i];
                    out[2 * i] = (byte) (bigEndian ? s >> 8 : s);
                    out[2 * i + 1] = (byte) (bigEndian ? s : s >> 8);
                }
            }
        }
    }

    /** Decodes {@code count} samples from {@code in[offset..]} into {@code out[0..count)}; allocates nothing. */
    void decode(byte[] in, int offset, int count, short[] out, boolean bigEndian) {
        switch (this) {
            case PCMU -> G711.ulawDecode(in, offset, out, 0, count);
            case PCMA -> G711.alawDecode(in, offset, out, 0, count);
            case L16 -> {
                for (int i = 0; i < count; i++) {
                    int hi = in[offset + 2 * i + (bigEndian ? 0 : 1)];
                    int lo = in[offset + 2 * i + (bigEndian ? 1 : 0)] & 0xFF;
                    out[i] = (short) ((hi << 8) | lo);
                }
            }
        }
    }

    /** The codec a provider names ({@code PCMU}, {@code audio/x-mulaw}, {@code PCMA}, {@code L16}...), or null. */
    static PhoneCodec fromName(String name) {
        if (name == null) {
            return null;
        }
        return switch (name.trim().toUpperCase(java.util.Locale.ROOT)) {
            case "PCMU", "AUDIO/X-MULAW", "MULAW", "ULAW" -> PCMU;
            case "PCMA", "AUDIO/X-ALAW", "ALAW" -> PCMA;
            case "L16", "AUDIO/L16" -> L16;
            default -> null;
        };
    }
}
