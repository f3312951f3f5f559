package io.pcmtrack.agent;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/** Building blocks of the JSON-friendly maps: insertion-ordered, times in milliseconds. */
final class Maps {
    private Maps() {
    }

    static Map<String, Object> of(String type) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (type != null) {
            m.put("type", type);
        }
        return m;
    }

    /** Milliseconds with microsecond precision, or null. */
    static Double ms(Duration d) {
        return d == null ? null : d.toNanos() / 1000 / 1000.0;
    }

    /** A level rounded to 0.01 dB. */
    static double db(double level) {
        return Math.round(level * 100) / 100.0;
    }

    /** "2.3 s" with one decimal, as the page shows it. */
    static String seconds(Duration d) {
        return String.format(java.util.Locale.ROOT, "%.1f s", d.toNanos() / 1e9);
    }
}
