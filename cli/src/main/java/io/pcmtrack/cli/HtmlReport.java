package io.pcmtrack.cli;

import java.util.ArrayList;
import java.util.List;

/** One self-contained HTML page: tables of numbers, checks and inline SVG charts; no scripts. */
final class HtmlReport {
    private final String title;
    private final List<String[]> numbers = new ArrayList<>();
    private final List<Check> checks = new ArrayList<>();
    private final List<String[]> charts = new ArrayList<>();

    /** A pass/fail line of the report. */
    record Check(String name, boolean passed, String detail) {
    }

    HtmlReport(String title) {
        this.title = title;
    }

    HtmlReport number(String name, String value) {
        numbers.add(new String[] {name, value});
        return this;
    }

    HtmlReport check(String name, boolean passed, String detail) {
        checks.add(new Check(name, passed, detail));
        return this;
    }

    HtmlReport chart(String caption, String svg) {
        charts.add(new String[] {caption, svg});
        return this;
    }

    List<Check> checks() {
        return checks;
    }

    boolean passed() {
        return checks.stream().allMatch(Check::passed);
    }

    String render() {
        StringBuilder sb = new StringBuilder();
        sb.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>")
                .append(Svg.escape(title)).append("</title>\n<style>\n")
                .append("body{font-family:sans-serif;margin:24px auto;max-width:960px;color:#222}\n")
                .append("table{border-collapse:collapse;margin:8px 0 20px}td,th{padding:4px 12px;border-bottom:1px solid #ddd;text-align:left}\n")
                .append(".pass{color:#137333;font-weight:bold}.fail{color:#b3261e;font-weight:bold}\n")
                .append("figure{margin:16px 0}figcaption{color:#555;font-size:13px}svg{max-width:100%;height:auto}\n")
                .append("</style></head><body>\n<h1>").append(Svg.escape(title)).append("</h1>\n");
        sb.append("<p class=\"").append(passed() ? "pass\">PASS" : "fail\">FAIL").append("</p>\n");
        sb.append("<h2>Checks</h2>\n<table>\n");
        for (Check c : checks) {
            sb.append("<tr><td>").append(Svg.escape(c.name())).append("</td><td class=\"")
                    .append(c.passed() ? "pass\">pass" : "fail\">FAIL").append("</td><td>")
                    .append(Svg.escape(c.detail())).append("</td></tr>\n");
        }
        sb.append("</table>\n<h2>Numbers</h2>\n<table>\n");
        for (String[] n : numbers) {
            sb.append("<tr><th>").append(Svg.escape(n[0])).append("</th><td>").append(Svg.escape(n[1])).append("</td></tr>\n");
        }
        sb.append("</table>\n");
        for (String[] c : charts) {
            sb.append("<figure>\n").append(c[1]).append("<figcaption>").append(Svg.escape(c[0]))
                    .append("</figcaption>\n</figure>\n");
        }
        return sb.append("</body></html>\n").toString();
    }
}
