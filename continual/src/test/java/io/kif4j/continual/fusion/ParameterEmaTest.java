package io.kif4j.continual.fusion;

import io.kif4j.lora.LoraAdapter;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** θ_ema ← μ·θ_ema + (1−μ)·θ per optimizer step (spec §4.1). */
class ParameterEmaTest {

    @Test
    void threeStepsByHand() {
        LoraAdapter start = TestAdapters.random(1, 1, 1, 1, 5);
        start.modules().forEach(m -> {
            m.a().assign(1);
            m.b().assign(-2);
        });
        ParameterEma ema = new ParameterEma(start, 0.75);
        // μ = .75 (asymmetric, so swapping μ and 1 − μ shows)
        // A: θ = 3, 5, −1 → .75·1 + .75 = 1.5; 1.125 + 1.25 = 2.375; 1.78125 − .25 = 1.53125
        // B: θ = 0, 0, 4  → −1.5; −1.125; −.84375 + 1 = .15625
        float[][] theta = {{3, 0}, {5, 0}, {-1, 4}};
        for (float[] t : theta) {
            Map<String, INDArray> p = new LinkedHashMap<>();
            p.put("layers.0.q.lora_A.weight", start.array("layers.0.q.lora_A.weight").dup().assign(t[0]));
            p.put("layers.0.q.lora_B.weight", start.array("layers.0.q.lora_B.weight").dup().assign(t[1]));
            ema.afterStep(ema.steps() + 1, p, Map.of(), 0);
        }
        LoraAdapter avg = ema.averaged();
        assertEquals(1.53125f, avg.array("layers.0.q.lora_A.weight").getFloat(0), 1e-6);
        assertEquals(0.15625f, avg.array("layers.0.q.lora_B.weight").getFloat(0), 1e-6);
        assertEquals(1f, start.array("layers.0.q.lora_A.weight").getFloat(0), "start untouched");
        avg.array("layers.0.q.lora_A.weight").assign(9);
        assertEquals(1.53125f, ema.averaged().array("layers.0.q.lora_A.weight").getFloat(0), 1e-6, "a copy");
        assertEquals(3, ema.steps());
        assertEquals(0.999, new ParameterEma(start).mu());
        assertThrows(IllegalArgumentException.class, () -> ema.afterStep(4, Map.of(), Map.of(), 0));
    }
}
