package io.kif4j.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kif4j.continual.metrics.Accuracy;
import io.kif4j.continual.metrics.PredictionRecord;
import io.kif4j.continual.metrics.RougeL;
import io.kif4j.continual.metrics.ScoringOptions;
import io.kif4j.continual.metrics.TaskMetrics;
import io.kif4j.continual.metrics.TaskScore;
import io.kif4j.datasets.JsonlReader;
import io.kif4j.common.KifInputException;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Per-task and overall scores of a predictions file (what {@code ./kif metrics} prints). Records are grouped by
 * {@code task} (records without one form the task "all"), each group scored with its metric; the overall score
 * is the mean of the task scores, as AP averages tasks.
 *
 * @param tasks   one score per task, in order of first appearance
 * @param overall mean of the task scores (percent)
 */
public record MetricsReport(List<TaskScore> tasks, double overall) {

    /** Task name of records without one. */
    public static final String NO_TASK = "all";

    private static final ObjectMapper JSON = new ObjectMapper();

    public MetricsReport {
        tasks = List.copyOf(tasks);
    }

    /** Reads a predictions file; bad lines are {@link KifInputException}s naming the file, line and field. */
    public static List<PredictionRecord> read(Path file) {
        List<PredictionRecord> out = new ArrayList<>();
        new JsonlReader().read(file, (line, node) -> {
            String prediction = requiredString(file, line, node, "prediction");
            String reference = requiredString(file, line, node, "reference");
            String metric = optionalString(file, line, node, "metric");
            if (metric != null && !metric.equalsIgnoreCase(Accuracy.NAME) && !metric.equalsIgnoreCase(RougeL.NAME)) {
                throw KifInputException.of(file, "line " + line + ": field \"metric\": \"" + metric
                        + "\" is not accuracy or rougeL");
            }
            out.add(new PredictionRecord(line, prediction, reference, metric, optionalString(file, line, node, "task")));
        });
        if (out.isEmpty()) {
            throw KifInputException.of(file, "no predictions (empty file)");
        }
        return out;
    }

    /** Scores records; {@code source} names the file in errors (may be null). */
    public static MetricsReport compute(List<PredictionRecord> records, ScoringOptions options, TaskMetrics table, Path source) {
        Map<String, List<PredictionRecord>> byTask = new LinkedHashMap<>();
        for (PredictionRecord r : records) {
            byTask.computeIfAbsent(r.task() == null ? NO_TASK : r.task(), k -> new ArrayList<>()).add(r);
        }
        List<TaskScore> scores = new ArrayList<>();
        for (Map.Entry<String, List<PredictionRecord>> e : byTask.entrySet()) {
            String task = e.getKey();
            String metric = null;
            PredictionRecord first = null;
            List<String> predictions = new ArrayList<>();
            List<String> references = new ArrayList<>();
            for (PredictionRecord r : e.getValue()) {
                String m = r.metric() != null ? canonical(r.metric()) : table.metricFor(null, r.task());
                if (metric == null) {
                    metric = m;
                    first = r;
                } else if (!metric.equals(m)) {
                    String problem = "line " + r.line() + ": field \"metric\": task \"" + task + "\" is scored with "
                            + metric + " (line " + first.line() + ") and " + m + " here; a task has one metric";
                    throw source == null ? new KifInputException(problem) : KifInputException.of(source, problem);
                }
                predictions.add(r.prediction());
                references.add(r.reference());
            }
            scores.add(TaskScore.of(task, metric, predictions, references, options));
        }
        double overall = scores.stream().mapToDouble(TaskScore::score).average().orElse(0);
        return new MetricsReport(scores, overall);
    }

    /** {@link #read} then {@link #compute} with the built-in metric table. */
    public static MetricsReport of(Path predictionsFile, ScoringOptions options) {
        return compute(read(predictionsFile), options, TaskMetrics.builtIn(), predictionsFile);
    }

    /** A fixed-width table: task, metric, examples, score; then the overall mean. */
    public String toText() {
        int width = Math.max("overall".length(), tasks.stream().mapToInt(t -> t.task().length()).max().orElse(4));
        StringBuilder sb = new StringBuilder();
        String row = "%-" + width + "s  %-8s  %8s  %7s%n";
        sb.append(String.format(Locale.ROOT, row, "task", "metric", "examples", "score"));
        for (TaskScore t : tasks) {
            sb.append(String.format(Locale.ROOT, row, t.task(), t.metric(), t.examples(),
                    String.format(Locale.ROOT, "%.2f", t.score())));
        }
        sb.append(String.format(Locale.ROOT, row, "overall", "mean", tasks.stream().mapToInt(TaskScore::examples).sum(),
                String.format(Locale.ROOT, "%.2f", overall)));
        return sb.toString();
    }

    /** One JSON object: {@code {"tasks": [{task, metric, examples, score}…], "overall": x}}. */
    public String toJson() {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode arr = root.putArray("tasks");
        for (TaskScore t : tasks) {
            arr.addObject().put("task", t.task()).put("metric", t.metric()).put("examples", t.examples()).put("score", t.score());
        }
        root.put("overall", overall);
        try {
            return JSON.writeValueAsString(root);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String canonical(String metric) {
        return metric.equalsIgnoreCase(Accuracy.NAME) ? Accuracy.NAME : RougeL.NAME;
    }

    private static String requiredString(Path file, int line, JsonNode node, String field) {
        String s = optionalString(file, line, node, field);
        if (s == null) {
            throw KifInputException.of(file, "line " + line + ": missing field \"" + field + "\"");
        }
        return s;
    }

    private static String optionalString(Path file, int line, JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw KifInputException.of(file, "line " + line + ": field \"" + field + "\" must be a string");
        }
        return v.asText();
    }
}
