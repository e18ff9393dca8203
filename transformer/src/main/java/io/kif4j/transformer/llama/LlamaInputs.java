package io.kif4j.transformer.llama;

import io.kif4j.transformer.ModelInputs;
import io.kif4j.transformer.nn.CrossEntropy;
import io.kif4j.transformer.nn.GraphNames;
import io.kif4j.weights.LlamaConfig;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.HashMap;
import java.util.Map;

/**
 * Host-side placeholder values for {@link LlamaGraph}: masks as additive biases (in the grouped-query layout),
 * RoPE tables, shape vectors, shifted labels.
 */
final class LlamaInputs {

    /**
     * Added to masked attention scores. HF adds finfo(float32).min; any value that drives exp() to 0 gives the
     * same probabilities, and this one cannot overflow to -inf when a score is added.
     */
    static final float MASKED = -1e9f;

    private LlamaInputs() {
    }

    static Map<String, INDArray> forSequence(ModelInputs in, LlamaRotaryEmbedding rope, LlamaConfig c) {
        int b = in.batchSize();
        int t = in.length();
        int[][] pos = in.positionIds();
        if (pos == null) {
            pos = new int[b][t];
            for (int[] row : pos) {
                for (int i = 0; i < t; i++) {
                    row[i] = i;
                }
            }
        }
        Map<String, INDArray> ph = tokens(in.inputIds(), in.attentionMask(), pos, rope, c);
        if (in.labels() != null) {
            putShiftedLabels(ph, in.labels(), c.vocabSize());
        }
        return ph;
    }

    /**
     * Everything but the labels for T new tokens {@code ids} at {@code positions}, attending to the S keys of
     * {@code keyMask} (S = T without a cache, P + T with one).
     */
    static Map<String, INDArray> tokens(int[][] ids, int[][] keyMask, int[][] positions, LlamaRotaryEmbedding rope,
                                        LlamaConfig c) {
        int b = ids.length;
        int t = ids[0].length;
        int hd = c.headDim();
        int heads = c.numAttentionHeads();
        int kv = c.numKeyValueHeads();
        int groups = c.kvGroups();
        Map<String, INDArray> ph = new HashMap<>();
        ph.put(LlamaGraph.INPUT_IDS, Nd4j.createFromArray(ids));
        ph.put(LlamaGraph.ATTN_BIAS, causalBias(keyMask, t, groups, c.slidingWindow()));
        INDArray[] tables = rope.tables(positions, heads, kv, (float) (1.0 / Math.sqrt(hd)));
        ph.put(LlamaGraph.ROPE_COS, tables[0]);
        ph.put(LlamaGraph.ROPE_SIN, tables[1]);
        ph.put(LlamaGraph.ROPE_COS_K, tables[2]);
        ph.put(LlamaGraph.ROPE_SIN_K, tables[3]);
        ph.put(LlamaGraph.SHAPE_Q, Nd4j.createFromArray(new long[]{b, t, heads, hd}));
        ph.put(LlamaGraph.SHAPE_KV, Nd4j.createFromArray(new long[]{b, t, kv, hd}));
        ph.put(LlamaGraph.SHAPE_LOGITS, Nd4j.createFromArray(new long[]{b, t, c.vocabSize()}));
        if (groups > 1) {
            ph.put(LlamaGraph.SHAPE_GROUPED, Nd4j.createFromArray(new long[]{b, kv, (long) groups * t, hd}));
            ph.put(LlamaGraph.SHAPE_HEADS, Nd4j.createFromArray(new long[]{b, heads, t, hd}));
        }
        return ph;
    }

    /** {@link LlamaGraph#LAST_ROWS} for b sequences of t positions: rows t−1, 2t−1, ... of the [B·T, hidden] states. */
    static void putLastRows(Map<String, INDArray> ph, int b, int t) {
        int[] rows = new int[b];
        for (int r = 0; r < b; r++) {
            rows[r] = r * t + t - 1;
        }
        ph.put(LlamaGraph.LAST_ROWS, Nd4j.createFromArray(rows));
    }

    /**
     * [B, 1, G·T, S] bias for the last T of S positions, causal plus padding keys masked, repeated for the G
     * query heads that share a key/value head (row g·T + q is query q). With a sliding window w (Mistral, 0 for
     * none) query i attends key j only if i − w &lt; j ≤ i, counted in cache slots as HF's eager mask does
     * (left padding included), with and without a KV cache.
     */
    static INDArray causalBias(int[][] keyMask, int t, int groups, int window) {
        int b = keyMask.length;
        int s = keyMask[0].length;
        int offset = s - t;
        int rows = groups * t;
        float[] bias = new float[b * rows * s];
        for (int r = 0; r < b; r++) {
            for (int q = 0; q < t; q++) {
                int base = (r * rows + q) * s;
                for (int k = 0; k < s; k++) {
                    if (k > q + offset || keyMask[r][k] == 0 || (window > 0 && k <= q + offset - window)) {
                        bias[base + k] = MASKED;
                    }
                }
                for (int g = 1; g < groups; g++) {
                    System.arraycopy(bias, base, bias, base + g * t * s, s);
                }
            }
        }
        return Nd4j.create(bias, new long[]{b, 1, rows, s}, 'c');
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
        ph.put(GraphNames.LABEL_WEIGHTS, targets[0]);
        ph.put(GraphNames.LABELS, targets[1]);
    }
}
