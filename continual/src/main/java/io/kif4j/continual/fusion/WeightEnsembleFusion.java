package io.kif4j.continual.fusion;

import io.kif4j.lora.LoraAdapter;
import io.kif4j.lora.SkillUnit;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The coarse weight ensemble of the fusion ablation (spec §4.1, Eq. 14): θ̃_t = λ·θ̃_{t−1} + (1−λ)·θ_t on every
 * LoRA parameter, one global weight; units and scores are ignored. The paper "uniformly averages": λ = 0.5.
 */
public final class WeightEnsembleFusion implements FusionRule {

    private final double lambda;

    /** @param lambda the weight on the previous (fused) model, in [0, 1] */
    public WeightEnsembleFusion(double lambda) {
        if (!(lambda >= 0 && lambda <= 1)) {
            throw new IllegalArgumentException("lambda must be in [0, 1], got " + lambda);
        }
        this.lambda = lambda;
    }

    public WeightEnsembleFusion() {
        this(0.5);
    }

    @Override
    public String name() {
        return "ensemble";
    }

    /** Eq. 14 (spec §4.1); the case counts are empty. */
    @Override
    public FusionResult fuse(LoraAdapter previous, LoraAdapter current, List<SkillUnit> units,
                             Map<String, Double> p, Map<String, Double> c) {
        FusionInputs.checkCompatible(previous, current);
        // Every parameter gets λ: one matrix-level unit per A and B covers them all.
        List<SkillUnit> all = SkillUnit.matrixLevel(current);
        Map<String, Double> w = new HashMap<>();
        all.forEach(u -> w.put(u.id(), lambda));
        LoraAdapter fused = Mixer.mix(previous, current, all, w);
        return new FusionResult(fused, Map.of(), Double.NaN);
    }
}
