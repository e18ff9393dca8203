package io.kif4j.transformer.llama;

import io.kif4j.weights.LlamaConfig;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** HF's llama3 / linear inverse-frequency scaling and Mistral's sliding-window mask, against hand-worked values. */
class RopeScalingAndWindowTest {

    /**
     * ../shared/fixtures-families/README.md, llama3_rope_scaling: theta 500 000, head_dim 16, factor 32, low 1,
     * high 4, original 64: frequency 0 unchanged, frequency 1 (wavelength 32.4, s ≈ 0.325) goes from 0.1939 to
     * 0.0671, frequencies 2…7 are divided by 32.
     */
    @Test
    void llama3ScalingKeepsInterpolatesAndDivides() {
        var s = new LlamaConfig.RopeScaling("llama3", 32, 1, 4, 64);
        double inv0 = 1.0;
        double inv1 = Math.pow(500000, -2.0 / 16);
        double inv2 = Math.pow(500000, -4.0 / 16);
        assertEquals(0.1939, inv1, 1e-4);
        assertEquals(inv0, LlamaRotaryEmbedding.scaled(inv0, s), 0);
        assertEquals(0.0671, LlamaRotaryEmbedding.scaled(inv1, s), 1e-4);
        assertEquals(inv2 / 32, LlamaRotaryEmbedding.scaled(inv2, s), 1e-12);
        assertEquals(inv1 / 4, LlamaRotaryEmbedding.scaled(inv1, new LlamaConfig.RopeScaling("linear", 4, 0, 0, 0)), 1e-12);
    }

    /** Query i attends key j iff i − w < j ≤ i, padding keys never; with a cache the query slots are the last T. */
    @Test
    void slidingWindowMasksKeysOutsideTheWindow() {
        int[][] keys = {{1, 1, 1, 1, 1}, {0, 1, 1, 1, 1}};
        INDArray full = LlamaInputs.causalBias(keys, 5, 1, 2);
        for (int r = 0; r < 2; r++) {
            for (int q = 0; q < 5; q++) {
                for (int k = 0; k < 5; k++) {
                    boolean attends = k <= q && k > q - 2 && keys[r][k] == 1;
                    assertEquals(attends ? 0f : LlamaInputs.MASKED, full.getFloat(r, 0, q, k), r + "," + q + "," + k);
                }
            }
        }
        INDArray step = LlamaInputs.causalBias(keys, 1, 2, 3);   // one new token at slot 4, two query heads per kv head
        for (int g = 0; g < 2; g++) {
            for (int k = 0; k < 5; k++) {
                assertEquals(k >= 2 && keys[0][k] == 1 ? 0f : LlamaInputs.MASKED, step.getFloat(0, 0, g, k), g + "," + k);
            }
        }
        INDArray none = LlamaInputs.causalBias(keys, 5, 1, 0);
        assertEquals(0f, none.getFloat(0, 0, 4, 0));
    }
}
