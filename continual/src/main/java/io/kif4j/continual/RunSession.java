package io.kif4j.continual;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kif4j.continual.data.ModelBatches;
import io.kif4j.continual.eval.Evaluator;
import io.kif4j.continual.metrics.AccuracyMatrix;
import io.kif4j.continual.metrics.ScoringOptions;
import io.kif4j.datasets.ReplayMemory;
import io.kif4j.datasets.Task;
import io.kif4j.datasets.TaskData;
import io.kif4j.datasets.TaskInfo;
import io.kif4j.datasets.batch.Batcher;
import io.kif4j.datasets.batch.EncodedExample;
import io.kif4j.datasets.prompt.PromptTemplates;
import io.kif4j.lora.AttachedAdapter;
import io.kif4j.lora.Lora;
import io.kif4j.lora.LoraAdapter;
import io.kif4j.lora.train.Progress;
import io.kif4j.lora.train.TrainingListener;
import io.kif4j.transformer.LanguageModel;
import io.kif4j.tokenizer.Tokenizer;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.function.Consumer;
import java.util.stream.IntStream;

/**
 * One run in progress: the prepared data, batcher, evaluator, method and replay memory, the accuracy matrix so far
 * and θ̃_{t−1}; {@link ContinualRunner#run} walks its steps task by task.
 */
final class RunSession {

    /** A task being learned: its folder, when it started, its phase times and what the method returned. */
    record TaskRun(int index, String name, java.nio.file.Path dir, long started, TaskTimings timing,
                   TaskOutcome outcome) {
    }

    private final RunPlan plan;
    private final RunStore store;
    private final LanguageModel model;
    private final List<TrainingListener> listeners;
    private final Consumer<String> console;
    private final List<TaskData> data;
    private final List<String> names;
    private final Batcher batcher;
    private final Evaluator evaluator;
    private final ContinualMethod method;
    private final ReplayMemory memory;
    private final AccuracyMatrix matrix;
    private final double[] taskSeconds;
    private final TaskTimings[] timings;
    private LoraAdapter previous; // θ̃_{t−1}

    RunSession(RunPlan plan, RunStore store, LanguageModel model, Tokenizer tok, List<TrainingListener> listeners,
               Consumer<String> console) {
        this.plan = plan;
        this.store = store;
        this.model = model;
        this.listeners = List.copyOf(listeners);
        this.console = console;
        List<Task> order = plan.data().taskOrder();
        this.data = plan.data().load(order, plan.seed());
        this.names = order.stream().map(Task::name).toList();
        this.batcher = new Batcher(ModelBatches.family(model), tok, PromptTemplates.builtIn().get(plan.data().template()),
                plan.data().batches());
        this.evaluator = new Evaluator(model, tok, batcher, Evaluator.Mode.parse(plan.evaluation().mode()),
                plan.evaluation().maxNewTokens(), plan.evaluation().batch(), ScoringOptions.kif());
        this.method = Methods.create(plan.method());
        this.memory = new ReplayMemory(plan.data().memory());
        this.matrix = new AccuracyMatrix(names);
        this.taskSeconds = new double[names.size()];
        this.timings = new TaskTimings[names.size()];
    }

    /** The tasks the method learns, in order: every task, or for joint training only the last (on all data). */
    List<Integer> tasks() {
        int n = names.size();
        return method.kind() == ContinualMethod.Kind.JOINT ? List.of(n - 1) : IntStream.range(0, n).boxed().toList();
    }

    /** Restores task {@code t} when its folder is complete (a resumed run); false when it must be learned. */
    boolean resumed(int t) {
        java.nio.file.Path dir = store.taskDir(t, names.get(t));
        RunStore.Completed done = store.completed(dir);
        if (done == null) {
            return false;
        }
        done.row().forEach((task, v) -> matrix.set(t, task, v));
        taskSeconds[t] = done.seconds();
        timings[t] = done.timings();
        method.loadState(dir, t, model);
        previous = store.adapter(dir);
        Lora.use(model, previous, AttachedAdapter.Mode.EVAL).built(); // a loaded adapter must fit the model exactly
        memory.add(data.get(t));
        console.accept("task " + (t + 1) + "/" + names.size() + " " + names.get(t) + ": already done, resumed");
        return true;
    }

    /** The method learns task {@code t} from θ̃_{t−1}; the task's data then joins the replay memory. */
    TaskRun learn(int t) {
        long started = System.nanoTime();
        TaskTimings timing = new TaskTimings();
        timings[t] = timing;
        String name = names.get(t);
        java.nio.file.Path dir = store.taskDir(t, name);
        console.accept("task " + (t + 1) + "/" + names.size() + " " + name + " (" + plan.method().name() + ")");
        List<EncodedExample> train = new ArrayList<>();
        for (int i = method.kind() == ContinualMethod.Kind.JOINT ? 0 : t; i <= t; i++) {
            train.addAll(batcher.encode(data.get(i).info(), data.get(i).train()));
        }
        List<EncodedExample> mem = new ArrayList<>();
        for (ReplayMemory.Entry e : memory.entries()) {
            mem.add(batcher.encode(taskInfo(e.task()), e.example()));
        }
        List<EncodedExample> joint = new ArrayList<>(train);
        joint.addAll(mem);
        TaskData d = data.get(t);
        TaskContext ctx = new TaskContext(t, name, model, previous, plan.lora(), plan.training().forTask(t),
                epoch -> ModelBatches.inputs(batcher.batches(train, epoch)),
                d.validation().isEmpty() ? List.of()
                        : ModelBatches.inputs(batcher.batches(batcher.encode(d.info(), d.validation()), 0)),
                mem.isEmpty() ? null : epoch -> ModelBatches.inputs(batcher.batches(mem, 1000 + epoch)),
                epoch -> ModelBatches.inputs(batcher.batches(joint, epoch)),
                dir, plan.seed(), listeners, timing);
        long learning = System.nanoTime();
        TaskOutcome outcome = Progress.task(name, () -> method.learn(ctx));
        // what learn() did besides the trainer's loops: importance aggregation, fusion
        timing.add(TaskTimings.FUSE, (System.nanoTime() - learning) / 1e9 - timing.get(TaskTimings.TRAIN));
        memory.add(d);
        if (method.usesReplay()) {
            timing.time(TaskTimings.WRITE, () -> memory.save(dir.resolve("memory.json"))); // for inspection
        }
        return new TaskRun(t, name, dir, started, timing, outcome);
    }

    /** θ̃_t attached for evaluation: dropout off. */
    AttachedAdapter attach(TaskRun task) {
        return Lora.use(model, task.outcome().adapter(), AttachedAdapter.Mode.EVAL);
    }

    /** Scores θ̃_t on every task seen so far and zero-shot on the next (for FWT); a single-task run on its own. */
    Map<String, Double> evaluate(TaskRun task, AttachedAdapter theta) {
        int t = task.index();
        Map<String, Double> row = new LinkedHashMap<>();
        for (int i = 0; i <= Math.min(t + 1, names.size() - 1); i++) {
            if (method.kind() == ContinualMethod.Kind.SINGLE && i != t) {
                continue; // a single-task adapter is scored on its own task only
            }
            TaskData d = data.get(i);
            String name = names.get(i);
            Evaluator.Result r = task.timing().time(TaskTimings.EVAL,
                    () -> Progress.task(name, () -> evaluator.evaluate(theta, d.info(), d.test())));
            task.timing().time(TaskTimings.WRITE, () -> store.savePredictions(task.dir(), name, r.predictions()));
            matrix.set(t, i, r.score().score());
            row.put(name, r.score().score());
        }
        return row;
    }

    /** Saves the task (done.json last) and the metrics so far; θ̃_t becomes the next task's start. */
    void persist(TaskRun task, Map<String, Double> row) {
        int t = task.index();
        TaskTimings timing = task.timing();
        long writing = System.nanoTime();
        taskSeconds[t] = (writing - task.started()) / 1e9;
        timing.add(TaskTimings.TOTAL, taskSeconds[t]);
        store.saveTask(task.dir(), task.outcome().adapter(), task.outcome(), method, row, taskSeconds[t], timing);
        saveMetrics(null);
        timing.add(TaskTimings.WRITE, (System.nanoTime() - writing) / 1e9);
        timing.add(TaskTimings.TOTAL, (System.nanoTime() - writing) / 1e9);
        for (TrainingListener l : listeners) {
            l.taskDone(t, task.name(), Collections.unmodifiableMap(new LinkedHashMap<>(row)));
        }
        console.accept(String.format(Locale.ROOT, "  after %s: %s  (%.0fs)", task.name(), percentages(row),
                taskSeconds[t]));
        previous = task.outcome().adapter();
    }

    /** The final metrics (with the whole run's time), then each reporter's report. */
    ContinualRunner.Result finish(double totalSeconds, List<RunReporter> reporters) {
        ObjectNode metrics = saveMetrics(totalSeconds);
        List<java.nio.file.Path> reports = reporters.stream().map(r -> r.write(store.dir())).toList();
        console.accept(matrix.toMarkdown());
        reports.forEach(report -> console.accept("report: " + report));
        console.accept(String.format(Locale.ROOT, "AP %s  FWT %s  BWT %s", fmt(metrics, "ap"), fmt(metrics, "fwt"),
                fmt(metrics, "bwt")));
        return new ContinualRunner.Result(store.dir(), matrix, metrics);
    }

    private ObjectNode saveMetrics(Double totalSeconds) {
        return store.saveMetrics(plan.method().name(), plan.seed(), method.kind(), matrix,
                data.stream().map(TaskData::info).toList(), taskSeconds, timings, plan.settings(), totalSeconds);
    }

    private TaskInfo taskInfo(String name) {
        return data.stream().filter(d -> d.info().name().equals(name)).findFirst().orElseThrow().info();
    }

    /** {dbpedia=7.00, amazon=25.00}: scores as people read them, two decimals. */
    private static String percentages(Map<String, Double> row) {
        StringBuilder sb = new StringBuilder("{");
        row.forEach((task, v) -> sb.append(sb.length() > 1 ? ", " : "").append(task).append('=')
                .append(String.format(Locale.ROOT, "%.2f", v)));
        return sb.append('}').toString();
    }

    private static String fmt(ObjectNode metrics, String key) {
        JsonNode v = metrics.get(key);
        OptionalDouble d = v != null && v.isNumber() ? OptionalDouble.of(v.asDouble()) : OptionalDouble.empty();
        return d.isPresent() ? String.format(Locale.ROOT, "%.2f", d.getAsDouble()) : "n/a";
    }
}
