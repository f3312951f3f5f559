package io.pcmtrack.webrtc;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The little SDP handling a {@link WebRtcSession} needs: candidate lines rewritten or dropped for
 * a {@link CandidatePolicy}, the direction of the first audio section, line endings. Everything
 * else is libwebrtc's job.
 */
final class Sdp {
    static final String LOOPBACK = "127.0.0.1";

    private Sdp() {
    }

    /** The lines of {@code sdp}, whatever its line endings. */
    static List<String> lines(String sdp) {
        List<String> out = new ArrayList<>();
        for (String l : sdp.split("\r\n|\n|\r")) {
            if (!l.isEmpty()) {
                out.add(l);
            }
        }
        return out;
    }

    /** Joins lines with CRLF, as RFC 8866 requires (some WHIP servers reject bare LF). */
    static String join(List<String> lines) {
        StringBuilder b = new StringBuilder();
        for (String l : lines) {
            b.append(l).append("\r\n");
        }
        return b.toString();
    }

    /**
     * A local candidate (the part after {@code a=} or {@code candidate:...} as libwebrtc gives it)
     * under the loopback policy: a UDP IPv4 host candidate with its address set to 127.0.0.1; null
     * for anything else (IPv6, TCP, server-reflexive, relay).
     */
    static String toLoopback(String candidate) {
        String[] f = candidate.split(" ");
        if (f.length < 8 || f[4].contains(":") || !f[2].equalsIgnoreCase("udp") || !f[7].equals("host")) {
            return null;
        }
        f[4] = LOOPBACK;
        return String.join(" ", f);
    }

    /** True if a remote candidate's address is on 127.0.0.0/8. */
    static boolean isLoopback(String candidate) {
        String[] f = candidate.split(" ");
        return f.length >= 8 && f[4].startsWith("127.");
    }

    /**
     * Our local description under the loopback policy: candidate lines rewritten by
     * {@link #toLoopback} (duplicates dropped), connection lines set to 127.0.0.1.
     */
    static String localForLoopback(String sdp) {
        List<String> out = new ArrayList<>();
        for (String l : lines(sdp)) {
            if (l.startsWith("a=candidate:")) {
                String c = toLoopback(l.substring(2));
                if (c != null && !out.contains("a=" + c)) {
                    out.add("a=" + c);
                }
            } else if (l.startsWith("c=IN IP4 ")) {
                out.add("c=IN IP4 " + LOOPBACK);
            } else {
                out.add(l);
            }
        }
        return join(out);
    }

    /** A remote description under the loopback policy: candidates off 127.0.0.0/8 dropped. */
    static String remoteForLoopback(String sdp) {
        List<String> out = new ArrayList<>();
        for (String l : lines(sdp)) {
            if (!l.startsWith("a=candidate:") || isLoopback(l.substring(2))) {
                out.add(l);
            }
        }
        return join(out);
    }

    /** Number of {@code a=candidate:} lines. */
    static int candidates(String sdp) {
        int n = 0;
        for (String l : lines(sdp)) {
            if (l.startsWith("a=candidate:")) {
                n++;
            }
        }
        return n;
    }

    /**
     * The direction of the first {@code m=audio} section ({@code sendrecv} when it states none),
     * or null if there is no audio section.
     *
     * @throws IllegalArgumentException if {@code sdp} does not look like SDP at all
     */
    static String audioDirection(String sdp) {
        List<String> lines = lines(sdp);
        if (lines.isEmpty() || !lines.get(0).startsWith("v=")) {
            throw new IllegalArgumentException("not an SDP session description (it must start with v=0), got '"
                    + abbreviate(sdp) + "'");
        }
        String session = "sendrecv";
        boolean inAudio = false;
        boolean seenMedia = false;
        String direction = null;
        for (String l : lines) {
            if (l.startsWith("m=")) {
                if (inAudio) {
                    break;
                }
                seenMedia = true;
                inAudio = l.startsWith("m=audio ");
                if (inAudio) {
                    direction = session;
                }
            } else if (isDirection(l)) {
                if (!seenMedia) {
                    session = l.substring(2);
                } else if (inAudio) {
                    direction = l.substring(2);
                }
            }
        }
        return direction;
    }

    private static boolean isDirection(String l) {
        return l.equals("a=sendrecv") || l.equals("a=sendonly") || l.equals("a=recvonly") || l.equals("a=inactive");
    }

    static String abbreviate(String s) {
        if (s == null) {
            return "null";
        }
        String one = s.replace("\r", "\\r").replace("\n", "\\n");
        return one.length() <= 80 ? one : one.substring(0, 80) + "...";
    }

    static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }
}
