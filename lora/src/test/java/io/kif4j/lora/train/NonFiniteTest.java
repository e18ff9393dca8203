package io.kif4j.lora.train;

import io.kif4j.lora.LoraAdapter;
import io.kif4j.transformer.LanguageModel;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A NaN/inf loss or gradient stops the task with a clear message and the adapter as after the last good step. */
class NonFiniteTest {

    @Test
    void aNonFiniteGradientStopsTrainingAndKeepsTheLastGoodState() {
        FixtureTraining t = FixtureTraining.llama();
        var f = t.fixture();
        LanguageModel model = t.model();
        LoraAdapter adapter = t.adapter();
        Map<String, INDArray> afterStep1 = new HashMap<>();
        StepHook poison = new StepHook() {
            @Override
            public void afterStep(int step, Map<String, INDArray> params, Map<String, INDArray> grads, double loss) {
                if (step == 1) {
                    params.forEach((k, v) -> afterStep1.put(k, v.dup()));
                }
            }

            @Override
            public void onGradients(int step, Map<String, INDArray> grads) {
                if (step == 2) {
                    grads.values().iterator().next().putScalar(0, Double.NaN);
                }
            }
        };
        var e = assertThrows(LoraTrainer.NonFiniteLossException.class, () ->
                new LoraTrainer(model, adapter, TrainConfig.defaults(3, 1e-2, 1))
                        .train(epoch -> List.of(f.inputs().batch()), List.of(), poison));
        assertTrue(e.getMessage().contains("step 2") && e.getMessage().contains("last good state"), e.getMessage());
        assertEquals(adapter.variableNames().size(), afterStep1.size());
        for (String v : adapter.variableNames()) {
            assertEquals(afterStep1.get(v), adapter.array(v), v + " changed after the bad step");
        }
    }
}
