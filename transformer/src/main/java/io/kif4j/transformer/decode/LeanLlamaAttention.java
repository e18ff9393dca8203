package io.kif4j.transformer.decode;

import io.kif4j.weights.LlamaConfig;

/**
 * HF's {@code LlamaAttention} (and Qwen2/Mistral/Gemma's) for one new token per row: q/k/v projections (optional
 * biases, added before RoPE), RoPE in the rotate_half layout with 1/√hd folded into the query's tables as the
 * graph does, the new key/value written into the cache, grouped-query attention over it, o_proj.
 */
final class LeanLlamaAttention {

    private final LeanLinear qProj;
    private final LeanLinear kProj;
    private final LeanLinear vProj;
    private final LeanLinear oProj;
    private final int heads;
    private final int kvHeads;
    private final int headDim;
    final KvCache cache;
    private final CachedAttention core;
    private final Buf q;
    private final Buf k;
    private final Buf v;
    private final Buf ctx;

    LeanLlamaAttention(DecodeWeights w, String prefix, LlamaConfig c, int batch, int capacity, CachedAttention core) {
        heads = c.numAttentionHeads();
        kvHeads = c.numKeyValueHeads();
        headDim = c.headDim();
        long hidden = c.hiddenSize();
        qProj = w.linear(prefix + ".q_proj", hidden, (long) heads * headDim, c.qkvBias());
        kProj = w.linear(prefix + ".k_proj", hidden, (long) kvHeads * headDim, c.qkvBias());
        vProj = w.linear(prefix + ".v_proj", hidden, (long) kvHeads * headDim, c.qkvBias());
        oProj = w.linear(prefix + ".o_proj", (long) heads * headDim, hidden, c.oProjBias());
        cache = new KvCache(batch, kvHeads, capacity, headDim);
        q = Buf.zeros(batch, (long) heads * headDim);
        k = Buf.zeros(batch, (long) kvHeads * headDim);
        v = Buf.zeros(batch, (long) kvHeads * headDim);
        ctx = Buf.zeros(batch, (long) heads * headDim);
        this.core = core;
    }

    /**
     * @param x      normed hidden states [B, hidden]
     * @param rope   this step's tables per row: {cosQ, sinQ, cosK, sinK}, each [B][hd/2]
     * @param slot   the cache slot of the new tokens
     * @param masked per row, the slots below slot + 1 not attended
     * @param out    [B, hidden]
     */
    void forward(Buf x, float[][][] rope, int slot, int[][] masked, Buf out, int batch) {
        qProj.forward(x, q, batch);
        kProj.forward(x, k, batch);
        vProj.forward(x, v, batch);
        rotate(q, heads, rope[0], rope[1], batch);
        rotate(k, kvHeads, rope[2], rope[3], batch);
        cache.put(k, v, slot);
        core.attend(q, cache, slot + 1, masked, null, ctx);
        oProj.forward(ctx, out, batch);
    }

    /** x·cos + rotate_half(x)·sin per head, rotate_half(x) = cat(−x2, x1). */
    private void rotate(Buf x, int n, float[][] cos, float[][] sin, int batch) {
        int half = headDim / 2;
        for (int b = 0; b < batch; b++) {
            float[] cb = cos[b];
            float[] sb = sin[b];
            for (int h = 0; h < n; h++) {
                int o = (b * n + h) * headDim;
                for (int i = 0; i < half; i++) {
                    float x1 = x.get(o + i);
                    float x2 = x.get(o + half + i);
                    x.put(o + i, x1 * cb[i] + -x2 * sb[i]);
                    x.put(o + half + i, x2 * cb[i] + x1 * sb[i]);
                }
            }
        }
    }
}
