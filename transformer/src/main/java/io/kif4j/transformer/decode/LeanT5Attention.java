package io.kif4j.transformer.decode;

import io.kif4j.weights.T5Config;

/**
 * HF's {@code T5Attention} for one new decoder token per row: no 1/√d_kv scaling, the position bias (self-attention)
 * or the encoder padding mask (cross-attention) added to the scores. Self-attention writes the new key/value into
 * its cache; cross-attention reads the encoder's keys/values, computed once by the graph's first step.
 */
final class LeanT5Attention {

    private final LeanLinear q;
    private final LeanLinear k; // null for cross-attention
    private final LeanLinear v;
    private final LeanLinear o;
    private final CachedAttention core;
    final KvCache cache;
    private final Buf query;
    private final Buf key;
    private final Buf value;
    private final Buf ctx;

    /**
     * @param cross    cross-attention: keys/values come from {@link #cache} as loaded, not from the new token
     * @param capacity self-attention: cache slots; cross-attention: the encoder length
     */
    LeanT5Attention(DecodeWeights w, String prefix, T5Config c, boolean cross, int batch, int capacity) {
        long inner = c.innerDim();
        q = w.linear(prefix + ".q", c.dModel(), inner, false);
        k = cross ? null : w.linear(prefix + ".k", c.dModel(), inner, false);
        v = cross ? null : w.linear(prefix + ".v", c.dModel(), inner, false);
        o = w.linear(prefix + ".o", inner, c.dModel(), false);
        core = new CachedAttention(batch, c.numHeads(), c.numHeads(), c.dKv(), capacity);
        cache = new KvCache(batch, c.numHeads(), capacity, c.dKv());
        query = Buf.zeros(batch, inner);
        key = cross ? null : Buf.zeros(batch, inner);
        value = cross ? null : Buf.zeros(batch, inner);
        ctx = Buf.zeros(batch, inner);
    }

    /**
     * @param x        normed hidden states [B, d_model]
     * @param slot     self-attention: the new token's slot (keys 0..slot attended); cross: ignored
     * @param masked   per row, slots not attended (the encoder's padding), or null
     * @param headBias [heads][slot + 1]: the relative position bias (self-attention), or null
     * @param out      [B, d_model]
     */
    void forward(Buf x, int slot, int[][] masked, float[][] headBias, Buf out, int batch) {
        q.forward(x, query, batch);
        int len = cache.capacity;
        if (k != null) {
            k.forward(x, key, batch);
            v.forward(x, value, batch);
            cache.put(key, value, slot);
            len = slot + 1;
        }
        core.attend(query, cache, len, masked, headBias, ctx);
        o.forward(ctx, out, batch);
    }
}
