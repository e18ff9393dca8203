package io.kif4j.continual;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kif4j.continual.data.ModelBatches;
import io.kif4j.continual.eval.Evaluator;
import io.kif4j.continual.metrics.AccuracyMatrix;
import io.kif4j.continual.metrics.ScoringOptions;
import io.kif4j.datasets.Benchmark;
import io.kif4j.datasets.Benchmarks;
import io.kif4j.datasets.Example;
import io.kif4j.datasets.Protocol;
import io.kif4j.datasets.ReplayMemory;
import io.kif4j.datasets.Task;
import io.kif4j.datasets.TaskData;
import io.kif4j.datasets.batch.BatchOptions;
import io.kif4j.datasets.batch.Batcher;
import io.kif4j.datasets.batch.EncodedExample;
import io.kif4j.datasets.prompt.PromptTemplates;
import io.kif4j.lora.Lora;
import io.kif4j.lora.LoraAdapter;
import io.kif4j.lora.LoraConfig;
import io.kif4j.lora.train.LoraTrainer;
import io.kif4j.lora.train.Progress;
import io.kif4j.lora.train.TrainConfig;
import io.kif4j.lora.train.TrainingListener;
import io.kif4j.transformer.LanguageModel;
import io.kif4j.transformer.Models;
import io.kif4j.transformer.family.Families;
import io.kif4j.transformer.family.ModelSpec;
import io.kif4j.transformer.memory.MemoryPlan;
import io.kif4j.weights.HfModelDir;
import io.kif4j.transformer.family.RunDefaults;
import io.kif4j.transformer.tokenizer.Tokenizer;
import io.kif4j.transformer.tokenizer.Tokenizers;
import io.kif4j.weights.AtomicFiles;
import io.kif4j.weights.Json;
import io.kif4j.weights.KifInputException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Walks a task order (spec §5.2): for each task, the method learns it from θ̃_{t−1}; the runner evaluates θ̃_t on
 * every seen task and zero-shot on the next (for FWT), then persists everything before going on. A task folder
 * whose {@code done.json} exists is complete, so {@code resume} continues after the last complete task with the
 * same numbers an uninterrupted run gets.
 */
public final class ContinualRunner {

    private static final Logger LOG = LoggerFactory.getLogger(ContinualRunner.class);

    /** Where the run's files are and its accuracy matrix. */
    public record Result(Path dir, AccuracyMatrix matrix, ObjectNode metrics) {
    }

    private final RunConfig config;
    private final Path shared;
    private final Consumer<String> console;
    private boolean verbose;
    private final List<TrainingListener> listeners = new ArrayList<>();

    /**
     * @param shared  the reference folder for the built-in defaults (model and data), usually ../shared
     * @param console receives the human-readable progress lines (the resolved config, the matrix)
     */
    public ContinualRunner(RunConfig config, Path shared, Consumer<String> console) {
        this.config = config;
        this.shared = shared;
        this.console = console;
    }

    /** Also print the whole resolved config at start (by default only the path of the config.json holding it). */
    public ContinualRunner verbose(boolean on) {
        this.verbose = on;
        return this;
    }

    /** Adds a listener told of every training step of every task, and of each task's scores once evaluated. */
    public ContinualRunner withListener(TrainingListener listener) {
        listeners.add(listener);
        return this;
    }

    public Path modelDir() {
        return config.model != null ? Path.of(config.model) : shared.resolve("weights/stories260K-hf");
    }

    public Result run(Path out) {
        long started = System.nanoTime();
        try (RunLock lock = RunLock.acquire(out)) {
            HfModelDir hf = HfModelDir.open(modelDir());
            ModelSpec<?> spec = Families.read(hf.configFile(), hf.config());
            RunDefaults defaults = spec.family().runDefaults();
            config.resolve(defaults);
            LoraConfig targets = LoraConfig.of(config.loraR, config.loraAlpha, config.loraDropout, config.target, null);
            MemoryPlan.trainingOnExamples(spec, config.batch, config.maxSourceLength, config.maxTargetLength, config.loraR,
                    targets::targets).admit(hf.configFile());
            LanguageModel model = Models.load(modelDir());
            ObjectNode resolved = Json.MAPPER.valueToTree(config);
            resolved.put("model", modelDir().toString());
            checkResumable(out, resolved);
            removeTempFiles(out);
            writeJson(out.resolve("config.json"), withProvenance(resolved));
            console.accept("kif4j run → " + out + " (settings: " + out.resolve("config.json") + ")"
                    + (verbose ? "\n" + Json.MAPPER.valueToTree(config).toPrettyString() : ""));

            Path dataRoot = config.dataRoot != null ? Path.of(config.dataRoot) : shared.resolve("data");
            Benchmark bench = Benchmarks.open(Benchmarks.dataRoot(dataRoot), config.benchmark);
            List<Task> tasks = config.tasks != null ? config.tasks.stream().map(bench::task).toList() : bench.order(config.order);
            Protocol protocol = switch (config.protocol) {
                case "small" -> Protocol.small(config.trainPerTask, config.testPerTask)
                        .withClassBalanced(config.classBalanced).withValidationSize(config.validationPerTask);
                case "kif" -> Protocol.kif();
                case "full" -> Protocol.full().withValidationSize(config.validationPerTask);
                default -> throw new IllegalArgumentException("protocol must be small, kif or full, got " + config.protocol);
            };
            protocol = protocol.withSeed(config.seed);
            Protocol p = protocol;
            List<TaskData> data = tasks.stream().map(t -> switch (config.evalSplit) {
                case "test" -> p.apply(t);
                case "dev" -> p.applyDev(t);
                default -> throw new IllegalArgumentException("eval_split must be test or dev, got " + config.evalSplit);
            }).toList();
            List<String> names = tasks.stream().map(Task::name).toList();

            try (Tokenizer tok = Tokenizers.load(modelDir())) {
                Batcher batcher = new Batcher(ModelBatches.family(model), tok,
                        PromptTemplates.builtIn().get(config.template),
                        BatchOptions.defaults().withBatchSize(config.batch)
                                .withLengths(config.maxSourceLength, config.maxTargetLength).withSeed(config.seed));
                Evaluator evaluator = new Evaluator(model, tok, batcher, Evaluator.Mode.parse(config.eval),
                        config.maxNewTokens, config.evalBatch, ScoringOptions.kif());
                ContinualMethod method = Methods.create(config.method, config);
                LoraConfig loraConfig = LoraConfig.of(config.loraR, config.loraAlpha, config.loraDropout, config.target,
                        defaults.taskType()).withBaseModel(modelDir().toString());
                ReplayMemory memory = new ReplayMemory(new ReplayMemory.Config(config.memoryRatio,
                        config.memoryClassBalanced ? ReplayMemory.Mode.CLASS_BALANCED : ReplayMemory.Mode.UNIFORM, config.seed));
                AccuracyMatrix matrix = new AccuracyMatrix(names);
                double[] taskSeconds = new double[names.size()];
                TaskTimings[] timings = new TaskTimings[names.size()];
                LoraAdapter previous = null;
                ContinualMethod.Kind kind = method.kind();
                int last = names.size() - 1;
                for (int t = 0; t < names.size(); t++) {
                    if (kind == ContinualMethod.Kind.JOINT && t < last) {
                        continue; // one training on every task's data, at the last task
                    }
                    Path dir = out.resolve("tasks").resolve(String.format(Locale.ROOT, "%02d-%s", t + 1, names.get(t)));
                    if (Files.isRegularFile(dir.resolve("done.json"))) {
                        previous = restoreTask(dir, t, method, matrix, taskSeconds, model);
                        timings[t] = restoredTimings(dir);
                        memory.add(data.get(t));
                        console.accept("task " + (t + 1) + "/" + names.size() + " " + names.get(t) + ": already done, resumed");
                        continue;
                    }
                    long t0 = System.nanoTime();
                    TaskTimings timing = new TaskTimings();
                    timings[t] = timing;
                    console.accept("task " + (t + 1) + "/" + names.size() + " " + names.get(t) + " (" + config.method + ")");
                    List<EncodedExample> train = new ArrayList<>();
                    for (int i = kind == ContinualMethod.Kind.JOINT ? 0 : t; i <= t; i++) {
                        train.addAll(batcher.encode(data.get(i).info(), data.get(i).train()));
                    }
                    List<EncodedExample> mem = new ArrayList<>();
                    for (ReplayMemory.Entry e : memory.entries()) {
                        mem.add(batcher.encode(taskInfo(data, e.task()), e.example()));
                    }
                    TrainConfig trainConfig = trainConfig(t);
                    TaskContext ctx = new TaskContext(t, names.get(t), model, previous, loraConfig, trainConfig,
                            epoch -> ModelBatches.inputs(batcher.batches(train, epoch)),
                            data.get(t).validation().isEmpty() ? List.of()
                                    : ModelBatches.inputs(batcher.batches(batcher.encode(data.get(t).info(), data.get(t).validation()), 0)),
                            mem.isEmpty() ? null : epoch -> ModelBatches.inputs(batcher.batches(mem, 1000 + epoch)),
                            epoch -> ModelBatches.inputs(batcher.batches(concat(train, mem), epoch)),
                            dir, config.seed, List.copyOf(listeners), timing);
                    long learning = System.nanoTime();
                    TaskOutcome outcome = Progress.task(names.get(t), () -> method.learn(ctx));
                    // what learn() did besides the trainer's loops: importance aggregation, fusion
                    timing.add(TaskTimings.FUSE, (System.nanoTime() - learning) / 1e9 - timing.get(TaskTimings.TRAIN));
                    memory.add(data.get(t));
                    if (method.usesReplay()) {
                        timing.time(TaskTimings.WRITE, () -> memory.save(dir.resolve("memory.json"))); // for inspection
                    }
                    LoraAdapter fused = outcome.adapter();
                    fused.setTraining(false);
                    Lora.attach(model, fused);

                    Map<String, Double> row = new LinkedHashMap<>();
                    for (int i = 0; i <= Math.min(t + 1, names.size() - 1); i++) {
                        if (kind == ContinualMethod.Kind.SINGLE && i != t) {
                            continue; // a single-task adapter is scored on its own task only
                        }
                        TaskData d = data.get(i);
                        String name = names.get(i);
                        Evaluator.Result r = timing.time(TaskTimings.EVAL,
                                () -> Progress.task(name, () -> evaluator.evaluate(d.info(), d.test())));
                        Path predictions = dir.resolve("predictions").resolve(names.get(i) + ".jsonl");
                        timing.time(TaskTimings.WRITE, () -> writePredictions(predictions, r.predictions()));
                        matrix.set(t, i, r.score().score());
                        row.put(names.get(i), r.score().score());
                    }
                    long writing = System.nanoTime();
                    taskSeconds[t] = (writing - t0) / 1e9;
                    timing.add(TaskTimings.TOTAL, taskSeconds[t]);
                    persistTask(dir, fused, outcome, method, row, taskSeconds[t], timing);
                    writeMetrics(out, names, matrix, taskSeconds, timings, resolved, data);
                    timing.add(TaskTimings.WRITE, (System.nanoTime() - writing) / 1e9);
                    timing.add(TaskTimings.TOTAL, (System.nanoTime() - writing) / 1e9);
                    for (TrainingListener l : listeners) {
                        l.taskDone(t, names.get(t), java.util.Collections.unmodifiableMap(new LinkedHashMap<>(row)));
                    }
                    console.accept(String.format(Locale.ROOT, "  after %s: %s  (%.0fs)", names.get(t), percentages(row), taskSeconds[t]));
                    previous = fused;
                }
                ObjectNode metrics = writeMetrics(out, names, matrix, taskSeconds, timings, resolved, data);
                metrics.with("timings").put("total_s", (System.nanoTime() - started) / 1e9);
                writeJson(out.resolve("metrics.json"), metrics);
                Path report = io.kif4j.continual.report.RunReport.write(out);
                console.accept(matrix.toMarkdown());
                console.accept("report: " + report);
                console.accept(String.format(Locale.ROOT, "AP %s  FWT %s  BWT %s", fmt(optional(metrics, "ap")),
                        fmt(optional(metrics, "fwt")), fmt(optional(metrics, "bwt"))));
                return new Result(out, matrix, metrics);
            }
        }
    }

    /** Task {@code t}'s training settings (the replay stages derive theirs from it). */
    private TrainConfig trainConfig(int t) {
        return new TrainConfig.Builder().epochs(config.epochs).learningRate(config.lr).weightDecay(config.weightDecay)
                .warmupRatio(config.warmupRatio).warmupSteps(config.warmupSteps)
                .schedule(TrainConfig.Schedule.parse(config.lrSchedule)).gradAccumulation(config.gradAccumulation)
                .evalEvery(config.evalEvery).keepBest(config.protocol.equals("kif")).seed(config.seed * 31 + t)
                .build();
    }

    /** Temp files of atomic writes that a crash interrupted: never results, safe to drop. */
    private static void removeTempFiles(Path out) {
        try (var files = Files.walk(out)) {
            for (Path p : files.filter(f -> f.getFileName().toString().startsWith(".")
                    && f.getFileName().toString().endsWith(".tmp")).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot clean " + out, e);
        }
    }

    private static <T> List<T> concat(List<T> a, List<T> b) {
        List<T> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    /** {dbpedia=7.00, amazon=25.00}: scores as people read them, two decimals. */
    private static String percentages(Map<String, Double> row) {
        StringBuilder sb = new StringBuilder("{");
        row.forEach((task, v) -> sb.append(sb.length() > 1 ? ", " : "").append(task).append('=')
                .append(String.format(Locale.ROOT, "%.2f", v)));
        return sb.append('}').toString();
    }

    private static java.util.OptionalDouble optional(ObjectNode metrics, String key) {
        JsonNode v = metrics.get(key);
        return v != null && v.isNumber() ? java.util.OptionalDouble.of(v.asDouble()) : java.util.OptionalDouble.empty();
    }

    private static String fmt(java.util.OptionalDouble d) {
        return d.isPresent() ? String.format(Locale.ROOT, "%.2f", d.getAsDouble()) : "n/a";
    }

    private static io.kif4j.datasets.TaskInfo taskInfo(List<TaskData> data, String name) {
        return data.stream().filter(d -> d.info().name().equals(name)).findFirst().orElseThrow().info();
    }

    /** A resumed run must have been started with the same settings, else its numbers would mix two configs. */
    private static void checkResumable(Path out, ObjectNode resolved) {
        Path saved = out.resolve("config.json");
        if (!Files.isRegularFile(saved)) {
            return;
        }
        JsonNode before = Json.read(saved).deepCopy();
        ObjectNode a = ((ObjectNode) before).deepCopy();
        a.remove(List.of("git_commit", "started", "out"));
        ObjectNode b = resolved.deepCopy();
        b.remove("out");
        JsonNode reparsed; // compare as saved: 7 read back is an int, not the long it was written from
        try {
            reparsed = Json.MAPPER.readTree(b.toString());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        a.remove("out");
        if (!a.equals(reparsed)) {
            throw KifInputException.of(saved, "this run folder holds a run with other settings; resume it with "
                    + "`./kif run --resume --out " + out + "` and no other flags, or choose another --out");
        }
    }

    private static ObjectNode withProvenance(ObjectNode resolved) {
        ObjectNode c = resolved.deepCopy();
        c.put("git_commit", gitCommit());
        c.put("started", java.time.Instant.now().toString());
        return c;
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

    private LoraAdapter restoreTask(Path dir, int t, ContinualMethod method, AccuracyMatrix matrix,
                                    double[] taskSeconds, LanguageModel model) {
        JsonNode done = Json.read(dir.resolve("done.json"));
        done.get("row").fields().forEachRemaining(e -> matrix.set(t, e.getKey(), e.getValue().asDouble()));
        taskSeconds[t] = done.get("seconds").asDouble();
        method.loadState(dir, t, model);
        LoraAdapter a = LoraAdapter.load(dir.resolve("adapter"));
        Lora.attach(model, a);
        return a;
    }

    /** The phase times a completed task's done.json recorded, or none (zeros) for folders written before them. */
    private static TaskTimings restoredTimings(Path dir) {
        TaskTimings t = new TaskTimings();
        Json.read(dir.resolve("done.json")).path("timing").fields()
                .forEachRemaining(e -> t.add(e.getKey(), e.getValue().asDouble()));
        return t;
    }

    private static void persistTask(Path dir, LoraAdapter fused, TaskOutcome outcome, ContinualMethod method,
                                    Map<String, Double> row, double seconds, TaskTimings timing) {
        fused.save(dir.resolve("adapter"));
        StringBuilder loss = new StringBuilder("step,loss\n");
        for (int i = 0; i < outcome.losses().size(); i++) {
            loss.append(i + 1).append(',').append(outcome.losses().get(i)).append('\n');
        }
        AtomicFiles.writeString(dir.resolve("train_loss.csv"), loss.toString());
        if (!outcome.unitScores().isEmpty()) {
            StringBuilder csv = new StringBuilder("unit,module,raw,normalized,cumulative\n");
            outcome.unitScores().forEach((unit, v) -> csv.append(unit).append(',').append(moduleOf(unit)).append(',')
                    .append(v[0]).append(',').append(v[1]).append(',').append(v[2]).append('\n'));
            AtomicFiles.writeString(dir.resolve("unit_scores.csv"), csv.toString());
        }
        method.saveState(dir);
        ObjectNode done = Json.MAPPER.createObjectNode();
        ObjectNode r = done.putObject("row");
        row.forEach(r::put);
        done.put("seconds", seconds);
        done.set("timing", Json.MAPPER.valueToTree(timing.seconds())); // the write phase up to here
        done.set("notes", Json.MAPPER.valueToTree(outcome.notes()));
        writeJson(dir.resolve("done.json"), done); // last: its presence marks the task complete
    }

    static String moduleOf(String unit) {
        int bar = unit.indexOf("|||");
        if (bar >= 0) {
            return unit.substring(0, bar);
        }
        return unit.replaceAll("\\.lora_[AB]\\.weight$", "");
    }

    private ObjectNode writeMetrics(Path out, List<String> names, AccuracyMatrix matrix, double[] taskSeconds,
                                    TaskTimings[] phaseTimes, ObjectNode resolved, List<TaskData> data) {
        ObjectNode m = Json.MAPPER.createObjectNode();
        m.put("method", config.method);
        m.put("seed", config.seed);
        ContinualMethod.Kind kind = Methods.create(config.method, config).kind();
        if (kind != ContinualMethod.Kind.SEQUENTIAL) {
            m.put("reference", kind.name().toLowerCase(Locale.ROOT)); // AP only: FWT and BWT are not defined
        }
        ArrayNode tasks = m.putArray("tasks");
        names.forEach(tasks::add);
        ArrayNode rows = m.putArray("matrix");
        double[][] v = matrix.values();
        for (double[] row : v) {
            ArrayNode r = rows.addArray();
            for (double x : row) {
                if (Double.isNaN(x)) {
                    r.addNull();
                } else {
                    r.add(x);
                }
            }
        }
        boolean sequential = kind == ContinualMethod.Kind.SEQUENTIAL;
        put(m, "ap", kind == ContinualMethod.Kind.SINGLE ? matrix.diagonalMean() : matrix.ap());
        put(m, "fwt", sequential ? matrix.fwt() : java.util.OptionalDouble.empty());
        put(m, "bwt", sequential ? matrix.bwt() : java.util.OptionalDouble.empty());
        put(m, "forgetting", sequential ? matrix.forgetting() : java.util.OptionalDouble.empty());
        ObjectNode per = m.putObject("per_task");
        for (int i = 0; i < names.size(); i++) {
            ObjectNode p = per.putObject(names.get(i));
            p.put("metric", io.kif4j.continual.metrics.TaskMetrics.builtIn().metricFor(data.get(i).info()));
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
        m.set("config", resolved);
        writeJson(out.resolve("metrics.json"), m);
        AtomicFiles.writeString(out.resolve("matrix.csv"), matrix.toCsv());
        AtomicFiles.writeString(out.resolve("matrix.md"), matrix.toMarkdown());
        return m;
    }

    private static void put(ObjectNode n, String key, java.util.OptionalDouble d) {
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

    private static void writePredictions(Path file, List<Evaluator.Prediction> preds) {
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
        AtomicFiles.writeString(file, sb.toString());
    }

    static void writeJson(Path file, JsonNode node) {
        try {
            AtomicFiles.writeString(file, Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(node) + "\n");
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new UncheckedIOException(new IOException(e));
        }
    }
}
