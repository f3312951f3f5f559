package io.pcmtrack.cli;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * A one-line progress bar, redrawn in place at most ten times a second on a terminal; elsewhere
 * (a log, a pipe) a plain line every five seconds.
 */
final class Progress {
    private static final int WIDTH = 40;
    private final PrintWriter out;
    private final double totalSeconds;
    private final boolean terminal = System.console() != null;
    private long lastDraw;

    /** @param totalSeconds length of what plays, or -1 if unknown (then only the time is shown) */
    Progress(PrintWriter out, double totalSeconds) {
        this.out = out;
        this.totalSeconds = totalSeconds;
    }

    void update(double seconds) {
        long now = System.nanoTime();
        if (now - lastDraw < (terminal ? 100_000_000L : 5_000_000_000L)) {
            return;
        }
        lastDraw = now;
        draw(seconds);
        if (!terminal) {
            out.println();
        }
    }

    void done() {
        if (terminal) {
            if (totalSeconds > 0) {
                draw(totalSeconds);
            }
            out.println();
        }
        out.flush();
    }

    private void draw(double seconds) {
        if (totalSeconds <= 0) {
            out.printf(Locale.ROOT, "%s  playing %6.1f s", terminal ? "\r" : "", seconds);
        } else {
            double f = Math.min(1, seconds / totalSeconds);
            int filled = (int) Math.round(f * WIDTH);
            out.printf(Locale.ROOT, "%s  [%s%s] %5.1f / %.1f s", terminal ? "\r" : "", "#".repeat(filled), ".".repeat(WIDTH - filled),
                    Math.min(seconds, totalSeconds), totalSeconds);
        }
        out.flush();
    }
}
