package io.kif4j.lora;

import io.kif4j.transformer.LanguageModel;
import io.kif4j.transformer.Models;
import io.kif4j.transformer.decode.LeanDecoding;
import io.kif4j.transformer.decode.LeanDecodingTest;
import io.kif4j.transformer.testing.Fixture;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The lean decoder with each fixture's PEFT adapter attached (its LoRA term kept low-rank) against the SameDiff
 * step graph: same tokens, step logits within 1e-4, on the fixtures' padded generation batches. The fixtures'
 * LoRA generation references are checked through the default (lean) path by LoraFixtureTest.
 */
class LeanDecodingLoraTest {

    @TestFactory
    Stream<DynamicContainer> leanEqualsGraphWithLora() {
        return Stream.concat(Fixture.all("llama").stream(), Fixture.all("t5").stream()).map(f -> {
            LanguageModel model = Models.load(f.dir());
            Lora.attach(model, LoraAdapter.load(f.dir().resolve("lora")));
            var prompt = f.inputs().generation();
            int n = f.inputs().maxNewTokens();
            return DynamicContainer.dynamicContainer(f.name(), List.of(
                    DynamicTest.dynamicTest("stop at EOS", () -> LeanDecodingTest.compare(f.name() + " + LoRA", model, prompt, n, true)),
                    DynamicTest.dynamicTest("3× the steps", () -> LeanDecodingTest.compare(f.name() + " + LoRA", model, prompt, 3 * n, false))));
        });
    }

    /** With dropout active (training) the term is random: the lean decoder stands aside. */
    @Test
    void trainingWithDropoutFallsBackToTheGraph() {
        Fixture f = Fixture.all("llama").get(0);
        LoraConfig c = LoraConfig.read(f.dir().resolve("lora").resolve(LoraAdapter.CONFIG_FILE));
        LoraConfig withDropout = new LoraConfig(c.r(), c.loraAlpha(), 0.1, c.targetModules(), c.targetModulesRegex(),
                c.bias(), c.useRslora(), c.taskType(), c.baseModelNameOrPath());
        LoraAdapter adapter = LoraAdapter.create(withDropout, 1);
        assertTrue(adapter.hasLowRankForm(), "evaluation mode: no dropout");
        adapter.setTraining(true);
        assertFalse(adapter.hasLowRankForm());
        assertNotNull(LeanDecoding.unsupported(adapter, "silu"));
    }
}
