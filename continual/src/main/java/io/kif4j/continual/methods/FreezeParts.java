package io.kif4j.continual.methods;

import io.kif4j.lora.LoraKeys;
import io.kif4j.lora.SkillUnit;
import io.kif4j.lora.train.StepHook;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.List;
import java.util.Map;

/**
 * Marks frozen parameters for the trainer, which zeroes their gradients before clipping (so they do not count in
 * the norm) and has AdamW leave them bit-identical, weight decay included.
 */
final class FreezeParts {

    private FreezeParts() {
    }

    /** Freezes the first {@code frozenRank} rows of every A and columns of every B (IncLoRA, O-LoRA). */
    static StepHook leadingRanks(int frozenRank) {
        return new Freezer() {
            @Override
            public void markFrozen(Map<String, INDArray> trainable) {
                if (frozenRank == 0) {
                    return;
                }
                trainable.forEach((name, m) -> {
                    if (LoraKeys.isA(name)) {
                        m.get(NDArrayIndex.interval(0, frozenRank), NDArrayIndex.all()).assign(0);
                    } else {
                        m.get(NDArrayIndex.all(), NDArrayIndex.interval(0, frozenRank)).assign(0);
                    }
                });
            }
        };
    }

    /** Freezes the parameters of the given skill units (KIF-M's replay stage). */
    static StepHook units(List<SkillUnit> frozen) {
        return new Freezer() {
            @Override
            public void markFrozen(Map<String, INDArray> trainable) {
                for (SkillUnit u : frozen) {
                    for (INDArray part : u.parts(trainable)) {
                        part.assign(0);
                    }
                }
            }
        };
    }

    /** A hook that only freezes. */
    private abstract static class Freezer implements StepHook {
        @Override
        public void afterStep(int step, Map<String, INDArray> params, Map<String, INDArray> grads, double loss) {
        }
    }
}
