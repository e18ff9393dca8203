package io.kif4j.transformer.llama;

import com.fasterxml.jackson.databind.JsonNode;
import io.kif4j.transformer.GenerationResult;
import io.kif4j.transformer.ModelInputs;
import io.kif4j.transformer.testing.Fixture;
import io.kif4j.common.Json;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The real pretrained stories260K checkpoint (../shared/weights/stories260K-hf) against HF's reference.json. */
class Stories260KTest {

    static Path dir;
    static LlamaModel model;
    static JsonNode ref;

    @BeforeAll
    static void load() {
        dir = Fixture.shared().resolve("weights/stories260K-hf");
        model = LlamaModel.load(dir);
        ref = Json.read(dir.resolve("reference.json"));
    }

    @Test
    void logitsOfTheFirstPositionsMatchHf() {
        JsonNode l = ref.get("logits_first8");
        int[] ids = Json.MAPPER.convertValue(l.get("input_ids"), int[].class);
        float[][] expected = Json.MAPPER.convertValue(l.get("values"), float[][].class);
        INDArray logits = model.score(ModelInputs.of(new int[][]{ids})).logits();
        double max = 0;
        for (int t = 0; t < expected.length; t++) {
            for (int v = 0; v < expected[t].length; v++) {
                max = Math.max(max, Math.abs(logits.getDouble(0, t, v) - expected[t][v]));
            }
        }
        assertTrue(max <= 1e-4, "logits differ by " + max);
    }

    @Test
    void greedyContinuationFromBosReproducesTheReference() {
        int[] expected = Json.MAPPER.convertValue(ref.get("expected_new_ids"), int[].class);
        GenerationResult g = model.generate(ModelInputs.of(new int[][]{{1}}), expected.length, true);
        assertArrayEquals(expected, g.newTokens()[0]);
    }

    @Test
    void kvCacheStepsMatchAFullForward() {
        int[] seq = Json.MAPPER.convertValue(ref.get("expected_sequence"), int[].class);
        int n = 24;
        int[] prefix = java.util.Arrays.copyOf(seq, n);
        INDArray full = model.score(ModelInputs.of(new int[][]{prefix})).logits();
        GenerationResult g = model.generate(ModelInputs.of(new int[][]{{1}}), n, true);
        for (int s = 0; s < n; s++) {
            INDArray step = g.stepLogits().get(s);
            INDArray fromFull = full.get(NDArrayIndex.point(0), NDArrayIndex.point(s), NDArrayIndex.all()).reshape(step.shape());
            double diff = Fixture.maxAbsDiff(step, fromFull);
            assertTrue(diff <= 1e-4, "step " + s + " differs from the full forward by " + diff);
        }
    }
}
