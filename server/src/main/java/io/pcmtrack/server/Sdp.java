package io.pcmtrack.server;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The little SDP reading the endpoints need before libwebrtc sees an offer, and the loopback rewrite. */
final class Sdp {
    private Sdp() {
    }

    /** What one audio m-section of an offer does, from the client's side. */
    enum Direction { SENDRECV, SENDONLY, RECVONLY, INACTIVE }

    /**
     * Checks that {@code sdp} is an offer with an audio section and returns that section's
     * direction (the first audio section's, {@code sendrecv} when not given).
     *
     * @throws HttpError 400 naming what is wrong
     */
    static Direction audioDirection(String sdp) {
        if (sdp.isBlank()) {
            throw HttpError.badRequest("the body is empty: expected an SDP offer (application/sdp)");
        }
        if (!sdp.startsWith("v=0")) {
            String first = sdp.lines().findFirst().orElse("");
            throw HttpError.badRequest("not an SDP offer: it must start with 'v=0', got '" + abbreviate(first) + "'");
        }
        Direction direction = null;
        boolean inAudio = false;
        boolean sessionHasFingerprint = false;
        boolean audioHasFingerprint = false;
        for (String line : sdp.split("\r?\n")) {
            if (line.startsWith("m=")) {
                if (inAudio) {
                    break;
                }
                inAudio = line.startsWith("m=audio ");
                if (inAudio) {
                    direction = Direction.SENDRECV;
                }
            } else if (direction == null && line.startsWith("a=fingerprint:")) {
                sessionHasFingerprint = true;
            } else if (inAudio) {
                switch (line) {
                    case "a=sendrecv" -> direction = Direction.SENDRECV;
                    case "a=sendonly" -> direction = Direction.SENDONLY;
                    case "a=recvonly" -> direction = Direction.RECVONLY;
                    case "a=inactive" -> direction = Direction.INACTIVE;
                    default -> {
                        if (line.startsWith("a=fingerprint:")) {
                            audioHasFingerprint = true;
                        }
                    }
                }
            }
        }
        if (direction == null) {
            throw HttpError.badRequest("the offer has no audio section (m=audio)");
        }
        if (!sessionHasFingerprint && !audioHasFingerprint) {
            throw HttpError.badRequest("the offer has no DTLS fingerprint (a=fingerprint): WebRTC needs DTLS-SRTP");
        }
        return direction;
    }

    /**
     * The answer with one candidate per section, on 127.0.0.1: UDP host candidates over IPv4 are
     * rewritten to loopback (their sockets are bound to the any-address); all others are dropped.
     */
    static String toLoopback(String sdp) {
        List<String> out = new ArrayList<>();
        for (String line : sdp.split("\r\n")) {
            if (line.startsWith("a=candidate:")) {
                String[] f = line.split(" ");
                boolean udpHostV4 = f.length >= 8 && f[2].toLowerCase(Locale.ROOT).equals("udp")
                        && !f[4].contains(":") && f[7].equals("host");
                if (!udpHostV4) {
                    continue;
                }
                f[4] = "127.0.0.1";
                line = String.join(" ", f);
            } else if (line.startsWith("c=IN IP4 ")) {
                line = "c=IN IP4 127.0.0.1";
            }
            out.add(line);
        }
        return String.join("\r\n", out) + "\r\n";
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }
}
