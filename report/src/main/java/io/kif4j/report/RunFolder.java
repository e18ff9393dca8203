package io.kif4j.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kif4j.continual.metrics.AccuracyMatrix;
import io.kif4j.common.KifInputException;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.OptionalDouble;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a run folder holds, read leniently: a run still in progress, or a baseline without importance scores, has
 * missing files; those come back as null/empty with a note in {@link #problems()}, never as an exception.
 *
 * <p>Layout: {@code config.json}, {@code metrics.json} ({@code method}, {@code seed}, {@code tasks}, {@code matrix}
 * with null for unmeasured cells, {@code per_task}, {@code timings}, {@code config}), and
 * {@code tasks/NN-<task>/} with {@code unit_scores.csv} and {@code train_loss.csv}.
 */
final class RunFolder {

    /** One trained task's folder, {@code number} 1-based in training order. */
    record TaskDir(int number, String task, Path dir) {

        String label() {
            return String.format("%02d %s", number, task);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern TASK_DIR = Pattern.compile("(\\d+)-(.+)");

    final Path dir;
    /** metrics.json, or null. */
    final JsonNode metrics;
    /** config.json, else metrics.json's "config", or null. */
    final JsonNode config;
    final String method;
    /** The seed as written, or null. */
    final String seed;
    final List<String> tasks;
    /** The score matrix from metrics.json, or null. */
    final AccuracyMatrix matrix;
    final List<TaskDir> taskDirs;
    final List<String> problems = new ArrayList<>();

    private RunFolder(Path dir) {
        this.dir = dir;
        this.metrics = readJson(dir.resolve("metrics.json"));
        JsonNode cfg = readJson(dir.resolve("config.json"));
        if (cfg == null && metrics != null && metrics.path("config").isObject()) {
            cfg = metrics.get("config");
        }
        this.config = cfg;
        this.taskDirs = listTaskDirs(dir.resolve("tasks"));
        this.method = text(metrics, "method", text(config, "method", dir.getFileName() == null ? "run" : dir.getFileName().toString()));
        this.seed = text(metrics, "seed", text(config, "seed", null));
        List<String> names = new ArrayList<>();
        if (metrics != null && metrics.path("tasks").isArray()) {
            metrics.get("tasks").forEach(n -> names.add(n.asText()));
        }
        if (names.isEmpty() && config != null && config.path("tasks").isArray()) {
            config.get("tasks").forEach(n -> names.add(n.asText()));
        }
        if (names.isEmpty()) {
            taskDirs.forEach(t -> names.add(t.task()));
        }
        this.tasks = List.copyOf(names);
        this.matrix = readMatrix();
    }

    /** Reads {@code dir}; fails only when it is not a directory. */
    static RunFolder read(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw KifInputException.of(dir, Files.exists(dir) ? "not a directory" : "no such run folder");
        }
        return new RunFolder(dir);
    }

    /** Does the folder look like a run at all (any of metrics.json, config.json, tasks/)? */
    boolean looksLikeRun() {
        return metrics != null || config != null || Files.isDirectory(dir.resolve("tasks"))
                || Files.exists(dir.resolve("metrics.json")) || Files.exists(dir.resolve("config.json"));
    }

    // ---- metrics: recomputed from the matrix, the stored value only when there is no matrix -------------------

    /**
     * "joint" (mtl) or "single" for the reference rows, whose FWT, BWT and forgetting are not defined, or null
     * for a sequential run.
     */
    String reference() {
        return metrics == null || !metrics.path("reference").isTextual() ? null : metrics.get("reference").asText();
    }

    OptionalDouble ap() {
        if (matrix != null && "single".equals(reference())) {
            return matrix.diagonalMean(); // each task scored only by its own adapter
        }
        return matrix != null ? matrix.ap() : stored("ap");
    }

    OptionalDouble fwt() {
        return reference() != null ? OptionalDouble.empty() : matrix != null ? matrix.fwt() : stored("fwt");
    }

    OptionalDouble bwt() {
        return reference() != null ? OptionalDouble.empty() : matrix != null ? matrix.bwt() : stored("bwt");
    }

    OptionalDouble forgetting() {
        return reference() != null ? OptionalDouble.empty() : matrix != null ? matrix.forgetting() : stored("forgetting");
    }

    /** The first task's score at the end: after the last task, or (single) after its own training. */
    OptionalDouble firstTaskFinal() {
        if (matrix == null || matrix.size() == 0) {
            return OptionalDouble.empty();
        }
        return "single".equals(reference()) ? matrix.get(0, 0) : matrix.get(matrix.size() - 1, 0);
    }

    /** The value metrics.json states for {@code key}, if a number. */
    OptionalDouble stored(String key) {
        JsonNode v = metrics == null ? null : metrics.get(key);
        return v != null && v.isNumber() ? OptionalDouble.of(v.asDouble()) : OptionalDouble.empty();
    }

    /** Tasks with a measured diagonal cell: trained and scored. */
    int tasksDone() {
        if (matrix == null) {
            return taskDirs.size();
        }
        int done = 0;
        for (int t = 0; t < matrix.size(); t++) {
            if (matrix.isMeasured(t, t)) {
                done = t + 1;
            }
        }
        return done;
    }

    // ---- reading -------------------------------------------------------------------------------------------------

    private JsonNode readJson(Path file) {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try {
            JsonNode n = JSON.readTree(Files.readString(file));
            if (n == null || !n.isObject()) {
                problems.add(file.getFileName() + ": not a JSON object");
                return null;
            }
            return n;
        } catch (IOException e) {
            // A file being rewritten by the runner is replaced atomically, so this is a real defect: say so.
            problems.add(file.getFileName() + ": " + String.valueOf(e.getMessage()).lines().findFirst().orElse("unreadable"));
            return null;
        }
    }

    private AccuracyMatrix readMatrix() {
        if (metrics == null || tasks.isEmpty()) {
            return null;
        }
        JsonNode rows = metrics.get("matrix");
        if (rows == null || !rows.isArray()) {
            problems.add("metrics.json: no \"matrix\"");
            return null;
        }
        int n = tasks.size();
        double[][] values = new double[n][n];
        for (double[] row : values) {
            Arrays.fill(row, Double.NaN);
        }
        // Rows not yet written, or short rows, stay unmeasured.
        for (int t = 0; t < Math.min(n, rows.size()); t++) {
            JsonNode row = rows.get(t);
            for (int i = 0; row != null && row.isArray() && i < Math.min(n, row.size()); i++) {
                JsonNode cell = row.get(i);
                if (cell.isNumber() && Double.isFinite(cell.asDouble())) {
                    values[t][i] = cell.asDouble();
                }
            }
        }
        if (rows.size() > n) {
            problems.add("metrics.json: " + rows.size() + " matrix rows for " + n + " tasks; extra rows ignored");
        }
        return AccuracyMatrix.of(tasks, values);
    }

    private List<TaskDir> listTaskDirs(Path tasksDir) {
        List<TaskDir> out = new ArrayList<>();
        if (!Files.isDirectory(tasksDir)) {
            return out;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(tasksDir, Files::isDirectory)) {
            for (Path p : ds) {
                Matcher m = TASK_DIR.matcher(p.getFileName().toString());
                if (m.matches()) {
                    try {
                        out.add(new TaskDir(Integer.parseInt(m.group(1)), m.group(2), p));
                    } catch (NumberFormatException ignored) {
                        // not one of ours
                    }
                }
            }
        } catch (IOException e) {
            problems.add("tasks/: " + e.getMessage());
        }
        out.sort(Comparator.comparingInt(TaskDir::number).thenComparing(TaskDir::task));
        return out;
    }

    private static String text(JsonNode node, String key, String fallback) {
        JsonNode v = node == null ? null : node.get(key);
        return v == null || v.isNull() || v.isContainerNode() ? fallback : v.asText();
    }
}
