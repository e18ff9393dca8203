package io.kif4j.transformer.decode;

import org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax;
import org.nd4j.linalg.factory.Nd4j;

/**
 * softmax(q·Kᵀ + bias)·V for one new token per row against a {@link KvCache}, grouped-query aware (HF
 * {@code repeat_kv}: query head h reads key/value head h / G). One matrix-vector call per query head and product:
 * with one token per row these are vectors, and sgemv costs a fraction of a one-row sgemm. Scaling (LLaMA's 1/√hd) is the caller's, folded into q. Masked keys get {@link #MASKED}, as the
 * graph's additive masks; slots past the filled length keep it from the start, so the softmax runs on the
 * fixed [B, kv, G, capacity] array.
 */
final class CachedAttention {

    /** The graph's additive mask value ({@code LlamaInputs.MASKED}, {@code T5Inputs.MASKED}). */
    static final float MASKED = -1e9f;

    private final int batch;
    private final int heads;
    private final int kvHeads;
    private final int groups;
    private final int headDim;
    private final int capacity;
    private final Buf scores; // [B, kv, G, capacity]
    private final Buf probs;

    CachedAttention(int batch, int heads, int kvHeads, int headDim, int capacity) {
        this.batch = batch;
        this.heads = heads;
        this.kvHeads = kvHeads;
        this.groups = heads / kvHeads;
        this.headDim = headDim;
        this.capacity = capacity;
        scores = Buf.zeros(batch, kvHeads, groups, capacity);
        probs = Buf.zeros(batch, kvHeads, groups, capacity);
        for (int i = 0; i < scores.nd.length(); i++) {
            scores.put(i, MASKED);
        }
    }

    /**
     * @param q        [B, heads·hd], the new tokens' queries
     * @param cache    keys/values with slots 0..len−1 filled
     * @param len      keys attended: slots 0..len−1
     * @param masked   per row, the slots below len that no query of this step may attend (padding, window), or null
     * @param headBias [heads][≥ len] added to every row's scores (T5's relative position bias), or null
     * @param ctx      out: [B, heads·hd]
     */
    void attend(Buf q, KvCache cache, int len, int[][] masked, float[][] headBias, Buf ctx) {
        int width = heads * headDim;
        for (int b = 0; b < batch; b++) {
            for (int h = 0; h < heads; h++) {   // one matrix-vector product per query head: K[len, hd] · q
                Blas.gemv(false, len, headDim, cache.keys, cache.offset(b, h / groups), q,
                        (long) b * width + (long) h * headDim, scores, row(b, h / groups, h % groups));
            }
        }
        if (headBias != null) {
            for (int b = 0; b < batch; b++) {
                for (int h = 0; h < heads; h++) {
                    int o = row(b, h / groups, h % groups);
                    float[] bias = headBias[h];
                    for (int k = 0; k < len; k++) {
                        scores.put(o + k, scores.get(o + k) + bias[k]);
                    }
                }
            }
        }
        if (masked != null) {
            for (int b = 0; b < batch; b++) {
                for (int slot : masked[b]) {
                    if (slot < len) {
                        for (int h = 0; h < heads; h++) {
                            scores.put(row(b, h / groups, h % groups) + slot, MASKED);
                        }
                    }
                }
            }
        }
        Nd4j.exec(new SoftMax(scores.nd, probs.nd, 3));
        for (int b = 0; b < batch; b++) {
            for (int h = 0; h < heads; h++) {   // V[len, hd]ᵀ · p
                Blas.gemv(true, len, headDim, cache.values, cache.offset(b, h / groups), probs,
                        row(b, h / groups, h % groups), ctx, (long) b * width + (long) h * headDim);
            }
        }
    }

    /** Offset of scores[b, j, g, 0]. */
    private int row(int b, int j, int g) {
        return ((b * kvHeads + j) * groups + g) * capacity;
    }
}
