package io.pcmtrack.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

class SvgTest {

    @Test
    void ticksAreRoundAndCoverTheRange() {
        assertThat(Svg.ticks(0, 12.3)).containsExactly(0, 2.5, 5, 7.5, 10);
        assertThat(Svg.ticks(0, 1)).containsExactly(0, 0.2, 0.4, 0.6000000000000001, 0.8, 1);
        assertThat(Svg.ticks(48, 85)).containsExactly(50, 60, 70, 80);
    }

    @Test
    void labelsHaveNoTrailingZeros() {
        assertThat(Svg.label(2.5)).isEqualTo("2.5");
        assertThat(Svg.label(0.6000000000000001)).isEqualTo("0.6");
        assertThat(Svg.label(6000)).isEqualTo("6,000");
        assertThat(Svg.label(0)).isEqualTo("0");
        assertThat(Svg.label(-0.25)).isEqualTo("-0.25");
    }

    @Test
    void chartsEscapeTextAndDrawEverySeries() {
        String svg = Svg.lineChart("a < b & c", "x", "y", List.of(new Svg.Series("one", new double[] {0, 1}, new double[] {0, 1}),
                new Svg.Series("two", new double[] {0, 1}, new double[] {1, 0})), 400, 200, 0, 0);
        assertThat(svg).contains("a &lt; b &amp; c").contains(">one<").contains(">two<");
        assertThat(svg.split("<polyline", -1)).hasSize(3);
        String bars = Svg.barChart("h", "x", "y", new double[] {0, 1, 2}, new double[] {3, 5}, 400, 200);
        assertThat(bars.split("<rect", -1)).hasSize(1 + 1 + 2); // background + two bars
    }

    @Test
    void latenessChartRebinsIntoEqualBinsAndKeepsEveryFrameBelowTheTop() {
        assertThat(Svg.niceStep(0.3)).isEqualTo(1);
        assertThat(Svg.niceStep(1.5)).isEqualTo(2);
        assertThat(Svg.niceStep(40)).isEqualTo(50);
        assertThat(Svg.niceStep(400)).isEqualTo(500);
        io.pcmtrack.LatencyHistogram h = new io.pcmtrack.LatencyHistogram();
        for (int i = 0; i < 1_000; i++) {
            h.record(i * 1_000L); // 0..999 us, one frame each
        }
        // p99.9 is about 1 ms, so the chart runs to about 2 ms in 50 bins of 40 -> 50 us.
        String svg = Svg.latenessChart(h, "t");
        int bars = svg.split("<rect", -1).length - 2; // minus the split's head and the background
        assertThat(bars).isBetween(20, 50);
        // Up to 50 frames per bin: ticks at 1, 10 and 100, the first power of ten above the tallest bar.
        assertThat(svg).contains(">t<").contains("frames (log scale)").contains(">1<").contains(">10<")
                .contains(">100<").doesNotContain(">1k<");
        assertThat(yLabels(svg)).as("a log axis has no 0").containsExactly("1", "10", "100");
        double[] edges = {0, 1, 2};
        String big = Svg.barChart("b", "x", "y", edges, new double[] {30_000_000, 5}, 400, 200, true);
        assertThat(big).contains(">1k<").contains(">10M<").contains(">100M<").doesNotContain("10,000,000");
        assertThat(tallestBarTop(big)).as("the tallest bar ends below the top tick")
                .isGreaterThanOrEqualTo(topGridLine(big));
        assertThat(tallestBarTop(svg)).isGreaterThanOrEqualTo(topGridLine(svg));
    }

    @Test
    void aLogAxisPutsACountOfOneAtTheOneTick() {
        String svg = Svg.barChart("b", "x", "y", new double[] {0, 1, 2}, new double[] {1, 0}, 400, 200, true);
        assertThat(tallestBarTop(svg)).isEqualTo(topGridLine(svg)); // one decade: the "1" tick is the top
        assertThat(svg).contains(">1<");
    }

    /** The y axis' labels, bottom up (the only right-aligned text). */
    private static java.util.List<String> yLabels(String svg) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("text-anchor=\"end\">([^<]*)<").matcher(svg);
        java.util.List<String> labels = new java.util.ArrayList<>();
        while (m.find()) {
            labels.add(m.group(1));
        }
        return labels;
    }

    /** The smallest y of a bar (SVG y grows downwards). */
    private static double tallestBarTop(String svg) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("<rect x=\"[-0-9.]+\" y=\"([-0-9.]+)\"").matcher(svg);
        double top = Double.MAX_VALUE;
        while (m.find()) {
            top = Math.min(top, Double.parseDouble(m.group(1)));
        }
        return top;
    }

    /** The y of the highest horizontal grid line. */
    private static double topGridLine(String svg) {
        java.util.regex.Matcher m = java.util.regex.Pattern
                .compile("<line x1=\"[-0-9.]+\" y1=\"([-0-9.]+)\" x2=\"[-0-9.]+\" y2=\"\\1\"").matcher(svg);
        double top = Double.MAX_VALUE;
        while (m.find()) {
            top = Math.min(top, Double.parseDouble(m.group(1)));
        }
        return top;
    }
}
