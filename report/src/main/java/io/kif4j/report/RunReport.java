package io.kif4j.report;

import com.fasterxml.jackson.databind.JsonNode;
import io.kif4j.continual.metrics.AccuracyMatrix;
import io.kif4j.common.AtomicFiles;
import io.kif4j.common.KifInputException;

import java.awt.AWTError;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.DoubleSummaryStatistics;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.function.Supplier;

import static io.kif4j.report.Html.esc;

/**
 * The report of one continual run (one method, one seed): {@code <run>/report.html}, a single self-contained file
 * (charts are PNGs inlined as data URIs, the style sheet is inline). It shows the run's method, seed and tasks;
 * AP, FWT, BWT and forgetting next to their formulas (docs/METRICS.md); the accuracy matrix as a table and a
 * heatmap; per task, the skill-unit importance as a layer × (module kind × unit) heatmap (the KIF paper's
 * Figures 6–7); the training-loss curves; and the resolved config.
 *
 * <p>Runs in progress and baselines without importance scores have missing files: each section shows what
 * exists and says what does not, so the report can be rebuilt at any time.
 */
public final class RunReport {

    /** The report's file name inside the run folder. */
    public static final String FILE = "report.html";

    private RunReport() {
    }

    /**
     * Writes {@code <runDir>/report.html} atomically and returns its path.
     *
     * @throws KifInputException when {@code runDir} is not a run folder (no metrics.json, config.json or tasks/)
     */
    public static Path write(Path runDir) {
        String html = render(runDir);
        Path out = runDir.resolve(FILE);
        AtomicFiles.writeString(out, html);
        return out;
    }

    /** The report's HTML, without writing it. */
    public static String render(Path runDir) {
        RunFolder run = RunFolder.read(runDir);
        if (!run.looksLikeRun()) {
            throw KifInputException.of(runDir, "not a run folder (no metrics.json, config.json or tasks/)");
        }
        String title = "kif4j run: " + run.method + (run.seed == null ? "" : " · seed " + run.seed);
        StringBuilder b = new StringBuilder();
        b.append("<h1>").append(esc(title)).append("</h1>\n");
        b.append(section("the header", () -> header(run)));
        b.append("<h2>Metrics</h2>\n").append(section("the metrics", () -> metrics(run)));
        b.append("<h2>Accuracy matrix</h2>\n").append(section("the accuracy matrix", () -> matrix(run)));
        b.append("<h2>Per task</h2>\n").append(section("the per-task table", () -> perTask(run)));
        b.append("<h2>Training loss</h2>\n").append(section("the training loss", () -> loss(run)));
        b.append("<h2>Skill-unit importance</h2>\n").append(section("the importance heatmaps", () -> importance(run)));
        b.append("<h2>Configuration</h2>\n").append(section("the configuration", () -> config(run)));
        b.append("<p class=\"muted\">Written by kif4j on ")
                .append(esc(ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME.withLocale(Locale.ROOT))))
                .append("; rebuild with <code>./kif report ").append(esc(runDir.toString())).append("</code>.</p>\n");
        return Html.page(title, b.toString());
    }

    /**
     * One section's HTML, or a one-line notice if it cannot be built: a bad file must cost its section only.
     * AWT errors are caught too, for JVMs without fonts or a headless toolkit.
     */
    private static String section(String what, Supplier<String> body) {
        try {
            return body.get();
        } catch (RuntimeException | AWTError | LinkageError | InternalError e) {
            return "<p class=\"warn\">Could not show " + esc(what) + ": " + esc(String.valueOf(e.getMessage())) + "</p>\n";
        }
    }

    // ---- sections -------------------------------------------------------------------------------------------

    private static String header(RunFolder run) {
        StringBuilder b = new StringBuilder();
        b.append("<p class=\"muted\">").append(esc(run.dir.toAbsolutePath().normalize().toString())).append("</p>\n");
        if (run.tasks.isEmpty()) {
            b.append("<p>No tasks known yet.</p>\n");
        } else {
            b.append("<p><b>Method</b> ").append(esc(run.method))
                    .append(" · <b>seed</b> ").append(esc(run.seed == null ? Html.NONE : run.seed))
                    .append(" · <b>").append(run.tasks.size()).append(" tasks</b> in training order: ");
            for (int i = 0; i < run.tasks.size(); i++) {
                b.append(i == 0 ? "" : " → ").append(i + 1).append(". ").append(esc(run.tasks.get(i)));
            }
            b.append("</p>\n");
            int done = run.tasksDone();
            b.append("<p><b>Status</b> ").append(done >= run.tasks.size() && run.ap().isPresent()
                    ? "complete" : "in progress or unfinished: " + done + " of " + run.tasks.size() + " tasks trained and scored");
            OptionalDouble total = timing(run, "total_s");
            if (total.isPresent()) {
                b.append(" · <b>training time</b> ").append(duration(total.getAsDouble()));
            }
            b.append("</p>\n");
        }
        if (run.metrics == null) {
            b.append("<p class=\"warn\">No metrics.json yet.</p>\n");
        }
        for (String p : run.problems) {
            b.append("<p class=\"warn\">").append(esc(p)).append("</p>\n");
        }
        return b.toString();
    }

    private static String metrics(RunFolder run) {
        StringBuilder b = new StringBuilder("<table>\n<tr><th>metric</th><th>value</th><th>definition</th></tr>\n");
        row(b, run, "AP", run.ap(), "ap", "AP = (1/T) Σ_{i=1..T} a[T][i]");
        row(b, run, "FWT", run.fwt(), "fwt", "FWT = (1/(T−1)) Σ_{i=2..T} a[i−1][i]");
        row(b, run, "BWT", run.bwt(), "bwt", "BWT = (1/(T−1)) Σ_{i=1..T−1} (a[T][i] − a[i][i])");
        row(b, run, "forgetting", run.forgetting(), "forgetting",
                "F.Ra = (1/(T−1)) Σ_{i=1..T−1} (max_{k=i..T−1} a[k][i] − a[T][i])");
        b.append("</table>\n<p class=\"muted\">a[t][i] is the score (percent) on task i after training task t, "
                + "indices 1-based, T = number of tasks. AP, FWT and BWT are KIF's definitions (spec §1.3; FWT is the "
                + "zero-shot score before training the task, nothing subtracted; BWT leaves out the last task); "
                + "forgetting is SAPT's rate, for reference. "
                + (run.matrix != null ? "Recomputed from the matrix in metrics.json; a dash means a cell it needs is not measured yet."
                : "No matrix: the values are those stated in metrics.json.")
                + "</p>\n");
        return b.toString();
    }

    private static void row(StringBuilder b, RunFolder run, String name, OptionalDouble value, String key, String formula) {
        b.append("<tr><td>").append(name).append("</td>").append(Html.numCell(value))
                .append("<td class=\"formula\">").append(esc(formula));
        OptionalDouble stated = run.stored(key);
        if (run.matrix != null && stated.isPresent()
                && (value.isEmpty() || Math.abs(stated.getAsDouble() - value.getAsDouble()) > 0.005)) {
            b.append(" <span class=\"warn\">(metrics.json states ").append(Html.fmt(stated)).append(")</span>");
        }
        b.append("</td></tr>\n");
    }

    private static String matrix(RunFolder run) {
        AccuracyMatrix m = run.matrix;
        if (m == null) {
            return "<p class=\"muted\">No accuracy matrix yet.</p>\n";
        }
        int n = m.size();
        StringBuilder b = new StringBuilder("<table>\n<tr><th>after \\ on</th>");
        for (int i = 0; i < n; i++) {
            b.append("<th>").append(i + 1).append(". ").append(esc(m.tasks().get(i))).append("</th>");
        }
        b.append("<th>AP so far</th></tr>\n");
        for (int t = 0; t < n; t++) {
            b.append("<tr><th>").append(t + 1).append(". ").append(esc(m.tasks().get(t))).append("</th>");
            for (int i = 0; i < n; i++) {
                String cell = Html.numCell(m.get(t, i));
                b.append(i == t ? cell.replace("<td class=\"n\">", "<td class=\"n\"><b>").replace("</td>", "</b></td>") : cell);
            }
            b.append(Html.numCell(m.apAfter(t))).append("</tr>\n");
        }
        b.append("</table>\n<p class=\"muted\">Row t: after training task t; column i: scored on task i (percent). "
                + "Bold: the task just trained. Above the diagonal: zero-shot scores (the cells right of the diagonal "
                + "give FWT). AP so far = mean of a[t][1..t].</p>\n");

        List<String> labels = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            labels.add((i + 1) + ". " + m.tasks().get(i));
        }
        Charts.Panel panel = new Charts.Panel("", labels, labels, List.of(), m.values());
        BufferedImage img = Charts.heatmap(new Charts.HeatmapStyle("Accuracy matrix (%)", "after training task",
                "scored on task", "score (%)", 0, 100, true), List.of(panel));
        b.append("<div class=\"figs\">").append(Html.img(Charts.dataUri(img), "accuracy matrix heatmap")).append("</div>\n");
        return b.toString();
    }

    private static String perTask(RunFolder run) {
        if (run.tasks.isEmpty()) {
            return "<p class=\"muted\">No tasks yet.</p>\n";
        }
        AccuracyMatrix m = run.matrix;
        JsonNode perTask = run.metrics == null ? null : run.metrics.get("per_task");
        JsonNode times = run.metrics == null ? null : run.metrics.path("timings").get("per_task_s");
        JsonNode phases = run.metrics == null ? null : run.metrics.path("timings").get("per_task");
        StringBuilder b = new StringBuilder("<table>\n<tr><th>#</th><th>task</th><th>metric</th>"
                + "<th>after its own training</th><th>final</th><th>change</th><th>time</th>"
                + "<th>of it: train / fuse / evaluate / write</th></tr>\n");
        for (int i = 0; i < run.tasks.size(); i++) {
            String task = run.tasks.get(i);
            JsonNode pt = perTask == null ? null : perTask.get(task);
            OptionalDouble own = number(pt, "after_own_task");
            if (own.isEmpty() && m != null) {
                own = m.get(i, i);
            }
            OptionalDouble fin = number(pt, "final");
            if (fin.isEmpty() && m != null) {
                fin = m.get(m.size() - 1, i);
            }
            OptionalDouble change = own.isPresent() && fin.isPresent()
                    ? OptionalDouble.of(fin.getAsDouble() - own.getAsDouble()) : OptionalDouble.empty();
            String metric = pt == null || !pt.path("metric").isTextual() ? Html.NONE : pt.get("metric").asText();
            JsonNode time = times != null && times.isArray() && i < times.size() ? times.get(i) : null;
            b.append("<tr><td class=\"n\">").append(i + 1).append("</td><td>").append(esc(task)).append("</td><td>")
                    .append(esc(metric)).append("</td>").append(Html.numCell(own)).append(Html.numCell(fin))
                    .append(Html.numCell(change))
                    .append(time != null && time.isNumber() ? "<td class=\"n\">" + duration(time.asDouble()) + "</td>"
                            : "<td class=\"na\">" + Html.NONE + "</td>")
                    .append(phaseCell(phases, task))
                    .append("</tr>\n");
        }
        b.append("</table>\n");
        return b.toString();
    }

    private static String loss(RunFolder run) {
        List<Charts.Series> series = new ArrayList<>();
        List<String> bad = new ArrayList<>();
        for (RunFolder.TaskDir t : run.taskDirs) {
            Path f = t.dir().resolve("train_loss.csv");
            if (!Files.isRegularFile(f)) {
                continue;
            }
            try {
                Csv.Table table = Csv.read(f);
                Map<String, Integer> c = table.require(f, "step", "loss");
                double[] x = new double[table.rows().size()];
                double[] y = new double[x.length];
                for (int r = 0; r < x.length; r++) {
                    x[r] = Csv.number(table.rows().get(r).get(c.get("step")));
                    y[r] = Csv.number(table.rows().get(r).get(c.get("loss")));
                }
                series.add(new Charts.Series(t.label(), x, y));
            } catch (RuntimeException e) {
                bad.add(e.getMessage());
            }
        }
        StringBuilder b = new StringBuilder();
        if (series.isEmpty()) {
            b.append("<p class=\"muted\">No train_loss.csv in any task folder yet.</p>\n");
        } else {
            BufferedImage img = Charts.lines("Training loss per task", "step", "loss", series);
            b.append("<div class=\"figs\">").append(Html.img(Charts.dataUri(img), "training loss curves")).append("</div>\n");
        }
        bad.forEach(m -> b.append("<p class=\"warn\">").append(esc(m)).append("</p>\n"));
        return b.toString();
    }

    private static String importance(RunFolder run) {
        StringBuilder b = new StringBuilder();
        int shown = 0;
        for (RunFolder.TaskDir t : run.taskDirs) {
            Path f = t.dir().resolve("unit_scores.csv");
            if (!Files.isRegularFile(f)) {
                continue;
            }
            shown++;
            b.append("<h3>").append(esc(t.label())).append("</h3>\n");
            b.append(section("the importance of " + t.label(), () -> {
                List<ImportanceGrid.UnitScore> scores = ImportanceGrid.read(f);
                if (scores.isEmpty()) {
                    return "<p class=\"muted\">unit_scores.csv has no units.</p>\n";
                }
                StringBuilder figs = new StringBuilder("<div class=\"figs\">");
                for (ImportanceGrid.Measure measure : List.of(ImportanceGrid.Measure.CUMULATIVE, ImportanceGrid.Measure.NORMALIZED)) {
                    figs.append(Html.img(Charts.dataUri(importanceHeatmap(t, scores, measure)),
                            measure.column + " importance of " + t.label()));
                }
                figs.append("</div>\n<p class=\"muted\">").append(scores.size()).append(" units.</p>\n");
                return figs.toString();
            }));
        }
        if (shown > 0) {
            b.insert(0, "<p class=\"muted\">Per task, from its unit_scores.csv: rows are layers (one panel per layer "
                    + "stack, e.g. a T5 encoder and decoder), columns are module kind × unit (the rank index of a rank-one "
                    + "unit, or A/B for a whole lora_A/lora_B matrix); blank: no such unit in that layer. Each image has "
                    + "its own colour scale. Narrow groups use short names: self = SelfAttention, cross = EncDecAttention, "
                    + "ffn = DenseReluDense.</p>\n");
        } else {
            b.append("<p class=\"muted\">No unit_scores.csv in any task folder: this method scores no skill units "
                    + "(SeqLoRA, say), or no task has finished yet.</p>\n");
        }
        return b.toString();
    }

    /** A task's importance heatmap for one score column, coloured over the range of its values. */
    static BufferedImage importanceHeatmap(RunFolder.TaskDir task, List<ImportanceGrid.UnitScore> scores, ImportanceGrid.Measure measure) {
        List<ImportanceGrid.Panel> panels = ImportanceGrid.panels(scores, measure);
        DoubleSummaryStatistics range = new DoubleSummaryStatistics();
        for (ImportanceGrid.Panel p : panels) {
            for (double[] row : p.values()) {
                for (double v : row) {
                    if (Double.isFinite(v)) {
                        range.accept(v);
                    }
                }
            }
        }
        double min = range.getCount() == 0 ? 0 : Math.min(0, range.getMin());
        double max = range.getCount() == 0 ? 1 : range.getMax();
        return Charts.heatmap(new Charts.HeatmapStyle("Task " + task.label() + ": " + measure.column + " importance",
                        "layer", "module kind × unit", measure.column + " importance", min, max, false),
                panels.stream().map(ImportanceGrid::toHeatmap).toList());
    }

    private static String config(RunFolder run) {
        if (run.config == null) {
            return "<p class=\"muted\">No config.json.</p>\n";
        }
        Map<String, String> flat = new LinkedHashMap<>();
        flatten("", run.config, flat);
        if (flat.isEmpty()) {
            return "<p class=\"muted\">config.json is empty.</p>\n";
        }
        StringBuilder b = new StringBuilder("<table>\n<tr><th>key</th><th>value</th></tr>\n");
        flat.forEach((k, v) -> b.append("<tr><td class=\"k\">").append(esc(k)).append("</td><td class=\"v\">")
                .append(esc(v)).append("</td></tr>\n"));
        return b.append("</table>\n").toString();
    }

    /** Nested objects become dotted keys; arrays and scalars stay as their JSON text. */
    private static void flatten(String prefix, JsonNode node, Map<String, String> out) {
        if (node.isObject() && node.size() > 0) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                flatten(prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey(), e.getValue(), out);
            }
        } else if (!prefix.isEmpty()) {
            out.put(prefix, node.isTextual() ? node.asText() : node.toString());
        }
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    private static OptionalDouble number(JsonNode node, String key) {
        JsonNode v = node == null ? null : node.get(key);
        return v != null && v.isNumber() && Double.isFinite(v.asDouble()) ? OptionalDouble.of(v.asDouble()) : OptionalDouble.empty();
    }

    private static OptionalDouble timing(RunFolder run, String key) {
        return run.metrics == null ? OptionalDouble.empty() : number(run.metrics.get("timings"), key);
    }

    /** "train / fuse / evaluate / write" seconds of a task from metrics.json's timings.per_task, if recorded. */
    private static String phaseCell(JsonNode phases, String task) {
        if (phases != null && phases.isArray()) {
            for (JsonNode p : phases) {
                if (task.equals(p.path("task").asText())) {
                    return String.format(Locale.ROOT, "<td class=\"n\">%.1f / %.1f / %.1f / %.1f s</td>",
                            p.path("train_s").asDouble(), p.path("fuse_s").asDouble(),
                            p.path("eval_s").asDouble(), p.path("write_s").asDouble());
                }
            }
        }
        return "<td class=\"na\">" + Html.NONE + "</td>";
    }

    /** "95 s", "1:02:03 h". */
    static String duration(double seconds) {
        if (seconds < 60) {
            return String.format(Locale.ROOT, "%.0f s", seconds);
        }
        long s = Math.round(seconds);
        return String.format(Locale.ROOT, "%d:%02d:%02d h", s / 3600, (s / 60) % 60, s % 60);
    }
}
