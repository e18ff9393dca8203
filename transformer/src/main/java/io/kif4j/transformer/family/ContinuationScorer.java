package io.kif4j.transformer.family;

/** Σ log p(continuation | prompt) for several continuations of each prompt, each prompt run once. */
@FunctionalInterface
public interface ContinuationScorer {

    /**
     * @param prompts       [P][len_p] prompt ids
     * @param continuations [P][L_p][len] the continuations of each prompt
     * @param counted       same shape as {@code continuations}: which continuation tokens enter the sum
     * @return [P][L_p] log-likelihoods
     */
    double[][] logLikelihoods(int[][] prompts, int[][][] continuations, boolean[][][] counted);
}
