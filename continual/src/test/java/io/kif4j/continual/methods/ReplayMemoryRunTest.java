package io.kif4j.continual.methods;

import io.kif4j.continual.ContinualRunner;
import io.kif4j.continual.RunConfig;
import io.kif4j.continual.TinyRuns;
import io.kif4j.datasets.Benchmarks;
import io.kif4j.datasets.Example;
import io.kif4j.datasets.Protocol;
import io.kif4j.datasets.ReplayMemory;
import io.kif4j.lora.LoraAdapter;
import io.kif4j.lora.train.TrainingListener;
import io.kif4j.transformer.testing.Fixture;
import io.kif4j.common.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The replay memory of a real run (stories260K, dbpedia → agnews): after each task it holds ⌊ratio·n⌋ of the task's
 * training examples (spec §5.3, §7), or when class-stratified max(1, ⌊n / labels⌋) of every label present and then a
 * uniform top-up to n (§6.1, RKIF {@code load_memory_buffer}); Replay trains the later task on its data and the
 * memory together (§7); and Recurrent-KIF, left to its own defaults, runs with α 32 (§2.1) and the stratified memory.
 * The expected sizes and labels are counted here from the task's training set as the protocol draws it.
 */
class ReplayMemoryRunTest {

    static final int TRAIN = 8;
    static final double RATIO = 0.5;

    @TempDir
    Path tmp;

    static RunConfig tiny(String method) {
        // TRAIN training and 2 test examples per task, batch 4, prompts <= 40 and targets <= 6 tokens, seed 7
        RunConfig c = TinyRuns.twoTasks(method, TRAIN, 2, 4, 40, 6, 7L);
        c.memoryRatio = RATIO;
        c.rkifInnerSteps = 1;
        c.rkifOuterSteps = 1;
        return c;
    }

    /** Examples per optimizer step, task by task. */
    static final class ExampleCounter implements TrainingListener {
        final List<Integer> perTask = new ArrayList<>();
        int current;

        @Override
        public void iterationDone(Iteration it) {
            current += it.examples();
        }

        @Override
        public void taskDone(int index, String task, Map<String, Double> scores) {
            perTask.add(current);
            current = 0;
        }
    }

    @Test
    void replayKeepsAStratifiedSampleOfEachTaskWhenSetAndTrainsTheNextTaskOnItsDataAndTheMemory() {
        RunConfig c = tiny("replay");
        c.memoryClassBalanced = true;
        Path out = tmp.resolve("replay");
        ExampleCounter counter = new ExampleCounter();
        new ContinualRunner(c, Fixture.shared(), s -> { }).withListener(counter).run(out);

        ReplayMemory memory = ReplayMemory.load(out.resolve("tasks/02-agnews/memory.json"));
        List<Example> dbpedia = memory.examplesOf("dbpedia");
        assertStratified(dbpedia, trainingSet("dbpedia", c.seed), "dbpedia");
        assertStratified(memory.examplesOf("agnews"), trainingSet("agnews", c.seed), "agnews");
        assertEquals(List.of(TRAIN, TRAIN + dbpedia.size()), counter.perTask,
                "task 1 trains on its 8 examples, task 2 on its 8 and the memory of task 1");
    }

    @Test
    void recurrentKifDefaultsToAlpha32AndAStratifiedMemory() {
        RunConfig c = tiny("recurrent-kif");
        Path out = tmp.resolve("rkif");
        new ContinualRunner(c, Fixture.shared(), s -> { }).run(out);

        var config = Json.read(out.resolve("config.json"));
        assertEquals(32.0, config.get("lora_alpha").asDouble(), "spec §2.1: Recurrent-KIF's α");
        assertTrue(config.get("memory_class_balanced").asBoolean(), "spec §6.1: class-stratified memory");
        LoraAdapter adapter = LoraAdapter.load(out.resolve("tasks/02-agnews/adapter"));
        assertEquals(32.0 / 8, adapter.scaling(), 1e-12, "the adapter is trained at α/r = 32/8");
        ReplayMemory memory = ReplayMemory.load(out.resolve("tasks/02-agnews/memory.json"));
        assertEquals(ReplayMemory.Mode.CLASS_BALANCED, memory.config().mode());
        assertStratified(memory.examplesOf("dbpedia"), trainingSet("dbpedia", c.seed), "dbpedia");
    }

    /** The task's training set as the run draws it: the small protocol, not class-balanced, seeded by the run. */
    static List<Example> trainingSet(String task, long seed) {
        var bench = Benchmarks.open(Benchmarks.dataRoot(Fixture.shared().resolve("data")), "long_sequence");
        return Protocol.small(TRAIN, 2).withClassBalanced(false).withValidationSize(0).withSeed(seed)
                .apply(bench.task(task)).train();
    }

    /**
     * n = max(1, ⌊ratio·|train|⌋); each label present gets min(count, max(1, ⌊n / labels present⌋)) examples, topped
     * up uniformly to n: so the memory has max(n, Σ those) distinct training examples and every label its share.
     */
    static void assertStratified(List<Example> memory, List<Example> train, String task) {
        int n = Math.max(1, (int) Math.floor(RATIO * train.size()));
        Map<String, Integer> present = new LinkedHashMap<>();
        train.forEach(e -> present.merge(e.output(), 1, Integer::sum));
        int perLabel = Math.max(1, n / present.size());
        int floor = present.values().stream().mapToInt(k -> Math.min(k, perLabel)).sum();
        assertEquals(Math.max(n, floor), memory.size(), task + ": memory size for " + present.size() + " labels, n " + n);
        Set<String> trainIds = new HashSet<>();
        train.forEach(e -> trainIds.add(e.id()));
        Set<String> ids = new HashSet<>();
        Map<String, Integer> kept = new LinkedHashMap<>();
        for (Example e : memory) {
            assertTrue(trainIds.contains(e.id()), task + ": " + e.id() + " is a training example");
            assertTrue(ids.add(e.id()), task + ": " + e.id() + " twice");
            kept.merge(e.output(), 1, Integer::sum);
        }
        present.forEach((label, k) -> assertTrue(kept.getOrDefault(label, 0) >= Math.min(k, perLabel),
                task + ": label " + label + " has " + kept.getOrDefault(label, 0) + " in memory " + kept));
    }
}
