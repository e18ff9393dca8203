package io.kif4j.cli;

import io.kif4j.transformer.LanguageModel;
import io.kif4j.transformer.ModelInputs;
import io.kif4j.transformer.llama.LlamaModel;
import io.kif4j.transformer.t5.T5Model;

import java.util.Arrays;
import java.util.Random;

/**
 * What {@code kif bench --mode generate} and {@code --mode rank} time: greedy generation with the KV cache (no
 * stopping at EOS, so every row gets exactly the requested new tokens), and label ranking as the evaluator's
 * rank-labels scoring does it: each prompt through the model once, then every label against its cached keys and
 * values (LLaMA) or its encoder output (T5).
 */
final class BenchInference {

    private BenchInference() {
    }

    /** Random prompts [batch][len], tokens 3..V−1, no padding. */
    static int[][] randomIds(Random rnd, int batch, int len, int vocab) {
        int[][] ids = new int[batch][len];
        for (int[] row : ids) {
            for (int i = 0; i < len; i++) {
                row[i] = 3 + rnd.nextInt(vocab - 3);
            }
        }
        return ids;
    }

    /** One greedy generation of exactly {@code newTokens} tokens per row; returns the number generated. */
    static long generate(LanguageModel model, int[][] prompts, int newTokens) {
        int[][] gen = model.generate(ModelInputs.of(prompts), newTokens, false).newTokens();
        return Arrays.stream(gen).mapToLong(r -> r.length).sum();
    }

    /**
     * Ranks {@code labels[e]} for every example e by their log-likelihood given prompt e, the evaluator's way;
     * returns the index of the best label per example.
     *
     * @param labels [E][L][len]: each example's candidate labels (for T5 the decoder targets, EOS included)
     */
    static int[] rank(LanguageModel model, int[][] prompts, int[][][] labels) {
        int examples = prompts.length;
        boolean[][][] counted = new boolean[examples][][];
        for (int e = 0; e < examples; e++) {
            counted[e] = new boolean[labels[e].length][];
            for (int l = 0; l < labels[e].length; l++) {
                counted[e][l] = new boolean[labels[e][l].length];
                Arrays.fill(counted[e][l], true);
            }
        }
        double[][] ll = model instanceof LlamaModel llama ? llama.continuationLogLikelihoods(prompts, labels, counted)
                : ((T5Model) model).labelLogLikelihoods(prompts, ModelInputs.of(prompts).attentionMask(), labels, counted);
        int[] best = new int[examples];
        for (int e = 0; e < examples; e++) {
            for (int l = 1; l < ll[e].length; l++) {
                if (ll[e][l] > ll[e][best[e]]) {
                    best[e] = l;
                }
            }
        }
        return best;
    }
}
