package io.kif4j.transformer.t5;

import com.fasterxml.jackson.databind.JsonNode;
import io.kif4j.transformer.GenerationResult;
import io.kif4j.transformer.testing.Fixture;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every T5 fixture folder, base model: ../shared/fixtures/README.md §5. */
class T5FixtureTest {

    @TestFactory
    Stream<DynamicContainer> everyT5Fixture() {
        return Fixture.all("t5").stream().map(f -> {
            T5Model model = T5Model.load(f.dir());
            return DynamicContainer.dynamicContainer(f.name(), List.of(
                    DynamicTest.dynamicTest("state-dict names and shapes", () -> stateDict(f, model)),
                    DynamicTest.dynamicTest("encoder last hidden state", () -> encoderOutput(f, model)),
                    DynamicTest.dynamicTest("logits and loss", () -> logitsAndLoss(f, model)),
                    DynamicTest.dynamicTest("greedy ids (HF)", () -> greedy(f, model, true)),
                    DynamicTest.dynamicTest("greedy ids (no stop) and step logits", () -> greedy(f, model, false))));
        });
    }

    /** The names the graph expects from the config are exactly the ones HF saved, with the same shapes. */
    static void stateDict(Fixture f, T5Model model) {
        Map<String, String> expected = new TreeMap<>();
        Iterator<Map.Entry<String, JsonNode>> it = f.at("saved_weight_shapes").fields();
        while (it.hasNext()) {
            var e = it.next();
            expected.put(e.getKey(), e.getValue().toString().replace(" ", ""));
        }
        Map<String, String> actual = new TreeMap<>();
        T5Graph.stateDictShapes(model.config()).forEach((k, v) -> actual.put(k, Arrays.toString(v).replace(" ", "")));
        assertEquals(expected, actual, f.name());
        assertEquals(expected.keySet(), new TreeMap<>(model.weights().taken()).keySet(), f.name() + ": weights taken");
    }

    static void encoderOutput(Fixture f, T5Model model) {
        var batch = f.inputs().batch();
        INDArray actual = model.encode(batch);
        double diff = Fixture.maxAbsDiffValid(actual, f.tensor("debug.encoder_last_hidden_state"), batch.attentionMask());
        assertTrue(diff <= 1e-4, f.name() + ": encoder output differs by " + diff);
    }

    static void logitsAndLoss(Fixture f, T5Model model) {
        f.assertScoreMatchesHf(model.score(f.inputs().batch()), f.name());
    }

    static void greedy(Fixture f, T5Model model, boolean stop) {
        var in = f.inputs();
        GenerationResult g = model.generate(in.generation(), in.maxNewTokens(), stop);
        if (stop) {
            assertArrayEquals(f.intMatrix("generation.hf_generate.sequences"), g.sequences(), f.name() + ": HF sequences");
            assertArrayEquals(f.intMatrix("generation.hf_generate.new_tokens"), g.newTokens(), f.name() + ": HF new tokens");
        } else {
            assertArrayEquals(f.intMatrix("generation.argmax_no_stop.new_tokens"), g.newTokens(), f.name() + ": no-stop ids");
            INDArray expected = f.tensor("gen.step_logits");
            assertEquals(expected.size(0), g.stepLogits().size(), f.name() + ": number of steps");
            double max = 0;
            for (int s = 0; s < g.stepLogits().size(); s++) {
                INDArray e = expected.get(NDArrayIndex.point(s), NDArrayIndex.all(), NDArrayIndex.all());
                double diff = Fixture.maxAbsDiff(g.stepLogits().get(s), e);
                max = Math.max(max, diff);
                assertTrue(diff <= 1e-4, f.name() + ": step " + s + " logits differ by " + diff);
            }
            System.out.printf("%s: max |step logits - HF| = %.3g%n", f.name(), max);
        }
    }
}
