package io.kif4j.continual;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kif4j.continual.eval.Evaluator;
import io.kif4j.continual.metrics.AccuracyMatrix;
import io.kif4j.continual.metrics.TaskMetrics;
import io.kif4j.datasets.TaskInfo;
import io.kif4j.lora.LoraAdapter;
import io.kif4j.lora.LoraKeys;
import io.kif4j.common.AtomicFiles;
import io.kif4j.common.Json;
import io.kif4j.common.KifInputException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * A run folder and everything in it: the lock, the settings with their provenance (config.json), each task's
 * folder (adapter, predictions, losses, unit scores, and done.json, the resume point, written last), metrics.json
 * with the matrix (the report is a {@link RunReporter}'s). Every write is atomic, so a crash leaves complete files
 * or none.
 */
public record RunStore(Path dir, RunLock lock) implements AutoCloseable {

    /** Locks {@code dir} (made if missing) for this process: two runs never write into one folder. */
    public static RunStore open(Path dir) {
        return new RunStore(dir, RunLock.acquire(dir));
    }

    public Path configFile() {
        return dir.resolve("config.json");
    }

    /**
     * Starts or resumes the run of {@code settings}: a folder holding another run's settings is refused, temp files of
     * interrupted writes dropped, and config.json (re)written with the commit and start time.
     */
    public void begin(ObjectNode settings) {
        checkResumable(settings);
        removeTempFiles();
        ObjectNode c = settings.deepCopy();
        c.put("git_commit", gitCommit());
        c.put("started", java.time.Instant.now().toString());
        writeJson(configFile(), c);
    }

    /** Task {@code t}'s folder, e.g. tasks/01-dbpedia. */
    public Path taskDir(int t, String name) {
        return dir.resolve("tasks").resolve(String.format(Locale.ROOT, "%02d-%s", t + 1, name));
    }

    /** A task folder's completion record: its scores row, seconds and phase times. */
    public record Completed(Map<String, Double> row, double seconds, TaskTimings timings) {
    }

    /** The completion record of task folder {@code taskDir}, or null when that task has not completed. */
    public Completed completed(Path taskDir) {
        Path file = taskDir.resolve("done.json");
        if (!Files.isRegularFile(file)) {
            return null;
        }
        JsonNode done = Json.read(file);
        Map<String, Double> row = new LinkedHashMap<>();
        done.get("row").fields().forEachRemaining(e -> row.put(e.getKey(), e.getValue().asDouble()));
        TaskTimings t = new TaskTimings(); // none (zeros) for folders written before the phase times
        done.path("timing").fields().forEachRemaining(e -> t.add(e.getKey(), e.getValue().asDouble()));
        return new Completed(row, done.get("seconds").asDouble(), t);
    }

    /** The adapter a completed task left, θ̃_t. */
    public LoraAdapter adapter(Path taskDir) {
        return LoraAdapter.load(taskDir.resolve("adapter"));
    }

    public void savePredictions(Path taskDir, String task, List<Evaluator.Prediction> preds) {
        StringBuilder sb = new StringBuilder();
        for (Evaluator.Prediction p : preds) {
            ObjectNode o = Json.MAPPER.createObjectNode();
            o.put("id", p.id());
            o.put("task", p.task());
            o.put("prediction", p.prediction());
            o.put("reference", p.reference());
            o.put("metric", p.metric());
            sb.append(o).append('\n');
        }
        AtomicFiles.writeString(taskDir.resolve("predictions").resolve(task + ".jsonl"), sb.toString());
    }

    /** Writes a learned task's files, the method's carried state, and last done.json, which marks it complete. */
    public void saveTask(Path taskDir, LoraAdapter fused, TaskOutcome outcome, ContinualMethod method,
                         Map<String, Double> row, double seconds, TaskTimings timing) {
        fused.save(taskDir.resolve("adapter"));
        StringBuilder loss = new StringBuilder("step,loss\n");
        for (int i = 0; i < outcome.losses().size(); i++) {
            loss.append(i + 1).append(',').append(outcome.losses().get(i)).append('\n');
        }
        AtomicFiles.writeString(taskDir.resolve("train_loss.csv"), loss.toString());
        if (!outcome.unitScores().isEmpty()) {
            StringBuilder csv = new StringBuilder("unit,module,raw,normalized,cumulative\n");
            outcome.unitScores().forEach((unit, v) -> csv.append(unit).append(',').append(LoraKeys.moduleOf(unit))
                    .append(',').append(v[0]).append(',').append(v[1]).append(',').append(v[2]).append('\n'));
            AtomicFiles.writeString(taskDir.resolve("unit_scores.csv"), csv.toString());
        }
        method.saveState(taskDir);
        ObjectNode done = Json.MAPPER.createObjectNode();
        ObjectNode r = done.putObject("row");
        row.forEach(r::put);
        done.put("seconds", seconds);
        done.set("timing", Json.MAPPER.valueToTree(timing.seconds())); // the write phase up to here
        done.set("notes", Json.MAPPER.valueToTree(outcome.notes()));
        writeJson(taskDir.resolve("done.json"), done); // last: its presence marks the task complete
    }

    /**
     * The run's metrics so far (AP, FWT, BWT, forgetting by the method's kind; per-task cells; timings; the settings),
     * written with the matrix as metrics.json, matrix.csv and matrix.md.
     *
     * @param totalSeconds the whole run's time once it is over, else null
     */
    public ObjectNode saveMetrics(String method, long seed, ContinualMethod.Kind kind, AccuracyMatrix matrix,
                                  List<TaskInfo> tasks, double[] taskSeconds, TaskTimings[] phaseTimes,
                                  ObjectNode settings, Double totalSeconds) {
        List<String> names = matrix.tasks();
        ObjectNode m = Json.MAPPER.createObjectNode();
        m.put("method", method);
        m.put("seed", seed);
        if (kind != ContinualMethod.Kind.SEQUENTIAL) {
            m.put("reference", kind.name().toLowerCase(Locale.ROOT)); // AP only: FWT and BWT are not defined
        }
        ArrayNode taskNames = m.putArray("tasks");
        names.forEach(taskNames::add);
        m.set("matrix", matrix.scoresJson());
        double[][] v = matrix.values();
        boolean sequential = kind == ContinualMethod.Kind.SEQUENTIAL;
        put(m, "ap", kind == ContinualMethod.Kind.SINGLE ? matrix.diagonalMean() : matrix.ap());
        put(m, "fwt", sequential ? matrix.fwt() : OptionalDouble.empty());
        put(m, "bwt", sequential ? matrix.bwt() : OptionalDouble.empty());
        put(m, "forgetting", sequential ? matrix.forgetting() : OptionalDouble.empty());
        ObjectNode per = m.putObject("per_task");
        for (int i = 0; i < names.size(); i++) {
            ObjectNode p = per.putObject(names.get(i));
            p.put("metric", TaskMetrics.builtIn().metricFor(tasks.get(i)));
            putCell(p, "final", v[names.size() - 1][i]);
            putCell(p, "after_own_task", v[i][i]);
        }
        ObjectNode timings = m.putObject("timings");
        ArrayNode ts = timings.putArray("per_task_s");
        for (double s : taskSeconds) {
            ts.add(s);
        }
        ArrayNode phases = timings.putArray("per_task");
        for (int i = 0; i < names.size(); i++) {
            if (phaseTimes[i] != null) {
                ObjectNode p = phases.addObject();
                p.put("task", names.get(i));
                phaseTimes[i].seconds().forEach(p::put);
            }
        }
        m.set("config", settings);
        if (totalSeconds != null) {
            timings.put("total_s", totalSeconds);
        }
        writeJson(dir.resolve("metrics.json"), m);
        AtomicFiles.writeString(dir.resolve("matrix.csv"), matrix.toCsv());
        AtomicFiles.writeString(dir.resolve("matrix.md"), matrix.toMarkdown());
        return m;
    }

    @Override
    public void close() {
        lock.close();
    }

    /** A resumed run must have been started with the same settings, else its numbers would mix two configs. */
    private void checkResumable(ObjectNode settings) {
        Path saved = configFile();
        if (!Files.isRegularFile(saved)) {
            return;
        }
        ObjectNode a = ((ObjectNode) Json.read(saved)).deepCopy();
        a.remove(List.of("git_commit", "started", "out"));
        ObjectNode b = settings.deepCopy();
        b.remove("out");
        JsonNode reparsed; // compare as saved: 7 read back is an int, not the long it was written from
        try {
            reparsed = Json.MAPPER.readTree(b.toString());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        if (!a.equals(reparsed)) {
            throw KifInputException.of(saved, "this run folder holds a run with other settings; resume it with "
                    + "`./kif run --resume --out " + dir + "` and no other flags, or choose another --out");
        }
    }

    /** Temp files of atomic writes that a crash interrupted: never results, safe to drop. */
    private void removeTempFiles() {
        try (var files = Files.walk(dir)) {
            for (Path p : files.filter(f -> f.getFileName().toString().startsWith(".")
                    && f.getFileName().toString().endsWith(".tmp")).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot clean " + dir, e);
        }
    }

    private static String gitCommit() {
        try {
            Process p = new ProcessBuilder("git", "rev-parse", "HEAD").directory(
                    Path.of(System.getProperty("kif.home", ".")).toFile()).redirectErrorStream(true).start();
            String s = new String(p.getInputStream().readAllBytes()).trim();
            return p.waitFor() == 0 ? s : "unknown";
        } catch (IOException | InterruptedException e) {
            return "unknown";
        }
    }

    private static void put(ObjectNode n, String key, OptionalDouble d) {
        if (d.isPresent() && Double.isFinite(d.getAsDouble())) {
            n.put(key, d.getAsDouble());
        } else {
            n.putNull(key);
        }
    }

    private static void putCell(ObjectNode n, String key, double v) {
        if (Double.isNaN(v)) {
            n.putNull(key);
        } else {
            n.put(key, v);
        }
    }

    static void writeJson(Path file, JsonNode node) {
        try {
            AtomicFiles.writeString(file, Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(node) + "\n");
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new UncheckedIOException(new IOException(e));
        }
    }
}
