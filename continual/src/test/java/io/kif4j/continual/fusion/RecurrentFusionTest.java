package io.kif4j.continual.fusion;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Recurrent-KIF's fusion (spec §6.2) by hand, ties at the threshold included. */
class RecurrentFusionTest {

    static INDArray v(float... x) {
        return Nd4j.createFromArray(x);
    }

    @Test
    void torchQuantileInFloat32() {
        // rank = 0.8f · 4 = 3.2 (float), lerp 3 + 0.2·(4 − 3)
        assertEquals(3.2f, RecurrentFusion.torchQuantile(List.of(v(4, 0, 2), v(1, 3)), 0.8), 0f);
        // ties: the quantile is the tied value itself
        assertEquals(1f, RecurrentFusion.torchQuantile(List.of(v(1, 1, 1, 1, 5)), 0.5), 0f);
        assertEquals(5f, RecurrentFusion.torchQuantile(List.of(v(1, 5)), 1.0), 0f);
    }

    @Test
    void masksOmegaAndUpdateWithTiesAtTheThreshold() {
        INDArray anchor = v(0, 0, 0, 0, 0);
        INDArray inner = v(1, 1, 1, 1, 1);   // Δ_in = 1
        INDArray cur = v(3, 3, 3, 3, 3);     // Δ_out = 2
        // Q_0.5 of each is 1: the elements scored 1 equal the threshold and are not important (strict >).
        INDArray sIn = v(5, 5, 1, 1, 1);
        INDArray sOut = v(1, 5, 5, 1, 1);
        RecurrentFusion.Result r = RecurrentFusion.fuse(Map.of("w", anchor), Map.of("w", inner), Map.of("w", cur),
                Map.of("w", sIn), Map.of("w", sOut), 0.5);
        // in only → 1·1; both → 0.4·1 + 0.6·2; out only → 2; neither → 0.5·1 + 0.5·2
        assertArrayEquals(new float[]{1f, 1.6f, 2f, 1.5f, 1.5f}, r.fused().get("w").toFloatVector(), 1e-6f);
        assertArrayEquals(new float[]{1f, 0.4f, 0f, 0.5f, 0.5f}, r.omegaIn().get("w").toFloatVector(), 0f);
        assertArrayEquals(new float[]{0f, 0.6f, 1f, 0.5f, 0.5f}, r.omegaOut().get("w").toFloatVector(), 0f);
        assertEquals(Map.of("both", 1, "inner_only", 1, "outer_only", 1, "neither", 2), r.counts());
        assertArrayEquals(new float[]{1f, 1f}, r.thresholds(), 0f);
    }
}
