package io.kif4j.continual.fusion;

import io.kif4j.lora.LoraAdapter;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Eq. 14 (spec §4.1). */
class WeightEnsembleFusionTest {

    @Test
    void uniformWeightOnEveryParameter() {
        LoraAdapter prev = TestAdapters.random(3, 2, 5, 4, 21);
        LoraAdapter cur = TestAdapters.random(3, 2, 5, 4, 22);
        LoraAdapter curBefore = cur.copy();
        for (double lambda : new double[]{0.5, 0.2}) {
            FusionResult r = new WeightEnsembleFusion(lambda).fuse(prev, cur, List.of(), Map.of(), Map.of());
            for (String v : cur.variableNames()) {
                var expected = prev.array(v).mul(lambda).addi(cur.array(v).mul(1 - lambda));
                assertEquals(0, r.fused().array(v).sub(expected).amaxNumber().doubleValue(), 1e-7, v);
            }
            assertEquals(0, TestAdapters.maxAbsDiff(curBefore, cur), "current untouched");
        }
        // λ = 0.5 by hand on one element
        float p = prev.array("layers.0.q.lora_A.weight").getFloat(0);
        float c = cur.array("layers.0.q.lora_A.weight").getFloat(0);
        float f = new WeightEnsembleFusion().fuse(prev, cur, List.of(), Map.of(), Map.of()).fused()
                .array("layers.0.q.lora_A.weight").getFloat(0);
        assertEquals((p + c) / 2, f, 1e-7);
        assertThrows(IllegalArgumentException.class, () -> new WeightEnsembleFusion(1.5));
    }
}
