package io.kif4j.continual;

import com.fasterxml.jackson.databind.JsonNode;
import io.kif4j.continual.methods.Mtl;
import io.kif4j.lora.LoraAdapter;
import io.kif4j.lora.LoraConfig;
import io.kif4j.lora.train.TrainConfig;
import io.kif4j.transformer.LanguageModel;
import io.kif4j.transformer.ModelInputs;
import io.kif4j.transformer.Models;
import io.kif4j.transformer.testing.Fixture;
import io.kif4j.common.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * mtl with {@code full_parameters: true}: every base weight trains, once, on the union of every task's training
 * data, with no LoRA adapter; the run is a reference row (AP only). The LoRA mtl beside it shows each check can fail.
 */
class MtlFullParametersTest {

    @TempDir
    Path tmp;

    /** Through the runner, on RunnerTest's tiny two-task run: one training on the union, scored on every task. */
    @Test
    void aRunTrainsOnceOnTheUnionWithoutAnAdapterAndReportsApOnly() {
        RunConfig c = RunnerTest.tiny("mtl");
        c.fullParameters = true;
        Path out = tmp.resolve("mtl-full");
        RunnerTest.run(c, out);
        JsonNode m = Json.read(out.resolve("metrics.json"));
        assertEquals("joint", m.get("reference").asText());
        JsonNode a = m.get("matrix");
        assertTrue(a.get(0).get(0).isNull() && a.get(0).get(1).isNull(), "no row after task 1");
        assertTrue(a.get(1).get(0).isNumber() && a.get(1).get(1).isNumber(), "scored on every task");
        assertEquals((a.get(1).get(0).asDouble() + a.get(1).get(1).asDouble()) / 2, m.get("ap").asDouble(), 1e-9);
        assertTrue(m.get("fwt").isNull() && m.get("bwt").isNull(), "FWT and BWT are not defined for a joint row");
        assertFalse(Files.exists(out.resolve("tasks/01-dbpedia")), "one training, at the last task");
        // the union: 8 + 8 examples in batches of 4, one epoch, is 4 steps (task 2 alone would be 2)
        assertEquals(1 + 4, lines(out.resolve("tasks/02-agnews/train_loss.csv")));
        assertTrue(LoraAdapter.load(out.resolve("tasks/02-agnews/adapter")).modules().isEmpty(), "no LoRA module");
        for (String task : List.of("dbpedia", "agnews")) {
            assertEquals(6, lines(out.resolve("tasks/02-agnews/predictions/" + task + ".jsonl")), task + " evaluated");
        }
    }

    /**
     * The method itself, on a fixture model and two "tasks" (the fixture batch's two rows) handed over as one, as
     * the runner does for a joint method: every base weight moves and the outcome's adapter adapts nothing; LoRA
     * mtl on the same data leaves every base weight bit-identical and returns an adapter with modules.
     */
    @Test
    void fullParametersMoveEveryBaseWeightAndLoraLeavesThemAlone() {
        Fixture f = Fixture.all("llama").get(0);
        ModelInputs batch = f.inputs().batch();
        List<ModelInputs> union = List.of(row(batch, 0), row(batch, 1));

        LanguageModel full = Models.load(f.dir());
        Map<String, INDArray> before = copy(full);
        TaskOutcome outcome = new Mtl(true).learn(context(full, union));
        assertTrue(outcome.adapter().modules().isEmpty(), "full-parameter mtl has no LoRA module");
        assertEquals(union.size(), outcome.losses().size(), "one step per batch of the union, one epoch");
        for (var e : before.entrySet()) {
            INDArray after = full.weights().taken().get(e.getKey());
            assertFalse(e.getValue().equalsWithEps(after, 1e-7), e.getKey() + " trained");
        }

        LanguageModel lora = Models.load(f.dir());
        TaskOutcome loraOutcome = new Mtl(false).learn(context(lora, union));
        assertFalse(loraOutcome.adapter().modules().isEmpty(), "LoRA mtl trains an adapter");
        for (var e : before.entrySet()) {
            assertEquals(0.0, Fixture.maxAbsDiff(e.getValue(), lora.weights().taken().get(e.getKey())), e.getKey() + " frozen under LoRA");
        }
    }

    private TaskContext context(LanguageModel model, List<ModelInputs> union) {
        LoraConfig lora = LoraConfig.of(4, 8, 0, List.of("q_proj", "v_proj"), "CAUSAL_LM");
        return new TaskContext(1, "joint", model, null, lora, TrainConfig.defaults(1, 1e-3, 7), epoch -> union,
                List.of(), null, epoch -> union, tmp, 7);
    }

    private static Map<String, INDArray> copy(LanguageModel model) {
        Map<String, INDArray> c = new LinkedHashMap<>();
        model.weights().taken().forEach((k, v) -> c.put(k, v.dup()));
        return c;
    }

    /** Row {@code r} of {@code b} as a batch of one. */
    private static ModelInputs row(ModelInputs b, int r) {
        return new ModelInputs(new int[][]{b.inputIds()[r]}, new int[][]{b.attentionMask()[r]},
                new int[][]{b.labels()[r]}, null, null);
    }

    private static long lines(Path p) {
        try (var s = Files.lines(p)) {
            return s.count();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
