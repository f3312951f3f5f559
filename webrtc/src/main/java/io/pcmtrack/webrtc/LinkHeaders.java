package io.pcmtrack.webrtc;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * ICE servers from HTTP {@code Link} headers (RFC 8288) as a WHIP endpoint sends them (RFC 9725
 * section 4.6): {@code <turn:turn.example.net?transport=udp>; rel="ice-server"; username="u";
 * credential="p"; credential-type="password"}, one per header line or several per line
 * separated by commas. Links with another {@code rel} are skipped, malformed ones too.
 */
final class LinkHeaders {
    private LinkHeaders() {
    }

    static List<IceServer> iceServers(List<String> headerValues) {
        List<IceServer> out = new ArrayList<>();
        for (String value : headerValues) {
            for (String link : splitLinks(value)) {
                IceServer s = iceServer(link);
                if (s != null) {
                    out.add(s);
                }
            }
        }
        return out;
    }

    /** One link-value: {@code <uri>; param=value; ...}; null unless rel is ice-server. */
    static IceServer iceServer(String link) {
        String l = link.trim();
        int close = l.indexOf('>');
        if (!l.startsWith("<") || close < 0) {
            return null;
        }
        String uri = l.substring(1, close).trim();
        Map<String, String> params = new LinkedHashMap<>();
        for (String p : split(l.substring(close + 1), ';')) {
            int eq = p.indexOf('=');
            if (eq <= 0) {
                continue;
            }
            String name = p.substring(0, eq).trim().toLowerCase(Locale.ROOT);
            String v = p.substring(eq + 1).trim();
            if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
                v = v.substring(1, v.length() - 1).replace("\\\"", "\"").replace("\\\\", "\\");
            }
            params.putIfAbsent(name, v);
        }
        String rel = params.get("rel");
        if (rel == null || !List.of(rel.toLowerCase(Locale.ROOT).split("\\s+")).contains("ice-server")) {
            return null;
        }
        try {
            return new IceServer(List.of(uri), params.get("username"), params.get("credential"));
        } catch (IllegalArgumentException e) {
            return null; // not a STUN or TURN URL
        }
    }

    /** Splits a header value into link-values at commas outside {@code <...>} and quotes. */
    static List<String> splitLinks(String value) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean inUri = false;
        boolean inQuote = false;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (inQuote && c == '\\' && i + 1 < value.length()) {
                cur.append(c).append(value.charAt(++i));
                continue;
            }
            if (c == '"' && !inUri) {
                inQuote = !inQuote;
            } else if (c == '<' && !inQuote) {
                inUri = true;
            } else if (c == '>' && !inQuote) {
                inUri = false;
            } else if (c == ',' && !inUri && !inQuote) {
                out.add(cur.toString());
                cur.setLength(0);
                continue;
            }
            cur.append(c);
        }
        if (!cur.toString().isBlank()) {
            out.add(cur.toString());
        }
        return out;
    }

    /** Splits at {@code sep} outside quotes; empty parts dropped. */
    private static List<String> split(String s, char sep) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean inQuote = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (inQuote && c == '\\' && i + 1 < s.length()) {
                cur.append(c).append(s.charAt(++i));
                continue;
            }
            if (c == '"') {
                inQuote = !inQuote;
            } else if (c == sep && !inQuote) {
                if (!cur.toString().isBlank()) {
                    out.add(cur.toString());
                }
                cur.setLength(0);
                continue;
            }
            cur.append(c);
        }
        if (!cur.toString().isBlank()) {
            out.add(cur.toString());
        }
        return out;
    }
}
