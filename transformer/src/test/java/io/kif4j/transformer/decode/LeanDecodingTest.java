package io.kif4j.transformer.decode;

import io.kif4j.transformer.GenerationResult;
import io.kif4j.transformer.LanguageModel;
import io.kif4j.transformer.ModelInputs;
import io.kif4j.transformer.Models;
import io.kif4j.transformer.nn.LinearAdapter;
import io.kif4j.transformer.testing.Fixture;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The lean decoder against the SameDiff step graph on every fixture of both roots (both families): the same
 * greedy tokens and step logits within the fixtures' 1e-4, with the fixtures' left-padded (LLaMA) or
 * right-padded (T5) generation batch, with and without EOS stopping, and for more steps than the fixtures
 * record. The fixtures' own generation references are checked through the default path by LlamaFixtureTest,
 * T5FixtureTest and (with LoRA) LoraFixtureTest.
 */
public class LeanDecodingTest {

    /** The fixtures' tolerance on logits (README §5). */
    static final double TOLERANCE = 1e-4;

    @TestFactory
    Stream<DynamicContainer> leanEqualsGraph() {
        return Stream.concat(Fixture.all("llama").stream(), Fixture.all("t5").stream()).map(f -> {
            LanguageModel model = Models.load(f.dir());
            ModelInputs prompt = f.inputs().generation();
            int n = f.inputs().maxNewTokens();
            return DynamicContainer.dynamicContainer(f.name(), List.of(
                    DynamicTest.dynamicTest("stop at EOS", () -> compare(f.name(), model, prompt, n, true)),
                    DynamicTest.dynamicTest("no stop", () -> compare(f.name(), model, prompt, n, false)),
                    DynamicTest.dynamicTest("3× the steps", () -> compare(f.name(), model, prompt, 3 * n, false))));
        });
    }

    /** Generates on both paths and checks tokens, sequences and every step's logits. */
    public static void compare(String name, LanguageModel model, ModelInputs prompt, int steps, boolean stop) {
        assertNull(LeanDecoding.unsupported(model.adapter(), activation(model)), name + ": lean decoding not in use");
        GenerationResult lean = model.generate(prompt, steps, stop);
        GenerationResult graph = onGraph(() -> model.generate(prompt, steps, stop));
        assertArrayEquals(graph.sequences(), lean.sequences(), name + ": sequences");
        assertArrayEquals(graph.newTokens(), lean.newTokens(), name + ": new tokens");
        assertEquals(graph.stepLogits().size(), lean.stepLogits().size(), name + ": steps");
        double worst = 0;
        for (int s = 0; s < lean.stepLogits().size(); s++) {
            INDArray g = graph.stepLogits().get(s);
            double diff = Fixture.maxAbsDiff(lean.stepLogits().get(s), g.reshape(g.size(0), g.size(g.rank() - 1)));
            worst = Math.max(worst, diff);
            assertTrue(diff <= TOLERANCE, name + ": step " + s + " logits differ by " + diff);
        }
        System.out.printf("%s: lean vs graph, %d steps (stop %s): max |logits diff| %.3g%n", name,
                lean.stepLogits().size(), stop, worst);
    }

    /** Runs {@code body} with the SameDiff step graph forced. */
    public static <T> T onGraph(Supplier<T> body) {
        String before = System.getProperty(LeanDecoding.PROPERTY);
        System.setProperty(LeanDecoding.PROPERTY, "graph");
        try {
            return body.get();
        } finally {
            if (before == null) {
                System.clearProperty(LeanDecoding.PROPERTY);
            } else {
                System.setProperty(LeanDecoding.PROPERTY, before);
            }
        }
    }

    public static String activation(LanguageModel model) {
        if (model instanceof io.kif4j.transformer.llama.LlamaModel l) {
            return l.config().hiddenAct();
        }
        return ((io.kif4j.transformer.t5.T5Model) model).config().denseActFn();
    }

    @Test
    void fallsBackWhereItCannotRun() {
        assertNull(LeanDecoding.unsupported(LinearAdapter.NONE, "silu"));
        assertNotNull(onGraph(() -> LeanDecoding.unsupported(LinearAdapter.NONE, "silu")), "-Dkif.decode=graph");
        LinearAdapter graphOnly = (g, path, x, in, out) -> null; // says nothing about its term without a graph
        assertNotNull(LeanDecoding.unsupported(graphOnly, "silu"), "an adapter without a low-rank form");
        assertNotNull(LeanDecoding.unsupported(LinearAdapter.NONE, "mish"), "an activation it does not implement");
        assertNotNull(LeanDecoding.unsupported(LinearAdapter.NONE, "silu", DataType.DOUBLE), "a float64 model");
    }
}
