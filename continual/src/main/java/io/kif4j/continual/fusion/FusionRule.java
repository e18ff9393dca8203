package io.kif4j.continual.fusion;

import io.kif4j.lora.LoraAdapter;
import io.kif4j.lora.SkillUnit;

import java.util.List;
import java.util.Map;

/**
 * Knowledge fusion (spec §4): the LoRA after task t, θ̃_t, from the fused previous adapter θ̃_{t−1}, the adapter
 * just trained on task t, θ_t, and the skill units' normalised importance scores.
 */
public interface FusionRule {

    /**
     * @param previous θ̃_{t−1}, the fused adapter of the previous task (untouched)
     * @param current  θ_t, trained on task t from θ̃_{t−1} (untouched)
     * @param units    the skill units the scores are for; parameters outside every unit are taken from current
     * @param p        Norm(I(U≤t−1)) by unit id, in [0, 1]
     * @param c        Norm(I(U_t)) by unit id, in [0, 1]
     * @return a new adapter (a copy of {@code current}'s structure) and diagnostics
     */
    FusionResult fuse(LoraAdapter previous, LoraAdapter current, List<SkillUnit> units, Map<String, Double> p,
                      Map<String, Double> c);

    /** A short name for logs and result files. */
    String name();
}
