package io.kif4j.continual;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kif4j.continual.metrics.AccuracyMatrix;
import io.kif4j.lora.AttachedAdapter;
import io.kif4j.lora.train.TrainingListener;
import io.kif4j.transformer.LanguageModel;
import io.kif4j.transformer.Models;
import io.kif4j.tokenizer.Tokenizer;
import io.kif4j.tokenizer.Tokenizers;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Walks a task order (spec §5.2): for each task, the method learns it from θ̃_{t−1}; the runner evaluates θ̃_t on
 * every seen task and zero-shot on the next (for FWT), then persists everything before going on. A task folder
 * whose {@code done.json} exists is complete, so {@code resume} continues after the last complete task with the
 * same numbers an uninterrupted run gets.
 */
public final class ContinualRunner {

    /** Where the run's files are and its accuracy matrix. */
    public record Result(Path dir, AccuracyMatrix matrix, ObjectNode metrics) {
    }

    private final RunConfig config;
    private final Path shared;
    private final Consumer<String> console;
    private boolean verbose;
    private final List<TrainingListener> listeners = new ArrayList<>();
    private final List<RunReporter> reporters = new ArrayList<>();

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
        return RunPlan.modelDir(config, shared);
    }

    /** Adds a reporter that writes the report once the run is over, e.g. {@code io.kif4j.report.RunReport::write}. */
    public ContinualRunner withReporter(RunReporter reporter) {
        reporters.add(reporter);
        return this;
    }

    /**
     * Prepare (plan before any weights load, lock, load), then for each task: learn, attach, evaluate, persist; at the
     * end the reporters write the report.
     */
    public Result run(Path out) {
        long started = System.nanoTime();
        try (RunStore store = RunStore.open(out)) {
            RunPlan plan = RunPlan.resolve(config, shared);
            plan.admitMemory();
            LanguageModel model = Models.load(plan.model().dir());
            store.begin(plan.settings());
            console.accept("kif4j run → " + out + " (settings: " + store.configFile() + ")"
                    + (verbose ? "\n" + plan.settings().toPrettyString() : ""));
            try (Tokenizer tok = Tokenizers.load(plan.model().dir())) {
                RunSession run = new RunSession(plan, store, model, tok, listeners, console);
                for (int t : run.tasks()) {
                    if (run.resumed(t)) {
                        continue;
                    }
                    RunSession.TaskRun task = run.learn(t); // θ̃_t from θ̃_{t−1} and task t's data
                    AttachedAdapter theta = run.attach(task); // eval mode
                    Map<String, Double> row = run.evaluate(task, theta);
                    run.persist(task, row);
                }
                return run.finish((System.nanoTime() - started) / 1e9, reporters);
            }
        }
    }

    /** Writes {@code node} as pretty JSON, atomically. */
    static void writeJson(Path file, JsonNode node) {
        RunStore.writeJson(file, node);
    }
}
