package io.kif4j.transformer.llama;

import io.kif4j.transformer.ModelInputs;
import io.kif4j.transformer.nn.CrossEntropy;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.HashMap;
import java.util.Map;

/** Host-side placeholder values for {@link LlamaGraph}: masks as additive biases, RoPE tables, shifted labels. */
final class LlamaInputs {

    /**
     * Added to masked attention scores. HF adds finfo(float32).min; any value that drives exp() to 0 gives the
     * same probabilities, and this one cannot overflow to -inf when a score is added.
     */
    static final float MASKED = -1e9f;

    private LlamaInputs() {
    }

    static Map<String, INDArray> forSequence(ModelInputs in, LlamaRotaryEmbedding rope, int vocab) {
        int b = in.batchSize();
        int t = in.length();
        Map<String, INDArray> ph = new HashMap<>();
        ph.put(LlamaGraph.INPUT_IDS, ids(in.inputIds()));
        ph.put(LlamaGraph.ATTN_BIAS, causalBias(in.attentionMask(), t));
        int[][] pos = in.positionIds();
        if (pos == null) {
            pos = new int[b][t];
            for (int[] row : pos) {
                for (int i = 0; i < t; i++) {
                    row[i] = i;
                }
            }
        }
        INDArray[] cs = rope.cosSin(pos);
        ph.put(LlamaGraph.ROPE_COS, cs[0]);
        ph.put(LlamaGraph.ROPE_SIN, cs[1]);
        if (in.labels() != null) {
            putShiftedLabels(ph, in.labels(), vocab);
        }
        return ph;
    }

    static INDArray ids(int[][] ids) {
        return Nd4j.createFromArray(ids);
    }

    /** [B, 1, T, S] bias for the last T of S positions: causal, plus padding keys masked. */
    static INDArray causalBias(int[][] keyMask, int t) {
        int b = keyMask.length;
        int s = keyMask[0].length;
        int offset = s - t;
        float[] bias = new float[b * t * s];
        for (int r = 0; r < b; r++) {
            for (int q = 0; q < t; q++) {
                int base = (r * t + q) * s;
                for (int k = 0; k < s; k++) {
                    if (k > q + offset || keyMask[r][k] == 0) {
                        bias[base + k] = MASKED;
                    }
                }
            }
        }
        return Nd4j.create(bias, new long[]{b, 1, t, s}, 'c');
    }

    /** Position t predicts label t+1, as HF's shift; the last position and −100 take no loss. */
    static void putShiftedLabels(Map<String, INDArray> ph, int[][] labels, int vocab) {
        int b = labels.length;
        int t = labels[0].length;
        int[] shifted = new int[b * t];
        for (int r = 0; r < b; r++) {
            for (int i = 0; i < t; i++) {
                shifted[r * t + i] = i + 1 < t ? labels[r][i + 1] : -100;
            }
        }
        INDArray[] targets = CrossEntropy.targets(shifted, vocab);
        ph.put(LlamaGraph.LABEL_WEIGHTS, targets[0]);
        ph.put(LlamaGraph.LABELS, targets[1]);
    }
}
