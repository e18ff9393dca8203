package io.kif4j.continual.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kif4j.common.AtomicFiles;
import io.kif4j.common.KifInputException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;

/**
 * The score matrix of a continual run: {@code a[t][i]} = score (percent) on task {@code i} measured after
 * training task {@code t}, both 0-based in task order. Cells not (yet) measured hold nothing; the runner fills
 * the matrix row by row. docs/METRICS.md gives every formula.
 *
 * <p>KIF's metrics (spec §1.3), with T tasks and 1-based indices as in the spec:
 * AP = (1/T) Σ_i a[T][i]; FWT = (1/(T−1)) Σ_{i=2..T} a[i−1][i] (zero-shot score on task i before training it);
 * BWT = (1/(T−1)) Σ_{i=1..T−1} (a[T][i] − a[i][i]). SAPT's and AimMerging's variants are separate methods.
 * Each metric is empty while a cell it needs is unmeasured. Not thread-safe.
 */
public final class AccuracyMatrix {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final List<String> tasks;
    private final double[][] a;

    /** An empty matrix (nothing measured) over {@code tasks} in training order. */
    public AccuracyMatrix(List<String> tasks) {
        if (tasks.isEmpty()) {
            throw new IllegalArgumentException("no tasks");
        }
        this.tasks = List.copyOf(tasks);
        this.a = new double[tasks.size()][tasks.size()];
        for (double[] row : a) {
            Arrays.fill(row, Double.NaN);
        }
    }

    /** A matrix from values, NaN marking unmeasured cells. */
    public static AccuracyMatrix of(List<String> tasks, double[][] values) {
        AccuracyMatrix m = new AccuracyMatrix(tasks);
        if (values.length != tasks.size()) {
            throw new IllegalArgumentException(values.length + " rows for " + tasks.size() + " tasks");
        }
        for (int t = 0; t < values.length; t++) {
            if (values[t].length != tasks.size()) {
                throw new IllegalArgumentException("row " + t + " has " + values[t].length + " cells for " + tasks.size() + " tasks");
            }
            for (int i = 0; i < values[t].length; i++) {
                if (!Double.isNaN(values[t][i])) {
                    m.set(t, i, values[t][i]);
                }
            }
        }
        return m;
    }

    public List<String> tasks() {
        return tasks;
    }

    /** T, the number of tasks. */
    public int size() {
        return tasks.size();
    }

    /** Records the score on task {@code i} after training task {@code t} (0-based). */
    public void set(int t, int i, double score) {
        check(t, i);
        if (!Double.isFinite(score)) {
            throw new IllegalArgumentException("score must be finite: " + score);
        }
        a[t][i] = score;
    }

    /** Records by task name. */
    public void set(int t, String task, double score) {
        int i = tasks.indexOf(task);
        if (i < 0) {
            throw new IllegalArgumentException("no task " + task + " in " + tasks);
        }
        set(t, i, score);
    }

    public boolean isMeasured(int t, int i) {
        check(t, i);
        return !Double.isNaN(a[t][i]);
    }

    public OptionalDouble get(int t, int i) {
        return isMeasured(t, i) ? OptionalDouble.of(a[t][i]) : OptionalDouble.empty();
    }

    /** A copy of the cells, NaN where unmeasured. */
    public double[][] values() {
        double[][] copy = new double[a.length][];
        for (int t = 0; t < a.length; t++) {
            copy[t] = a[t].clone();
        }
        return copy;
    }

    // ---- KIF (spec §1.3) -------------------------------------------------------------------------------------

    /** AP (Eq. 18): mean over all tasks of the scores after the last task. */
    public OptionalDouble ap() {
        return apAfter(size() - 1);
    }

    /** Average performance so far: mean of {@code a[t][0..t]}, the tasks seen after training task t (0-based). */
    public OptionalDouble apAfter(int t) {
        check(t, t);
        double sum = 0;
        for (int i = 0; i <= t; i++) {
            if (!isMeasured(t, i)) {
                return OptionalDouble.empty();
            }
            sum += a[t][i];
        }
        return OptionalDouble.of(sum / (t + 1));
    }

    /** FWT (Eq. 19): mean over tasks 2..T of the zero-shot score before training them; empty for T = 1. */
    public OptionalDouble fwt() {
        int n = size();
        if (n < 2) {
            return OptionalDouble.empty();
        }
        double sum = 0;
        for (int i = 1; i < n; i++) {
            if (!isMeasured(i - 1, i)) {
                return OptionalDouble.empty();
            }
            sum += a[i - 1][i];
        }
        return OptionalDouble.of(sum / (n - 1));
    }

    /** BWT (Eq. 20): mean over tasks 1..T−1 of final minus just-trained score; empty for T = 1. */
    public OptionalDouble bwt() {
        int n = size();
        if (n < 2) {
            return OptionalDouble.empty();
        }
        double sum = 0;
        for (int i = 0; i < n - 1; i++) {
            if (!isMeasured(n - 1, i) || !isMeasured(i, i)) {
                return OptionalDouble.empty();
            }
            sum += a[n - 1][i] - a[i][i];
        }
        return OptionalDouble.of(sum / (n - 1));
    }

    // ---- variants (reference only; spec §1.3 "other definitions") ---------------------------------------------

    /** SAPT's BWT: the same sum as {@link #bwt()} (the last task adds 0) divided by T instead of T−1. */
    public OptionalDouble saptBwt() {
        int n = size();
        OptionalDouble kif = bwt();
        if (n < 2 || kif.isEmpty() || !isMeasured(n - 1, n - 1)) {
            return OptionalDouble.empty();
        }
        return OptionalDouble.of(kif.getAsDouble() * (n - 1) / n);
    }

    /**
     * SAPT's forgetting rate F.Ra: mean over tasks 1..T−1 of (best score before the last task − final score),
     * the best taken over rows i..T−1 (1-based), i.e. after the task was trained. SAPT's matrix holds 0 in the
     * cells before a task is trained, so its max over all k &lt; T is the same.
     */
    public OptionalDouble forgetting() {
        int n = size();
        if (n < 2) {
            return OptionalDouble.empty();
        }
        double sum = 0;
        for (int i = 0; i < n - 1; i++) {
            double best = Double.NEGATIVE_INFINITY;
            for (int k = i; k < n - 1; k++) {
                if (!isMeasured(k, i)) {
                    return OptionalDouble.empty();
                }
                best = Math.max(best, a[k][i]);
            }
            if (!isMeasured(n - 1, i)) {
                return OptionalDouble.empty();
            }
            sum += best - a[n - 1][i];
        }
        return OptionalDouble.of(sum / (n - 1));
    }

    /**
     * SAPT's FWT: mean of the diagonal minus the mean of single-task scores (SAPT hard-codes that mean, 50.94 for
     * its SuperNI T5 run).
     */
    public OptionalDouble saptFwt(double singleTaskMean) {
        OptionalDouble diagonal = diagonalMean();
        return diagonal.isEmpty() ? diagonal : OptionalDouble.of(diagonal.getAsDouble() - singleTaskMean);
    }

    /** AimMerging's FWT: (1/T) Σ_t (a[t][t] − s_t), with s_t the score of a LoRA trained on task t alone. */
    public OptionalDouble aimFwt(double[] singleTaskScores) {
        if (singleTaskScores.length != size()) {
            throw new IllegalArgumentException(singleTaskScores.length + " single-task scores for " + size() + " tasks");
        }
        OptionalDouble diagonal = diagonalMean();
        return diagonal.isEmpty() ? diagonal
                : OptionalDouble.of(diagonal.getAsDouble() - Arrays.stream(singleTaskScores).average().orElse(0));
    }

    /**
     * Mean of a[i][i], each task right after its own training: the AP of single-task runs, which are scored on
     * their own task only. Empty when a diagonal cell is missing.
     */
    public OptionalDouble diagonalMean() {
        double sum = 0;
        for (int t = 0; t < size(); t++) {
            if (!isMeasured(t, t)) {
                return OptionalDouble.empty();
            }
            sum += a[t][t];
        }
        return OptionalDouble.of(sum / size());
    }

    // ---- serialisation ---------------------------------------------------------------------------------------

    /** The scores row by row, null for unmeasured cells. */
    public ArrayNode scoresJson() {
        ArrayNode rows = JSON.createArrayNode();
        for (double[] row : a) {
            ArrayNode r = rows.addArray();
            for (double v : row) {
                if (Double.isNaN(v)) {
                    r.addNull();
                } else {
                    r.add(v);
                }
            }
        }
        return rows;
    }

    /**
     * {@code {"tasks": [...], "scores": [[a00, null, ...], ...], "metrics": {"ap": .., "fwt": .., "bwt": ..,
     * "forgetting": ..}}} with null for unmeasured cells and unavailable metrics.
     */
    public String toJson() {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode names = root.putArray("tasks");
        tasks.forEach(names::add);
        root.set("scores", scoresJson());
        ObjectNode metrics = root.putObject("metrics");
        put(metrics, "ap", ap());
        put(metrics, "fwt", fwt());
        put(metrics, "bwt", bwt());
        put(metrics, "forgetting", forgetting());
        try {
            return JSON.writeValueAsString(root);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void put(ObjectNode node, String key, OptionalDouble v) {
        if (v.isPresent()) {
            node.put(key, v.getAsDouble());
        } else {
            node.putNull(key);
        }
    }

    /** Parses {@link #toJson()} (the metrics are recomputed, not read); {@code source} names the file in errors. */
    public static AccuracyMatrix fromJson(String json, Path source) {
        Path where = source == null ? Path.of("(accuracy matrix)") : source;
        try {
            JsonNode root = JSON.readTree(json);
            JsonNode names = root == null ? null : root.get("tasks");
            JsonNode rows = root == null ? null : root.get("scores");
            if (names == null || !names.isArray() || rows == null || !rows.isArray()) {
                throw KifInputException.of(where, "needs fields \"tasks\" and \"scores\" (arrays)");
            }
            List<String> tasks = new ArrayList<>();
            names.forEach(n -> tasks.add(n.asText()));
            double[][] values = new double[rows.size()][];
            for (int t = 0; t < rows.size(); t++) {
                JsonNode row = rows.get(t);
                values[t] = new double[row.size()];
                for (int i = 0; i < row.size(); i++) {
                    JsonNode cell = row.get(i);
                    if (!cell.isNull() && !cell.isNumber()) {
                        throw KifInputException.of(where, "field \"scores[" + t + "][" + i + "]\" must be a number or null");
                    }
                    values[t][i] = cell.isNull() ? Double.NaN : cell.asDouble();
                }
            }
            return of(tasks, values);
        } catch (IOException e) {
            throw KifInputException.of(where, "not valid JSON: " + String.valueOf(e.getMessage()).lines().findFirst().orElse(""), e);
        } catch (IllegalArgumentException e) {
            throw KifInputException.of(where, e.getMessage(), e);
        }
    }

    public static AccuracyMatrix read(Path file) {
        try {
            return fromJson(Files.readString(file), file);
        } catch (IOException e) {
            throw KifInputException.of(file, "cannot read: " + e.getMessage(), e);
        }
    }

    /** Rows = after training task t, columns = task scored; empty cells unmeasured. */
    public String toCsv() {
        StringBuilder sb = new StringBuilder("after_task");
        tasks.forEach(t -> sb.append(',').append(csv(t)));
        sb.append('\n');
        for (int t = 0; t < size(); t++) {
            sb.append(csv(tasks.get(t)));
            for (int i = 0; i < size(); i++) {
                sb.append(',');
                if (isMeasured(t, i)) {
                    sb.append(a[t][i]);
                }
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    /** A Markdown table (two decimals, "–" for unmeasured) followed by AP, FWT, BWT and forgetting. */
    public String toMarkdown() {
        StringBuilder sb = new StringBuilder("| after \\ on |");
        tasks.forEach(t -> sb.append(' ').append(t.replace("|", "\\|")).append(" |"));
        sb.append('\n').append("|---|");
        tasks.forEach(t -> sb.append("---:|"));
        sb.append('\n');
        for (int t = 0; t < size(); t++) {
            sb.append("| ").append(t + 1).append(". ").append(tasks.get(t).replace("|", "\\|")).append(" |");
            for (int i = 0; i < size(); i++) {
                sb.append(' ').append(isMeasured(t, i) ? fmt(a[t][i]) : "–").append(" |");
            }
            sb.append('\n');
        }
        sb.append('\n')
                .append("AP ").append(fmt(ap()))
                .append(" · FWT ").append(fmt(fwt()))
                .append(" · BWT ").append(fmt(bwt()))
                .append(" · forgetting ").append(fmt(forgetting()))
                .append('\n');
        return sb.toString();
    }

    public void writeJson(Path file) {
        AtomicFiles.writeString(file, toJson());
    }

    public void writeCsv(Path file) {
        AtomicFiles.writeString(file, toCsv());
    }

    public void writeMarkdown(Path file) {
        AtomicFiles.writeString(file, toMarkdown());
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }

    private static String fmt(OptionalDouble v) {
        return v.isPresent() ? fmt(v.getAsDouble()) : "–";
    }

    private static String csv(String s) {
        return s.contains(",") || s.contains("\"") || s.contains("\n") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }

    private void check(int t, int i) {
        if (t < 0 || t >= size() || i < 0 || i >= size()) {
            throw new IndexOutOfBoundsException("cell [" + t + "][" + i + "] outside a " + size() + "×" + size() + " matrix");
        }
    }

    @Override
    public String toString() {
        return toMarkdown();
    }
}
