package io.kif4j.cli;

import io.kif4j.continual.eval.Evaluator;
import io.kif4j.transformer.LanguageModel;
import io.kif4j.transformer.ModelInputs;
import io.kif4j.transformer.llama.LlamaModel;
import io.kif4j.transformer.t5.T5Model;

import java.util.Arrays;
import java.util.Random;

/**
 * What {@code kif bench --mode generate} and {@code --mode rank} time: greedy generation with the KV cache (no
 * stopping at EOS, so every row gets exactly the requested new tokens), and label ranking as the evaluator's
 * rank-labels scoring does it (LLaMA: each prompt once, then every label against its cached keys and values; T5:
 * every (prompt, label) sequence scored whole, in batches of the examples' count).
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
        double[][] ll;
        if (model instanceof LlamaModel llama) {
            boolean[][][] counted = new boolean[examples][][];
            for (int e = 0; e < examples; e++) {
                counted[e] = new boolean[labels[e].length][];
                for (int l = 0; l < labels[e].length; l++) {
                    counted[e][l] = new boolean[labels[e][l].length];
                    Arrays.fill(counted[e][l], true);
                }
            }
            ll = llama.continuationLogLikelihoods(prompts, labels, counted);
        } else {
            ll = t5LogLikelihoods(model, prompts, labels);
        }
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

    /** Every (prompt, label) pair scored whole, batches of E pairs, as {@code Evaluator.fullSequenceLogLikelihoods}. */
    private static double[][] t5LogLikelihoods(LanguageModel model, int[][] prompts, int[][][] labels) {
        int examples = prompts.length;
        int perExample = labels[0].length;
        int pairs = examples * perExample;
        double[][] ll = new double[examples][perExample];
        for (int start = 0; start < pairs; start += examples) {
            int end = Math.min(pairs, start + examples);
            int[][] ids = new int[end - start][];
            int[][] lab = new int[end - start][];
            for (int p = start; p < end; p++) {
                ids[p - start] = prompts[p / perExample];
                lab[p - start] = labels[p / perExample][p % perExample];
            }
            ModelInputs in = ModelInputs.of(ids);
            ModelInputs scored = new ModelInputs(in.inputIds(), in.attentionMask(), null,
                    shiftRight(lab, ((T5Model) model).config().decoderStartTokenId()), null);
            double[] s = Evaluator.sequenceLogLikelihood(model.score(scored).logits(), lab, false);
            for (int p = start; p < end; p++) {
                ll[p / perExample][p % perExample] = s[p - start];
            }
        }
        return ll;
    }

    /** HF's decoder inputs: the start id, then the labels without their last token. */
    private static int[][] shiftRight(int[][] labels, int start) {
        int[][] out = new int[labels.length][];
        for (int r = 0; r < labels.length; r++) {
            out[r] = new int[labels[r].length];
            out[r][0] = start;
            System.arraycopy(labels[r], 0, out[r], 1, labels[r].length - 1);
        }
        return out;
    }
}
