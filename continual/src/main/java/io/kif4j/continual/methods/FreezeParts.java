package io.kif4j.continual.methods;

import io.kif4j.lora.SkillUnit;
import io.kif4j.lora.train.StepHook;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.List;
import java.util.Map;

/**
 * Zeroes the gradients of frozen parameters before clipping and the optimizer, so AdamW leaves them
 * bit-identical (its moments stay zero) and they do not count in the clipping norm.
 */
final class FreezeParts {

    private FreezeParts() {
    }

    /** Freezes the first {@code frozenRank} rows of every A and columns of every B (IncLoRA, O-LoRA). */
    static StepHook leadingRanks(int frozenRank) {
        return new StepHook() {
            @Override
            public void afterStep(int step, Map<String, INDArray> params, Map<String, INDArray> grads, double loss) {
            }

            @Override
            public void onGradients(int step, Map<String, INDArray> grads) {
                if (frozenRank == 0) {
                    return;
                }
                grads.forEach((name, g) -> {
                    if (name.endsWith(".lora_A.weight")) {
                        g.get(NDArrayIndex.interval(0, frozenRank), NDArrayIndex.all()).assign(0);
                    } else {
                        g.get(NDArrayIndex.all(), NDArrayIndex.interval(0, frozenRank)).assign(0);
                    }
                });
            }
        };
    }

    /** Freezes the parameters of the given skill units (KIF-M's replay stage). */
    static StepHook units(List<SkillUnit> frozen) {
        return new StepHook() {
            @Override
            public void afterStep(int step, Map<String, INDArray> params, Map<String, INDArray> grads, double loss) {
            }

            @Override
            public void onGradients(int step, Map<String, INDArray> grads) {
                for (SkillUnit u : frozen) {
                    for (INDArray part : u.parts(grads)) {
                        part.assign(0);
                    }
                }
            }
        };
    }
}
