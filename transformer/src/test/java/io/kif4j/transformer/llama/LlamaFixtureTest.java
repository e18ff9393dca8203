package io.kif4j.transformer.llama;

import io.kif4j.transformer.GenerationResult;
import io.kif4j.transformer.testing.Fixture;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every decoder-only fixture folder of both roots (llama, qwen2, mistral, gemma, …), base model: README §5. */
class LlamaFixtureTest {

    @TestFactory
    Stream<DynamicContainer> everyLlamaFixture() {
        return Fixture.all("llama").stream().map(f -> {
            LlamaModel model = LlamaModel.load(f.dir()); // any decoder-only family
            return DynamicContainer.dynamicContainer(f.name(), List.of(
                    DynamicTest.dynamicTest("logits and loss", () -> logitsAndLoss(f, model)),
                    DynamicTest.dynamicTest("greedy ids (HF) and step logits", () -> greedy(f, model, true)),
                    DynamicTest.dynamicTest("greedy ids (no stop)", () -> greedy(f, model, false))));
        });
    }

    static void logitsAndLoss(Fixture f, LlamaModel model) {
        f.assertScoreMatchesHf(model.score(f.inputs().batch()), f.name() + " (" + f.modelType() + ")");
    }

    static void greedy(Fixture f, LlamaModel model, boolean stop) {
        var in = f.inputs();
        GenerationResult g = model.generate(in.generation(), in.maxNewTokens(), stop);
        if (stop) {
            assertArrayEquals(f.intMatrix("generation.hf_generate.sequences"), g.sequences(), f.name() + ": HF sequences");
        } else {
            assertArrayEquals(f.intMatrix("generation.argmax_no_stop.new_tokens"), g.newTokens(), f.name() + ": no-stop ids");
            INDArray expected = f.tensor("gen.step_logits");
            for (int s = 0; s < g.stepLogits().size(); s++) {
                INDArray e = expected.get(NDArrayIndex.point(s), NDArrayIndex.all(), NDArrayIndex.all());
                double diff = Fixture.maxAbsDiff(g.stepLogits().get(s), e);
                assertTrue(diff <= 1e-4, f.name() + ": step " + s + " logits differ by " + diff);
            }
        }
    }
}
