package io.kif4j.report;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;

/** HTML and number formatting shared by the reports. Everything from a file goes through {@link #esc}. */
final class Html {

    /** The dash shown for a missing number, in HTML, Markdown and charts alike. */
    static final String NONE = "–";

    /** Inline style sheet: the reports must be single self-contained files. */
    static final String CSS = """
            body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;margin:24px auto;max-width:1180px;color:#222;padding:0 16px}
            h1{font-size:1.5em;margin-bottom:.2em}h2{font-size:1.2em;margin-top:1.8em;border-bottom:1px solid #ddd;padding-bottom:.2em}
            h3{font-size:1.05em;margin:1.2em 0 .4em}
            table{border-collapse:collapse;margin:.6em 0;font-size:.92em}
            th,td{border:1px solid #ccc;padding:3px 8px;vertical-align:top}th{background:#f3f3f3;text-align:left}
            td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}td.na{color:#999;text-align:center}
            td.k{font-family:ui-monospace,"DejaVu Sans Mono",monospace;white-space:nowrap}td.v{font-family:ui-monospace,"DejaVu Sans Mono",monospace;word-break:break-all}
            .formula{font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:.9em}
            .muted{color:#666}.warn{color:#a33}.figs{display:flex;flex-wrap:wrap;gap:12px;align-items:flex-start}
            img{max-width:100%;height:auto;border:1px solid #eee}
            """;

    private Html() {
    }

    static String esc(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    static String fmt(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.2f", v) : NONE;
    }

    static String fmt(OptionalDouble v) {
        return v.isPresent() ? fmt(v.getAsDouble()) : NONE;
    }

    /** A numeric table cell, greyed dash when missing. */
    static String numCell(OptionalDouble v) {
        return v.isPresent() ? "<td class=\"n\">" + fmt(v) + "</td>" : "<td class=\"na\">" + NONE + "</td>";
    }

    static String numCell(double v) {
        return Double.isFinite(v) ? "<td class=\"n\">" + fmt(v) + "</td>" : "<td class=\"na\">" + NONE + "</td>";
    }

    static String img(String dataUri, String alt) {
        return "<img src=\"" + dataUri + "\" alt=\"" + esc(alt) + "\">";
    }

    static String page(String title, String body) {
        return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>" + esc(title)
                + "</title>\n<style>\n" + CSS + "</style>\n</head>\n<body>\n" + body + "</body>\n</html>\n";
    }

    /** A relative URL from folder {@code from} to {@code target}, each path segment percent-encoded. */
    static String relativeUrl(Path from, Path target) {
        Path rel = from.toAbsolutePath().normalize().relativize(target.toAbsolutePath().normalize());
        List<String> parts = new ArrayList<>();
        for (Path p : rel) {
            parts.add(URLEncoder.encode(p.toString(), StandardCharsets.UTF_8).replace("+", "%20"));
        }
        return String.join("/", parts);
    }
}
