package io.kif4j.transformer.llama;

import io.kif4j.transformer.nn.Graph;
import io.kif4j.transformer.nn.Linear;
import io.kif4j.weights.LlamaConfig;
import org.nd4j.autodiff.samediff.SDVariable;

/**
 * Multi-head attention with grouped-query heads and RoPE, as HF's {@code LlamaAttention} (eager path).
 * Query head h reads key/value head h / kvGroups (HF {@code repeat_kv}).
 */
final class LlamaAttention {

    private final Graph g;
    private final LlamaConfig c;
    private final Linear qProj; // [heads·headDim, hidden]
    private final Linear kProj; // [kvHeads·headDim, hidden]
    private final Linear vProj; // [kvHeads·headDim, hidden]
    private final Linear oProj; // [hidden, heads·headDim]

    LlamaAttention(Graph g, String prefix, LlamaConfig c) {
        this.g = g;
        this.c = c;
        int hd = c.headDim();
        qProj = new Linear(g, prefix + ".q_proj", c.hiddenSize(), (long) c.numAttentionHeads() * hd);
        kProj = new Linear(g, prefix + ".k_proj", c.hiddenSize(), (long) c.numKeyValueHeads() * hd);
        vProj = new Linear(g, prefix + ".v_proj", c.hiddenSize(), (long) c.numKeyValueHeads() * hd);
        oProj = new Linear(g, prefix + ".o_proj", (long) c.numAttentionHeads() * hd, c.hiddenSize());
    }

    /**
     * @param x       [B·T, hidden]
     * @param inputs  the graph inputs (sizes, RoPE tables, mask)
     * @param pastKey [B, kvHeads, P, headDim] or null; likewise pastValue
     * @return {output [B·T, hidden], present key, present value} with the cache grown by T
     */
    SDVariable[] forward(SDVariable x, LlamaGraph.Inputs inputs, SDVariable pastKey, SDVariable pastValue) {
        int hd = c.headDim();
        SDVariable q = heads(qProj.forward(x), c.numAttentionHeads(), inputs);
        SDVariable k = heads(kProj.forward(x), c.numKeyValueHeads(), inputs);
        SDVariable v = heads(vProj.forward(x), c.numKeyValueHeads(), inputs);
        q = rope(q, inputs);
        k = rope(k, inputs);
        if (pastKey != null) {
            k = g.sd.concat(2, pastKey, k);
            v = g.sd.concat(2, pastValue, v);
        }
        SDVariable presentKey = k;
        SDVariable presentValue = v;
        k = repeatKv(k, inputs);
        v = repeatKv(v, inputs);
        SDVariable scores = g.sd.mmul(q, k, false, true, false).mul(1.0 / Math.sqrt(hd)).add(inputs.attnBias());
        SDVariable probs = g.sd.nn.softmax(scores, 3);
        SDVariable ctx = g.sd.mmul(probs, v);                       // [B, H, T, hd]
        ctx = g.sd.permute(ctx, 0, 2, 1, 3);                         // [B, T, H, hd]
        ctx = g.sd.reshape(ctx, -1, (long) c.numAttentionHeads() * hd);
        return new SDVariable[]{oProj.forward(ctx), presentKey, presentValue};
    }

    /** [B·T, n·hd] → [B, n, T, hd]. */
    private SDVariable heads(SDVariable x, int n, LlamaGraph.Inputs in) {
        SDVariable r = g.sd.reshape(x, g.shape(in.batch(), in.length(), (long) n, (long) c.headDim()));
        return g.sd.permute(r, 0, 2, 1, 3);
    }

    /** q·cos + rotate_half(q)·sin. */
    private SDVariable rope(SDVariable x, LlamaGraph.Inputs in) {
        SDVariable flat = g.sd.reshape(x, -1, c.headDim());
        SDVariable rotated = g.sd.reshape(g.sd.mmul(flat, in.rotateHalf()), g.sd.shape(x));
        return x.mul(in.cos()).add(rotated.mul(in.sin()));
    }

    /** [B, kv, S, hd] → [B, kv·groups, S, hd], each kv head repeated for its group of query heads. */
    private SDVariable repeatKv(SDVariable x, LlamaGraph.Inputs in) {
        int groups = c.kvGroups();
        if (groups == 1) {
            return x;
        }
        SDVariable tiled = g.sd.tile(g.sd.expandDims(x, 2), 1, 1, groups, 1, 1);
        return g.sd.reshape(tiled, g.shape(in.batch(), (long) c.numAttentionHeads(), g.size(x, 2), (long) c.headDim()));
    }
}
