package io.kif4j.report;

import io.kif4j.common.KifInputException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Minimal CSV reading and writing (RFC 4180 quoting, one record per line) for the run files and compare.csv. */
final class Csv {

    /** A CSV file: its header and its rows (each padded or cut to the header's width). */
    record Table(List<String> header, List<List<String>> rows) {

        int column(String name) {
            return header.indexOf(name);
        }

        /** Column indices by name; a missing name is an error naming the file. */
        Map<String, Integer> require(Path file, String... names) {
            Map<String, Integer> out = new HashMap<>();
            for (String n : names) {
                int i = column(n);
                if (i < 0) {
                    throw KifInputException.of(file, "no column \"" + n + "\" in header " + header);
                }
                out.put(n, i);
            }
            return out;
        }
    }

    private Csv() {
    }

    static Table read(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw KifInputException.of(file, "cannot read: " + e.getMessage(), e);
        }
        List<String> header = null;
        List<List<String>> rows = new ArrayList<>();
        for (String line : lines) {
            if (line.isBlank()) {
                continue;
            }
            List<String> fields = parse(line);
            if (header == null) {
                header = fields.stream().map(String::strip).toList();
                continue;
            }
            while (fields.size() < header.size()) {
                fields.add("");
            }
            rows.add(fields.subList(0, header.size()));
        }
        if (header == null) {
            throw KifInputException.of(file, "empty CSV file");
        }
        return new Table(header, rows);
    }

    static List<String> parse(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    cur.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    cur.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                out.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        out.add(cur.toString());
        return out;
    }

    /** A number, or NaN for an empty or unparsable field (a run still being written may have a torn last line). */
    static double number(String s) {
        try {
            return Double.parseDouble(s.strip());
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    static String field(String s) {
        return s.contains(",") || s.contains("\"") || s.contains("\n") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }
}
