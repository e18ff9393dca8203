package io.kif4j.continual.importance;

import io.kif4j.lora.SkillUnit;

/**
 * How a skill unit's element scores s(w) become one number I(u) (spec §3.3, Eq. 6; ../shared/fixtures/README.md
 * §6). A matrix unit has one part (its matrix), a rank-one unit two (row i of A, column i of B); with one part
 * every aggregation is the plain mean.
 */
public enum Aggregation {
    /** Eq. 6 read literally: the mean of s over all of the unit's parameters (equals {@link #POOLED_MEAN}). */
    MEAN,
    /** mean s(B[:, i]) · mean s(A[i, :]): the mean over the d·k entries of b_i a_iᵀ, KIFLoRA's code (§3.3). */
    PRODUCT_OF_MEANS,
    /** mean s(A[i, :]) + mean s(B[:, i]): AdaLoRA/PEFT's combination without the E term (fixtures §6). */
    SUM_OF_MEANS,
    /** (Σ s(A[i, :]) + Σ s(B[:, i])) / (in + out): the fixtures' name for the pooled mean (§6). */
    POOLED_MEAN;

    /** The spec's choice: MEAN for matrix units (KIF), PRODUCT_OF_MEANS for rank-one units (KIFLoRA). */
    public static Aggregation defaultFor(SkillUnit.Kind kind) {
        return kind == SkillUnit.Kind.RANK_ONE ? PRODUCT_OF_MEANS : MEAN;
    }
}
