package io.kif4j.transformer;

import io.kif4j.transformer.llama.LlamaGraph;
import io.kif4j.transformer.testing.Fixture;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A model loaded in float64 ({@code Models.load(dir, DOUBLE)}, which float64 gradient checks build on): every
 * floating value of its graph is DOUBLE, and it is the same model, scoring and decoding as HF does (README §5).
 * HF's own float64 references ({@code logits_f64}) still run softmax and the LLaMA RoPE tables in float32, so
 * they only hold us to the fixtures' tolerances, not to float64 rounding.
 */
class Float64ModelTest {

    @TestFactory
    Stream<DynamicTest> everyFixture() {
        return Stream.of("t5", "llama").flatMap(c -> Fixture.all(c).stream())
                .map(f -> DynamicTest.dynamicTest(f.name(), () -> check(f)));
    }

    static void check(Fixture f) {
        LanguageModel model = Models.load(f.dir(), DataType.DOUBLE);
        ModelInputs batch = f.inputs().batch();
        everyArrayIsDouble(f, model, batch);

        ScoreResult r = model.score(batch);
        assertEquals(DataType.DOUBLE, r.logits().dataType());
        double diff = Fixture.maxAbsDiffValid(r.logits(), f.tensor("logits_f64").castTo(DataType.DOUBLE),
                f.intMatrix("valid_positions"));
        assertTrue(diff <= 1e-4, f.name() + ": float64 logits differ from HF's by " + diff);
        assertEquals(f.at("loss_f64").asDouble(), r.loss(), 1e-5, f.name() + ": float64 loss");

        // left-padded prompts: a pad query attends nothing, the case DOUBLE softmax gets wrong (SameDiffQuirksTest)
        var in = f.inputs();
        GenerationResult g = model.generate(in.generation(), in.maxNewTokens(), false);
        assertArrayEquals(f.intMatrix("generation.argmax_no_stop.new_tokens"), g.newTokens(), f.name() + ": no-stop ids");
        INDArray expected = f.tensor("gen.step_logits");
        for (int s = 0; s < g.stepLogits().size(); s++) {
            INDArray e = expected.get(NDArrayIndex.point(s), NDArrayIndex.all(), NDArrayIndex.all());
            double d = Fixture.maxAbsDiff(g.stepLogits().get(s).castTo(DataType.FLOAT), e);
            assertTrue(d <= 1e-4, f.name() + ": step " + s + " logits differ by " + d);
        }
    }

    /** Every intermediate array of the full graph on the fixture batch: no op falls back to float32. */
    private static void everyArrayIsDouble(Fixture f, LanguageModel model, ModelInputs batch) {
        SameDiff sd = model.trainingGraph();
        Map<String, INDArray> ph = model.placeholders(batch);
        if (sd.hasVariable(LlamaGraph.LAST_ROWS)) {
            int[] rows = new int[batch.batchSize()];
            for (int r = 0; r < rows.length; r++) {
                rows[r] = r * batch.length() + batch.length() - 1;
            }
            ph.put(LlamaGraph.LAST_ROWS, Nd4j.createFromArray(rows));
        }
        String[] arrays = sd.variables().stream().filter(v -> v.getVariableType() == VariableType.ARRAY)
                .map(SDVariable::name).toArray(String[]::new);
        int floating = 0;
        for (var e : sd.output(ph, arrays).entrySet()) {
            if (e.getValue() != null && e.getValue().dataType().isFPType()) {
                assertEquals(DataType.DOUBLE, e.getValue().dataType(), f.name() + ": " + e.getKey() + " from "
                        + sd.getVariableOutputOp(e.getKey()).opName());
                floating++;
            }
        }
        assertTrue(floating > 20, f.name() + ": only " + floating + " floating arrays");
    }
}
