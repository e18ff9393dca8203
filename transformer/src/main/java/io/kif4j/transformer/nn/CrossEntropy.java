package io.kif4j.transformer.nn;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Token cross-entropy, weighted per token, built from primitives:
 * Σ_i w_i·(log Σ_v exp(x_iv − m_i) − (x_{i,y_i} − m_i)), with m_i = max_v x_iv.
 *
 * <p>Why not SameDiff's own ops (each pinned in SameDiffQuirksTest): {@code sparseSoftmaxCrossEntropy}'s backward
 * ignores the incoming gradient, so per-token weights (HF's ignore index −100) vanish from the gradient;
 * {@code logSoftmax(x, dim)} breaks gradient creation; {@code logSumExp}'s backward is not max-shifted; and the
 * backward of {@code gather} on a 1-D array scatters garbage. So the label logit is picked by a product with a
 * host-made matrix that holds w_i at (i, y_i) and 0 elsewhere.
 */
public final class CrossEntropy {

    private CrossEntropy() {
    }

    /**
     * @param logits        [N, V]
     * @param weights       [N]: w_i (0 where no loss is taken)
     * @param weightedLabel [N, V]: w_i at (i, y_i), 0 elsewhere
     */
    public static SDVariable weightedSum(SameDiff sd, String name, SDVariable logits, SDVariable weights,
                                         SDVariable weightedLabel) {
        SDVariable shifted = logits.sub(sd.max(logits, true, 1));
        SDVariable logSumExp = sd.math.log(sd.sum(sd.math.exp(shifted), 1));         // [N]
        SDVariable picked = sd.sum(shifted.mul(weightedLabel));                        // Σ_i w_i (x_{i,y_i} − m_i)
        return sd.sum(logSumExp.mul(weights)).sub(name, picked);
    }

    /**
     * Host side: {weights [N], weightedLabel [N, V]} with w = 1/count for labels ≠ −100 (HF's mean), 0 elsewhere.
     */
    public static INDArray[] targets(int[] labels, int vocab) {
        float[] w = new float[labels.length];
        int count = 0;
        for (int label : labels) {
            if (label != -100) {
                count++;
            }
        }
        float[] onehot = new float[labels.length * vocab];
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] != -100) {
                if (labels[i] < 0 || labels[i] >= vocab) {
                    throw new IllegalArgumentException("label " + labels[i] + " outside the vocabulary of " + vocab);
                }
                w[i] = 1f / count;
                onehot[i * vocab + labels[i]] = w[i];
            }
        }
        return new INDArray[]{Nd4j.createFromArray(w), Nd4j.create(onehot, new long[]{labels.length, vocab}, 'c')};
    }
}
