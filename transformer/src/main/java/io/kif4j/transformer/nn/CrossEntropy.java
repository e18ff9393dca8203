package io.kif4j.transformer.nn;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Token cross-entropy, weighted per token, built from primitives: the training objective of spec Eq. 1,
 * −log p_θ(y | x) on the target tokens only, as the mean over labelled tokens (w_i = 1/count, {@link #targets}):
 * Σ_i w_i·(log Σ_v exp(x_iv − m_i) − (x_{i,y_i} − m_i)), with m_i = max_v x_iv.
 *
 * <p>Why not SameDiff's own ops (each pinned in SameDiffQuirksTest): {@code sparseSoftmaxCrossEntropy}'s backward
 * ignores the incoming gradient, so per-token weights (HF's ignore index −100) vanish from the gradient;
 * {@code logSoftmax(x, dim)} breaks gradient creation; {@code logSumExp}'s backward is not max-shifted; and the
 * backward of {@code gather} is a control-flow loop with ops per index (and on a 1-D array it scatters garbage).
 * So the label logit is picked by a product with a one-hot matrix that the graph makes from the label ids
 * ({@code onehot}, no gradient): the host sends N ints instead of an [N, V] float matrix.
 */
public final class CrossEntropy {

    private CrossEntropy() {
    }

    /**
     * @param logits  [N, V]
     * @param weights [N, 1]: w_i (0 where no loss is taken)
     * @param labels  INT [N]: y_i (any valid id where w_i = 0)
     * @param vocab   V
     */
    public static SDVariable weightedSum(SameDiff sd, String name, SDVariable logits, SDVariable weights,
                                         SDVariable labels, int vocab) {
        SDVariable shifted = logits.sub(sd.max(logits, true, 1));                        // [N, V]
        SDVariable logSumExp = sd.math.log(sd.sum(sd.math.exp(shifted), true, 1));      // [N, 1]
        SDVariable onehot = sd.oneHot(labels, vocab, 1, 1.0, 0.0, logits.dataType());   // [N, V], no gradient
        SDVariable picked = sd.sum(shifted.mul(onehot), true, 1);                       // [N, 1]: x_{i,y_i} − m_i
        return sd.sum(name, logSumExp.sub(picked).mul(weights));
    }

    /**
     * The same sum for logits that are a plain product {@code logits = hidden · headᵀ} (an output projection
     * without an adapter term): the label logit is then h_i · head_{y_i}, a dot product with the label's row of
     * the frozen head, gathered by id. No [N, V] one-hot matrix, no [N, V] product with it and none in the
     * backward: two [N, V] arrays fewer while the backward starts, which is where a step's memory peaks. The
     * row gather reads a constant, so it is not on the gradient path (no gather backward).
     * Σ_i w_i·(m_i + log Σ_v exp(x_iv − m_i) − h_i·head_{y_i}).
     *
     * @param logits [N, V] = hidden · headᵀ
     * @param hidden [N, d]
     * @param head   [V, d], a constant
     */
    public static SDVariable weightedSumOfProduct(SameDiff sd, String name, SDVariable logits, SDVariable hidden,
                                                  SDVariable head, SDVariable weights, SDVariable labels) {
        SDVariable max = sd.max(logits, true, 1);                                                  // [N, 1]
        SDVariable logSumExp = sd.math.log(sd.sum(sd.math.exp(logits.sub(max)), true, 1)).add(max); // [N, 1]
        SDVariable picked = sd.sum(hidden.mul(sd.gather(head, labels, 0)), true, 1);               // [N, 1]: x_{i,y_i}
        return sd.sum(name, logSumExp.sub(picked).mul(weights));
    }

    /** As {@link #weightedSum(SameDiff, String, SDVariable, SDVariable, SDVariable, int)} for logits of known shape. */
    public static SDVariable weightedSum(SameDiff sd, String name, SDVariable logits, SDVariable weights,
                                         SDVariable labels) {
        long[] shape = logits.getShape();
        if (shape == null || shape.length != 2 || shape[1] < 1) {
            throw new IllegalArgumentException("the vocabulary size is not known from the logits' shape; pass it");
        }
        return weightedSum(sd, name, logits, weights, labels, (int) shape[1]);
    }

    /**
     * Host side: {weights [N, 1], label ids INT [N]} with w = 1/count for labels ≠ −100 (HF's mean) and 0
     * elsewhere, where the id is 0.
     */
    public static INDArray[] targets(int[] labels, int vocab) {
        float[] w = new float[labels.length];
        int[] index = new int[labels.length];
        int count = 0;
        for (int label : labels) {
            if (label != -100) {
                count++;
            }
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] != -100) {
                if (labels[i] < 0 || labels[i] >= vocab) {
                    throw new IllegalArgumentException("label " + labels[i] + " outside the vocabulary of " + vocab);
                }
                w[i] = 1f / count;
                index[i] = labels[i];
            }
        }
        return new INDArray[]{Nd4j.create(w, new long[]{labels.length, 1}, 'c'), Nd4j.createFromArray(index)};
    }
}
