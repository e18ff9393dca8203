package io.kif4j.continual.fusion;

/** Where {@link AdaptiveSoftMaskFusion} mixes old and new knowledge. */
public enum FusionSpace {
    /** The LoRA factors: row i of A and column i of B, each mixed with the unit's weights (Eq. 17, the paper). */
    FACTORS,
    /**
     * The updates ΔW = Σ_i α_t,i b_i a_iᵀ + α_{t−1},i b̃_i ã_iᵀ, re-factorised to rank r by a truncated SVD. Beyond
     * the paper: mixing factors also mixes cross terms b_i^t ã_iᵀ that neither model had.
     */
    DELTA
}
