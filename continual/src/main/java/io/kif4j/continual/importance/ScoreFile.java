package io.kif4j.continual.importance;

import io.kif4j.lora.LoraKeys;
import io.kif4j.lora.SkillUnit;
import io.kif4j.common.AtomicFiles;
import io.kif4j.common.KifInputException;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A file of one score per skill unit, in either of the two formats a fusion step reads and writes:
 * <ul>
 *   <li>{@link Format#AUTHORS}: the KIF authors' {@code ipt_file/*.csv}, header {@code Module_Name,Importance_Score},
 *       names {@code base_model.model.<path>.lora_A.default.weight} / {@code .lora_B.default.weight} for matrix
 *       units (with or without PEFT's {@code .default}) and {@code base_model.model.<path>.|||i} for rank-one
 *       unit i;</li>
 *   <li>{@link Format#KIF4J}: a run's {@code unit_scores.csv}, header {@code unit,module,raw,normalized,cumulative},
 *       unit ids as {@link SkillUnit#id()}.</li>
 * </ul>
 * Scores are keyed by {@link SkillUnit#id()} in file order; {@link #names} keeps each unit's name as written, so
 * a file written back in the same format uses the same names.
 *
 * @param file   where it was read from
 * @param format which of the two formats
 * @param scores unit id → score, in file order (for KIF4J: the column asked for)
 * @param names  unit id → the name in the file
 */
public record ScoreFile(Path file, Format format, Map<String, Double> scores, Map<String, String> names) {

    /** The two score-file formats. */
    public enum Format { AUTHORS, KIF4J }

    /** Which score of a {@link Format#KIF4J} file: the task's raw score or the carried cumulative score. */
    public enum Column {
        RAW("raw"), CUMULATIVE("cumulative");

        final String header;

        Column(String header) {
            this.header = header;
        }
    }

    static final String AUTHORS_HEADER = "Module_Name,Importance_Score";
    static final String KIF4J_HEADER = "unit,module,raw,normalized,cumulative";
    private static final String PEFT_PREFIX = "base_model.model.";
    private static final String RANK_ONE = LoraKeys.RANK_ONE;
    /** A score file has one short line per unit; 64 MiB is millions of units. */
    static final long MAX_BYTES = 64L << 20;

    public ScoreFile {
        scores = Collections.unmodifiableMap(new LinkedHashMap<>(scores));
        names = Collections.unmodifiableMap(new LinkedHashMap<>(names));
    }

    /**
     * Reads either format, recognised by its header; from a kif4j {@code unit_scores.csv} it takes
     * {@code column}. Every problem is a {@link KifInputException} naming the file and the line.
     */
    public static ScoreFile read(Path file, Column column) {
        List<String> lines;
        try {
            if (Files.size(file) > MAX_BYTES) {
                throw KifInputException.of(file, "score file of " + Files.size(file) + " bytes; at most " + MAX_BYTES
                        + " (one line per skill unit)");
            }
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw KifInputException.of(file, "cannot read the score file: " + e.getMessage(), e);
        }
        int first = 0;
        while (first < lines.size() && lines.get(first).isBlank()) {
            first++;
        }
        if (first == lines.size()) {
            throw KifInputException.of(file, "empty score file (expected a header " + AUTHORS_HEADER + " or "
                    + KIF4J_HEADER + ")");
        }
        List<String> header = fields(lines.get(first).replace("\uFEFF", ""));
        Format format;
        int nameCol;
        int scoreCol;
        if (header.equals(List.of("Module_Name", "Importance_Score"))) {
            format = Format.AUTHORS;
            nameCol = 0;
            scoreCol = 1;
        } else if (header.contains("unit") && header.contains(column.header)) {
            format = Format.KIF4J;
            nameCol = header.indexOf("unit");
            scoreCol = header.indexOf(column.header);
        } else {
            throw KifInputException.of(file, "header " + header + " is neither " + AUTHORS_HEADER
                    + " (the KIF authors' score file) nor kif4j's " + KIF4J_HEADER);
        }
        Map<String, Double> scores = new LinkedHashMap<>();
        Map<String, String> names = new LinkedHashMap<>();
        for (int i = first + 1; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) {
                continue;
            }
            List<String> f = fields(lines.get(i));
            if (f.size() != header.size()) {
                throw KifInputException.of(file, "line " + (i + 1) + ": " + f.size() + " fields, the header has "
                        + header.size());
            }
            String name = f.get(nameCol);
            String id = format == Format.AUTHORS ? unitId(file, i + 1, name) : checkedId(file, i + 1, name);
            double v = number(file, i + 1, f.get(scoreCol));
            if (scores.put(id, v) != null) {
                throw KifInputException.of(file, "line " + (i + 1) + ": skill unit " + id + " appears twice");
            }
            names.put(id, name);
        }
        if (scores.isEmpty()) {
            throw KifInputException.of(file, "no skill units in the score file");
        }
        return new ScoreFile(file, format, scores, names);
    }

    /** The skill units the file names, in file order. */
    public List<SkillUnit> units() {
        List<SkillUnit> out = new ArrayList<>();
        for (String id : scores.keySet()) {
            out.add(unit(id));
        }
        return out;
    }

    /** The {@link SkillUnit} of a unit id ({@code path|||i}, {@code path.lora_A.weight}, {@code path.lora_B.weight}). */
    public static SkillUnit unit(String id) {
        int bar = id.indexOf(RANK_ONE);
        if (bar >= 0) {
            return new SkillUnit(id, id.substring(0, bar), SkillUnit.Kind.RANK_ONE,
                    Integer.parseInt(id.substring(bar + RANK_ONE.length())));
        }
        return new SkillUnit(id, LoraKeys.moduleOfMatrix(id), LoraKeys.isA(id) ? SkillUnit.Kind.MATRIX_A : SkillUnit.Kind.MATRIX_B, -1);
    }

    /** The authors' name of a unit to kif4j's id, as their code reads it ({@code .replace(".default", "")}). */
    static String unitId(Path file, int line, String name) {
        if (!name.startsWith(PEFT_PREFIX)) {
            throw KifInputException.of(file, "line " + line + ": Module_Name '" + name + "' does not start with "
                    + PEFT_PREFIX + " (a PEFT parameter name or a rank-one id base_model.model.<module>.|||i)");
        }
        String rest = name.substring(PEFT_PREFIX.length());
        int bar = rest.indexOf(RANK_ONE);
        if (bar >= 0) {
            if (bar == 0 || rest.charAt(bar - 1) != '.') {
                throw KifInputException.of(file, "line " + line + ": rank-one Module_Name '" + name
                        + "' is not of the form base_model.model.<module>.|||i");
            }
            return checkedId(file, line, rest.substring(0, bar - 1) + rest.substring(bar));
        }
        return checkedId(file, line, rest.replace(".default", ""));
    }

    /** A unit id must name a module and a lora_A/lora_B matrix or a rank index. */
    private static String checkedId(Path file, int line, String id) {
        int bar = id.indexOf(RANK_ONE);
        boolean ok;
        if (bar >= 0) {
            String index = id.substring(bar + RANK_ONE.length());
            ok = bar > 0 && !index.isEmpty() && index.length() < 10 && index.chars().allMatch(Character::isDigit);
        } else {
            ok = (LoraKeys.isA(id) || LoraKeys.isB(id)) && id.length() > LoraKeys.A.length();
        }
        if (!ok) {
            throw KifInputException.of(file, "line " + line + ": '" + id + "' names no skill unit (expected "
                    + "<module>.lora_A.weight, <module>.lora_B.weight or <module>|||i)");
        }
        return id;
    }

    private static double number(Path file, int line, String s) {
        String t = s.strip().toLowerCase(Locale.ROOT);
        switch (t) {
            case "nan", "-nan" -> {
                return Double.NaN;
            }
            case "inf", "+inf", "infinity" -> {
                return Double.POSITIVE_INFINITY;
            }
            case "-inf", "-infinity" -> {
                return Double.NEGATIVE_INFINITY;
            }
            default -> {
            }
        }
        try {
            if (t.isEmpty() || !t.matches("[-+0-9.e]+")) {
                throw new NumberFormatException();
            }
            return Double.parseDouble(t);
        } catch (NumberFormatException e) {
            throw KifInputException.of(file, "line " + line + ": score '" + s + "' is not a number");
        }
    }

    /** Comma-separated fields, each stripped and unquoted (names hold no commas). */
    private static List<String> fields(String line) {
        List<String> out = new ArrayList<>();
        for (String f : line.split(",", -1)) {
            String s = f.strip();
            if (s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"")) {
                s = s.substring(1, s.length() - 1).replace("\"\"", "\"");
            }
            out.add(s);
        }
        return out;
    }

    /**
     * Writes the authors' format: {@code Module_Name,Importance_Score}, one line per unit in the order of
     * {@code scores}, each unit under its name in {@code names} (kif4j's id turned into the authors' form when
     * absent), values as Python prints them.
     */
    public static void writeAuthors(Path file, Map<String, Double> scores, Map<String, String> names) {
        StringBuilder b = new StringBuilder(AUTHORS_HEADER).append('\n');
        scores.forEach((id, v) -> b.append(names.getOrDefault(id, authorsName(id))).append(',')
                .append(pythonRepr(v)).append('\n'));
        AtomicFiles.writeString(file, b.toString());
    }

    /**
     * Writes kif4j's {@code unit_scores.csv}: per unit its raw score, Norm(raw) and the cumulative score, in the
     * order of {@code raw}.
     */
    public static void writeKif4j(Path file, Map<String, Double> raw, Map<String, Double> normalized,
                                  Map<String, Double> cumulative) {
        StringBuilder b = new StringBuilder(KIF4J_HEADER).append('\n');
        raw.forEach((id, v) -> b.append(id).append(',').append(unit(id).module()).append(',').append(v).append(',')
                .append(normalized.get(id)).append(',').append(cumulative.get(id)).append('\n'));
        AtomicFiles.writeString(file, b.toString());
    }

    /** kif4j's unit id in the authors' naming (PEFT's {@code .default} adapter name included). */
    static String authorsName(String id) {
        int bar = id.indexOf(RANK_ONE);
        if (bar >= 0) {
            return PEFT_PREFIX + id.substring(0, bar) + "." + id.substring(bar);
        }
        return PEFT_PREFIX + id.substring(0, id.length() - ".weight".length()) + ".default.weight";
    }

    /**
     * Python's {@code repr(float)}: the shortest decimal that reads back as the same double, positional for
     * exponents −4 … 15 ({@code 0.0001}, {@code 123.0}) and scientific otherwise ({@code 7.1e-06}, {@code 1e+16}).
     */
    public static String pythonRepr(double v) {
        if (Double.isNaN(v)) {
            return "nan";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "inf" : "-inf";
        }
        if (v == 0) {
            return 1 / v < 0 ? "-0.0" : "0.0";
        }
        BigDecimal exact = new BigDecimal(v);
        BigDecimal shortest = exact;
        for (int p = 1; p <= 17; p++) {
            BigDecimal r = exact.round(new MathContext(p, RoundingMode.HALF_EVEN));
            if (r.doubleValue() == v) {
                shortest = r;
                break;
            }
        }
        shortest = shortest.stripTrailingZeros();
        String digits = shortest.unscaledValue().abs().toString();
        int exp10 = digits.length() - 1 - shortest.scale(); // position of the first digit
        String sign = v < 0 ? "-" : "";
        if (exp10 >= -4 && exp10 < 16) {
            String plain = shortest.abs().toPlainString();
            return sign + (plain.contains(".") ? plain : plain + ".0");
        }
        String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
        return sign + mantissa + "e" + (exp10 < 0 ? "-" : "+") + String.format(Locale.ROOT, "%02d", Math.abs(exp10));
    }
}
