package io.kif4j.transformer.t5;

import io.kif4j.transformer.nn.Attended;
import io.kif4j.transformer.nn.Graph;
import io.kif4j.transformer.nn.KeyValue;
import io.kif4j.transformer.nn.Linear;
import io.kif4j.weights.T5Config;
import org.nd4j.autodiff.samediff.SDVariable;

/**
 * Multi-head attention as HF's {@code T5Attention}: bias-free q/k/v/o of inner size num_heads·d_kv (which need
 * not equal d_model), scores q·kᵀ with <b>no</b> 1/√d_kv scaling, plus an additive position bias that also
 * carries the mask. Only block 0 of a stack owns {@code relative_attention_bias}; its {@link #computeBias} is
 * shared by every layer of that stack. Cross-attention ({@code EncDecAttention}) has no position bias.
 */
final class T5Attention {

    private final Graph g;
    private final int numHeads;
    private final int dKv;
    private final Linear q; // [num_heads·d_kv, d_model]
    private final Linear k; // [num_heads·d_kv, d_model]
    private final Linear v; // [num_heads·d_kv, d_model]
    private final Linear o; // [d_model, num_heads·d_kv]
    private final SDVariable relativeAttentionBias; // [num_buckets, num_heads], block 0 only, else null

    T5Attention(Graph g, String prefix, T5Config c, boolean hasRelativeAttentionBias) {
        this.g = g;
        this.numHeads = c.numHeads();
        this.dKv = c.dKv();
        long inner = c.innerDim();
        q = new Linear(g, prefix + ".q", c.dModel(), inner);
        k = new Linear(g, prefix + ".k", c.dModel(), inner);
        v = new Linear(g, prefix + ".v", c.dModel(), inner);
        o = new Linear(g, prefix + ".o", inner, c.dModel());
        relativeAttentionBias = hasRelativeAttentionBias
                ? g.weight(prefix + ".relative_attention_bias.weight", c.relativeAttentionNumBuckets(), c.numHeads())
                : null;
    }

    /**
     * HF's {@code _relative_position_bucket} for one offset {@code key_pos − query_pos}: bidirectional (encoder)
     * spends half the buckets on positive offsets; unidirectional (decoder) maps every future offset to 0. Exact
     * buckets below max_exact, then logarithmic ones up to max_distance, computed in float32 and truncated toward
     * zero as HF does.
     */
    static int relativePositionBucket(int relativePosition, boolean bidirectional, int numBuckets, int maxDistance) {
        int bucket = 0;
        int n = numBuckets;
        int distance;
        if (bidirectional) {
            n /= 2;
            if (relativePosition > 0) {
                bucket += n;
            }
            distance = Math.abs(relativePosition);
        } else {
            distance = -Math.min(relativePosition, 0);
        }
        int maxExact = n / 2;
        if (distance < maxExact) {
            return bucket + distance;
        }
        float logRatio = (float) Math.log((float) distance / (float) maxExact);
        float scaled = logRatio / (float) Math.log((double) maxDistance / maxExact) * (float) (n - maxExact);
        int large = maxExact + (int) scaled;
        return bucket + Math.min(large, n - 1);
    }

    /**
     * HF's {@code compute_bias}, with the bucket indices computed on the host ({@link T5Inputs}).
     *
     * @param buckets INT [T, K]
     * @return [1, num_heads, T, K]
     */
    SDVariable computeBias(SDVariable buckets) {
        if (relativeAttentionBias == null) {
            throw new IllegalStateException("only block 0 has a relative attention bias");
        }
        SDVariable values;                                                   // [T, K, num_heads]
        if (io.kif4j.transformer.nn.Graph.trains(relativeAttentionBias)) {
            long buckets1 = relativeAttentionBias.getShape()[0];
            SDVariable flat = g.rows(relativeAttentionBias, g.sd.reshape(buckets, -1), buckets1); // [T·K, num_heads]
            values = g.sd.reshape(flat, g.shape(g.size(buckets, 0), g.size(buckets, 1), (long) numHeads));
        } else {
            values = g.sd.gather(relativeAttentionBias, buckets, 0);
        }
        return g.sd.expandDims(g.sd.permute(values, 2, 0, 1), 0);
    }

    /**
     * Self-attention; with a cache, the new keys and values are appended to it.
     *
     * @param hidden       [B·T, d_model]
     * @param past         [B, num_heads, P, d_kv] each, or null
     * @param positionBias added to the scores [B, num_heads, T, P+T]: position bias and mask
     * @return the output [B·T, d_model] and the keys/values [B, num_heads, P+T, d_kv] to cache
     */
    Attended selfAttention(SDVariable hidden, T5Graph.Dims dims, KeyValue past, SDVariable positionBias) {
        SDVariable key = heads(k.forward(hidden), dims);
        SDVariable value = heads(v.forward(hidden), dims);
        if (past != null) {
            key = g.sd.concat(2, past.key(), key);
            value = g.sd.concat(2, past.value(), value);
        }
        return attend(hidden, dims, key, value, positionBias);
    }

    /**
     * Cross-attention over the encoder output; its keys and values depend only on the encoder, so a decoding
     * loop computes them once and passes them back as {@code cached}.
     *
     * @param encoderHidden [B·S, d_model], or null when {@code cached} is given
     * @param cached        [B, num_heads, S, d_kv] each, or null
     * @param mask          added to the scores [B, num_heads, T, S]: the encoder padding mask
     */
    Attended crossAttention(SDVariable hidden, T5Graph.Dims dims, SDVariable encoderHidden,
                                    T5Graph.Dims encoderDims, KeyValue cached, SDVariable mask) {
        SDVariable key;
        SDVariable value;
        if (cached != null) {
            key = cached.key();
            value = cached.value();
        } else {
            key = heads(k.forward(encoderHidden), encoderDims);
            value = heads(v.forward(encoderHidden), encoderDims);
        }
        return attend(hidden, dims, key, value, mask);
    }

    private Attended attend(SDVariable hidden, T5Graph.Dims dims, SDVariable key, SDVariable value,
                                    SDVariable bias) {
        SDVariable query = heads(q.forward(hidden), dims);                          // [B, H, T, d_kv]
        SDVariable raw = g.sd.mmul(query, key, false, true, false);                 // [B, H, T, K], unscaled
        // FrozenBias passes no gradient to the bias: only right while the position bias is frozen.
        SDVariable scores = g.anyTrainable() ? raw.add(bias) : io.kif4j.transformer.nn.FrozenBias.apply(g.sd, raw, bias);
        SDVariable weights = g.softmax(scores, 3);
        SDVariable ctx = g.sd.mmul(weights, value);                                 // [B, H, T, d_kv]
        ctx = g.sd.permute(ctx, 0, 2, 1, 3);                                        // [B, T, H, d_kv]
        ctx = g.sd.reshape(ctx, -1, (long) numHeads * dKv);
        return new Attended(o.forward(ctx), new KeyValue(key, value));
    }

    /** [B·T, H·d_kv] → [B, H, T, d_kv] (HF's {@code shape}). */
    private SDVariable heads(SDVariable x, T5Graph.Dims dims) {
        SDVariable r = g.sd.reshape(x, dims.heads());
        return g.sd.permute(r, 0, 2, 1, 3);
    }
}
