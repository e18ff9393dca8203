package io.kif4j.lora;

import io.kif4j.transformer.GenerationResult;
import io.kif4j.transformer.LanguageModel;
import io.kif4j.transformer.Models;
import io.kif4j.transformer.ScoreResult;
import io.kif4j.transformer.testing.Fixture;
import io.kif4j.weights.safetensors.SafetensorsFile;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every fixture folder with its PEFT adapter: ../shared/fixtures/README.md §5, LoRA rows. */
class LoraFixtureTest {

    @TestFactory
    Stream<DynamicContainer> llamaAndT5() {
        return Stream.of("llama", "t5").flatMap(this::fixtures);
    }

    private Stream<DynamicContainer> fixtures(String type) {
        return Fixture.all(type).stream().map(f -> {
            LanguageModel model = Models.load(f.dir());
            LoraAdapter adapter = LoraAdapter.load(f.dir().resolve("lora"));
            Lora.attach(model, adapter);
            return DynamicContainer.dynamicContainer(f.name(), List.of(
                    DynamicTest.dynamicTest("LoRA logits and loss", () -> logitsAndLoss(f, model)),
                    DynamicTest.dynamicTest("every LoRA gradient", () -> gradients(f, model, adapter)),
                    DynamicTest.dynamicTest("LoRA greedy ids and step logits", () -> greedy(f, model)),
                    DynamicTest.dynamicTest("merged equals unmerged", () -> merged(f, model, adapter))));
        });
    }

    static void logitsAndLoss(Fixture f, LanguageModel model) {
        ScoreResult r = model.score(f.inputs().batch());
        double diff = Fixture.maxAbsDiffValid(r.logits(), f.tensor("lora.logits"), f.intMatrix("valid_positions"));
        assertTrue(diff <= 1e-4, f.name() + ": LoRA logits differ by " + diff);
        assertEquals(f.at("lora.loss").asDouble(), r.loss(), 1e-5, f.name() + ": LoRA loss");
    }

    static void gradients(Fixture f, LanguageModel model, LoraAdapter adapter) {
        Lora.LossAndGradients lg = Lora.lossAndGradients(model, adapter, f.inputs().batch());
        assertEquals(f.at("lora.loss").asDouble(), lg.loss(), 1e-5);
        Set<String> expectedNames = new TreeSet<>();
        f.at("lora.grad_names").forEach(n -> expectedNames.add(n.asText()));
        Set<String> ours = new TreeSet<>();
        for (LoraModule m : adapter.modules()) {
            ours.add("lora.grad." + m.peftA());
            ours.add("lora.grad." + m.peftB());
        }
        assertEquals(expectedNames, ours, "gradient names");
        for (LoraModule m : adapter.modules()) {
            check(f, "lora.grad." + m.peftA(), lg.gradients().get(m.aName()));
            check(f, "lora.grad." + m.peftB(), lg.gradients().get(m.bName()));
        }
    }

    private static void check(Fixture f, String name, INDArray actual) {
        INDArray e = f.tensor(name);
        double tol = 1e-4 * e.amaxNumber().doubleValue();
        double diff = Fixture.maxAbsDiff(actual, e);
        assertTrue(diff <= tol, f.name() + ": " + name + " differs by " + diff + " (tolerance " + tol + ")");
    }

    static void greedy(Fixture f, LanguageModel model) {
        var in = f.inputs();
        GenerationResult hf = model.generate(in.generation(), in.maxNewTokens(), true);
        assertArrayEquals(f.intMatrix("generation_lora.hf_generate.sequences"), hf.sequences(), f.name());
        GenerationResult all = model.generate(in.generation(), in.maxNewTokens(), false);
        assertArrayEquals(f.intMatrix("generation_lora.argmax_no_stop.new_tokens"), all.newTokens(), f.name());
        INDArray expected = f.tensor("lora.gen.step_logits");
        for (int s = 0; s < all.stepLogits().size(); s++) {
            INDArray e = expected.get(NDArrayIndex.point(s), NDArrayIndex.all(), NDArrayIndex.all());
            double diff = Fixture.maxAbsDiff(all.stepLogits().get(s), e);
            assertTrue(diff <= 1e-4, f.name() + ": LoRA step " + s + " logits differ by " + diff);
        }
    }

    static void merged(Fixture f, LanguageModel model, LoraAdapter adapter) {
        INDArray unmerged = model.score(f.inputs().batch()).logits();
        LanguageModel base = Models.load(f.dir());
        Lora.mergeInPlace(base.weights(), adapter, +1);
        base.setAdapter(io.kif4j.transformer.nn.LinearAdapter.NONE);
        INDArray merged = base.score(f.inputs().batch()).logits();
        double diff = Fixture.maxAbsDiffValid(merged, unmerged, f.intMatrix("valid_positions"));
        assertTrue(diff <= 1e-4, f.name() + ": merged vs unmerged " + diff);
        Lora.mergeInPlace(base.weights(), adapter, -1);
        base.setAdapter(io.kif4j.transformer.nn.LinearAdapter.NONE);
        double back = Fixture.maxAbsDiffValid(base.score(f.inputs().batch()).logits(),
                f.tensor("logits"), f.intMatrix("valid_positions"));
        assertTrue(back <= 1e-4, f.name() + ": unmerged base differs from the base logits by " + back);
    }
}
