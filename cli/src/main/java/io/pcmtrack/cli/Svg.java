package io.pcmtrack.cli;

import java.util.List;
import java.util.Locale;

import io.pcmtrack.LatencyHistogram;

/**
 * Small self-contained SVG charts (no scripts, no fonts from the network) for the demo report and
 * the benchmark pages: line charts with axes and a legend, and bar charts for histograms.
 */
final class Svg {
    static final String[] COLORS = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b"};
    private static final int LEFT = 64;
    private static final int RIGHT = 16;
    private static final int TOP = 34;
    private static final int BOTTOM = 44;

    private Svg() {
    }

    /** One line of a chart: x and y of equal length. */
    record Series(String name, double[] x, double[] y) {
    }

    /** A line chart; y range from the data unless {@code yMin < yMax} is given. */
    static String lineChart(String title, String xLabel, String yLabel, List<Series> series, int width, int height,
                            double yMin, double yMax) {
        double xLo = Double.MAX_VALUE;
        double xHi = -Double.MAX_VALUE;
        double yLo = Double.MAX_VALUE;
        double yHi = -Double.MAX_VALUE;
        for (Series s : series) {
            for (int i = 0; i < s.x().length; i++) {
                xLo = Math.min(xLo, s.x()[i]);
                xHi = Math.max(xHi, s.x()[i]);
                yLo = Math.min(yLo, s.y()[i]);
                yHi = Math.max(yHi, s.y()[i]);
            }
        }
        if (yMin < yMax) {
            yLo = yMin;
            yHi = yMax;
        }
        if (xLo >= xHi) {
            xHi = xLo + 1;
        }
        if (yLo >= yHi) {
            yHi = yLo + 1;
        }
        Frame f = new Frame(width, height, xLo, xHi, yLo, yHi);
        StringBuilder sb = f.open(title, xLabel, yLabel);
        for (int k = 0; k < series.size(); k++) {
            Series s = series.get(k);
            String color = COLORS[k % COLORS.length];
            sb.append("<polyline fill=\"none\" stroke=\"").append(color).append("\" stroke-width=\"1.4\" points=\"");
            for (int i = 0; i < s.x().length; i++) {
                sb.append(fmt(f.px(s.x()[i]))).append(',').append(fmt(f.py(s.y()[i]))).append(' ');
            }
            sb.append("\"/>\n");
            int ly = TOP + 14 + 16 * k;
            sb.append("<rect x=\"").append(width - RIGHT - 150).append("\" y=\"").append(ly - 9)
                    .append("\" width=\"12\" height=\"4\" fill=\"").append(color).append("\"/>");
            sb.append(text(width - RIGHT - 132, ly - 4, s.name(), "start", 12));
        }
        return sb.append("</svg>\n").toString();
    }

    /** A bar chart: bar {@code i} spans {@code edges[i]..edges[i+1]} with height {@code counts[i]}. */
    static String barChart(String title, String xLabel, String yLabel, double[] edges, double[] counts,
                           int width, int height) {
        return barChart(title, xLabel, yLabel, edges, counts, width, height, false);
    }

    /**
     * A bar chart, with a logarithmic count axis if {@code logY}: a bar's height is
     * log10(1 + count), so an empty bin has none and a count of one reaches the "1" tick; ticks
     * sit at 1, 10, 100, ... up to the first power of ten at or above the tallest bar, so every
     * bar ends below the top tick and its height can be read. A tail of a few among millions shows.
     */
    static String barChart(String title, String xLabel, String yLabel, double[] edges, double[] counts,
                           int width, int height, boolean logY) {
        double yHi = 0;
        for (double c : counts) {
            yHi = Math.max(yHi, c);
        }
        double top;
        if (logY) {
            int decades = (int) Math.max(0, Math.ceil(Math.log10(Math.max(1, yHi)) - 1e-12));
            top = Math.log10(1 + Math.pow(10, decades));
        } else {
            top = yHi <= 0 ? 1 : yHi * 1.05;
        }
        Frame f = new Frame(width, height, edges[0], edges[edges.length - 1], 0, top, logY);
        StringBuilder sb = f.open(title, xLabel, yLabel);
        for (int i = 0; i < counts.length; i++) {
            double x0 = f.px(edges[i]);
            double x1 = f.px(edges[i + 1]);
            double y = f.py(logY ? Math.log10(1 + counts[i]) : counts[i]);
            sb.append("<rect x=\"").append(fmt(x0)).append("\" y=\"").append(fmt(y)).append("\" width=\"")
                    .append(fmt(Math.max(0.5, x1 - x0 - 0.5))).append("\" height=\"").append(fmt(f.py(0) - y))
                    .append("\" fill=\"").append(COLORS[0]).append("\"/>\n");
        }
        return sb.append("</svg>\n").toString();
    }

    /**
     * A lateness histogram in milliseconds, up to twice its 99.9th percentile, in about 50 bins of
     * equal width (the histogram's own buckets are 1 us wide near zero: too thin to see), counts
     * on a log scale (the tail is a fraction of a percent).
     */
    static String latenessChart(LatencyHistogram h, String title) {
        long top = Math.max(100, h.percentile(99.9).toNanos() / 1000 * 2);
        long width = niceStep(top / 50.0);
        int bins = (int) ((top + width - 1) / width);
        double[] edges = new double[bins + 1];
        double[] counts = new double[bins];
        for (int b = 0; b <= bins; b++) {
            edges[b] = b * width / 1000.0;
        }
        for (int i = 0; i < h.bucketCount() && h.bucketLowerMicros(i) < bins * width; i++) {
            counts[(int) (h.bucketLowerMicros(i) / width)] += h.bucketCount(i);
        }
        return barChart(title, "ms after due time", "frames (log scale)", edges, counts, 900, 260, true);
    }

    /** 1, 2 or 5 times a power of ten, at least {@code x} (and at least 1). */
    static long niceStep(double x) {
        long step = 1;
        while (true) {
            for (long m : new long[] {1, 2, 5}) {
                if (m * step >= x) {
                    return m * step;
                }
            }
            step *= 10;
        }
    }

    /** Plot area, scales and axes. */
    private static final class Frame {
        final int width;
        final int height;
        final double xLo;
        final double xHi;
        final double yLo;
        final double yHi;
        /** y values are log10(1 + count): ticks at counts 1, 10, 100, ..., labelled with the count. */
        final boolean logY;

        Frame(int width, int height, double xLo, double xHi, double yLo, double yHi) {
            this(width, height, xLo, xHi, yLo, yHi, false);
        }

        Frame(int width, int height, double xLo, double xHi, double yLo, double yHi, boolean logY) {
            this.width = width;
            this.height = height;
            this.xLo = xLo;
            this.xHi = xHi;
            this.yLo = yLo;
            this.yHi = yHi;
            this.logY = logY;
        }

        double[] yTicks() {
            if (!logY) {
                return ticks(yLo, yHi);
            }
            int decades = (int) Math.round(Math.log10(Math.pow(10, yHi) - 1));
            double[] t = new double[decades + 1];
            for (int i = 0; i < t.length; i++) {
                t[i] = Math.log10(1 + Math.pow(10, i)); // the height of a bar of 10^i frames
            }
            return t;
        }

        String yLabel(double t) {
            if (!logY) {
                return label(t);
            }
            int decade = (int) Math.round(Math.log10(Math.pow(10, t) - 1));
            String[] suffix = {"", "k", "M", "G", "T"};
            int group = Math.min(decade / 3, suffix.length - 1);
            return label(Math.pow(10, decade - 3 * group)) + suffix[group]; // 1, 10, 100, 1k, ... 10M: narrow
        }

        double px(double x) {
            return LEFT + (x - xLo) / (xHi - xLo) * (width - LEFT - RIGHT);
        }

        double py(double y) {
            return height - BOTTOM - (y - yLo) / (yHi - yLo) * (height - TOP - BOTTOM);
        }

        StringBuilder open(String title, String xLabel, String yLabel) {
            StringBuilder sb = new StringBuilder();
            sb.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(width).append("\" height=\"")
                    .append(height).append("\" viewBox=\"0 0 ").append(width).append(' ').append(height)
                    .append("\" font-family=\"sans-serif\">\n");
            sb.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
            sb.append(text(width / 2.0, 20, title, "middle", 14));
            double x0 = px(xLo);
            double x1 = px(xHi);
            double y0 = py(yLo);
            double y1 = py(yHi);
            sb.append("<g stroke=\"#ccc\" stroke-width=\"1\">\n");
            for (double t : yTicks()) {
                sb.append(line(x0, py(t), x1, py(t)));
            }
            sb.append("</g>\n<g stroke=\"#333\" stroke-width=\"1\">\n");
            sb.append(line(x0, y0, x1, y0)).append(line(x0, y0, x0, y1));
            sb.append("</g>\n");
            for (double t : yTicks()) {
                sb.append(text(x0 - 6, py(t) + 4, yLabel(t), "end", 11));
            }
            for (double t : ticks(xLo, xHi)) {
                sb.append(line(px(t), y0, px(t), y0 + 4).replace("/>", " stroke=\"#333\"/>"));
                sb.append(text(px(t), y0 + 17, label(t), "middle", 11));
            }
            sb.append(text((x0 + x1) / 2, height - 8, xLabel, "middle", 12));
            sb.append("<text x=\"14\" y=\"").append(fmt((y0 + y1) / 2)).append("\" font-size=\"12\" text-anchor=\"middle\" ")
                    .append("transform=\"rotate(-90 14 ").append(fmt((y0 + y1) / 2)).append(")\">")
                    .append(escape(yLabel)).append("</text>\n");
            return sb;
        }
    }

    /** About five round tick values covering lo..hi. */
    static double[] ticks(double lo, double hi) {
        double span = hi - lo;
        double step = Math.pow(10, Math.floor(Math.log10(span / 5)));
        for (double m : new double[] {1, 2, 2.5, 5, 10}) {
            if (span / (step * m) <= 6) {
                step *= m;
                break;
            }
        }
        double first = Math.ceil(lo / step) * step;
        int n = (int) Math.floor((hi - first) / step + 1e-9) + 1;
        double[] t = new double[Math.max(0, n)];
        for (int i = 0; i < t.length; i++) {
            t[i] = first + i * step;
        }
        return t;
    }

    /** A tick label: thousands separated, no trailing zeros (2.5, 0.8, 1,000). */
    static String label(double v) {
        if (Math.abs(v) < 1e-9) {
            return "0";
        }
        if (Math.abs(v) >= 1000 || Math.abs(v - Math.rint(v)) < 1e-9) {
            return String.format(Locale.ROOT, "%,.0f", v);
        }
        String s = String.format(Locale.ROOT, "%.4f", v);
        return s.replaceAll("0+$", "").replaceAll("\\.$", "");
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    private static String line(double x0, double y0, double x1, double y1) {
        return "<line x1=\"" + fmt(x0) + "\" y1=\"" + fmt(y0) + "\" x2=\"" + fmt(x1) + "\" y2=\"" + fmt(y1) + "\"/>\n";
    }

    private static String text(double x, double y, String s, String anchor, int size) {
        return "<text x=\"" + fmt(x) + "\" y=\"" + fmt(y) + "\" font-size=\"" + size + "\" text-anchor=\"" + anchor
                + "\">" + escape(s) + "</text>\n";
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }
}
