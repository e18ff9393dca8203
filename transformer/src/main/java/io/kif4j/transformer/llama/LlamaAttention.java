package io.kif4j.transformer.llama;

import io.kif4j.transformer.nn.Attended;
import io.kif4j.transformer.nn.Graph;
import io.kif4j.transformer.nn.KeyValue;
import io.kif4j.transformer.nn.Linear;
import io.kif4j.weights.LlamaConfig;
import org.nd4j.autodiff.samediff.SDVariable;

/**
 * Multi-head attention with grouped-query heads and RoPE, as HF's {@code LlamaAttention} (eager path), and so
 * also {@code Qwen2Attention} (q/k/v biases, added before RoPE), {@code MistralAttention} (the sliding window
 * lives in the mask, {@link LlamaInputs#causalBias}) and {@code GemmaAttention}. Query head h reads key/value
 * head h / kvGroups (HF {@code repeat_kv}); head_dim may differ from hidden / heads.
 *
 * <p>Built for few ops per step, since SameDiff's cost per op dominates small models:
 * <ul>
 *   <li>RoPE runs on the 2-D projections [B·T, n·hd] before the head split, with host-made cos/sin tables already
 *       tiled over the heads, so its multiplies broadcast nothing (and their backward reduces nothing); the
 *       query tables carry 1/√hd, so the scores need no scaling op.</li>
 *   <li>Grouped-query attention does not repeat keys and values: the G query heads that share a key/value head
 *       are stacked along the time axis, [B, kv, G·T, hd], and attend to [B, kv, S, hd] in one batched matmul.
 *       The mask arrives in the same stacked layout [B, 1, G·T, S].</li>
 *   <li>Reshapes to run-time sizes read host-fed shape vectors ({@link LlamaGraph#SHAPE_Q} etc.).</li>
 * </ul>
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
        qProj = new Linear(g, prefix + ".q_proj", c.hiddenSize(), (long) c.numAttentionHeads() * hd, c.qkvBias());
        kProj = new Linear(g, prefix + ".k_proj", c.hiddenSize(), (long) c.numKeyValueHeads() * hd, c.qkvBias());
        vProj = new Linear(g, prefix + ".v_proj", c.hiddenSize(), (long) c.numKeyValueHeads() * hd, c.qkvBias());
        oProj = new Linear(g, prefix + ".o_proj", (long) c.numAttentionHeads() * hd, c.hiddenSize(), c.oProjBias());
    }

    /**
     * @param x       [B·T, hidden]
     * @param inputs  the graph inputs (RoPE tables, mask, shapes)
     * @param pastKey [B, kvHeads, P, headDim] or null; likewise pastValue
     * @return the output [B·T, hidden] and the keys/values attended to, the cache grown by T
     */
    Attended forward(SDVariable x, LlamaGraph.Inputs in, SDVariable pastKey, SDVariable pastValue) {
        int hd = c.headDim();
        int heads = c.numAttentionHeads();
        int kv = c.numKeyValueHeads();
        SDVariable q = rope(qProj.forward(x), in.cosQ(), in.sinQ(), in.rotateQ(), heads);   // scaled by 1/√hd
        SDVariable k = rope(kProj.forward(x), in.cosK(), in.sinK(), in.rotateK(), kv);
        SDVariable v = vProj.forward(x);
        q = g.sd.permute(g.sd.reshape(q, in.shapeQ()), 0, 2, 1, 3);                         // [B, H, T, hd]
        k = g.sd.permute(g.sd.reshape(k, in.shapeKv()), 0, 2, 1, 3);                        // [B, kv, T, hd]
        v = g.sd.permute(g.sd.reshape(v, in.shapeKv()), 0, 2, 1, 3);
        if (pastKey != null) {
            k = g.sd.concat(2, pastKey, k);
            v = g.sd.concat(2, pastValue, v);
        }
        boolean grouped = c.kvGroups() > 1;
        if (grouped) {
            q = g.sd.reshape(q, in.shapeGrouped());                                          // [B, kv, G·T, hd]
        }
        SDVariable scores = g.sd.mmul(q, k, false, true, false).add(in.attnBias());
        SDVariable probs = g.softmax(scores, 3);
        SDVariable ctx = g.sd.mmul(probs, v);                                                // [B, kv, G·T, hd]
        if (grouped) {
            ctx = g.sd.reshape(ctx, in.shapeHeads());                                        // [B, H, T, hd]
        }
        ctx = g.sd.reshape(g.sd.permute(ctx, 0, 2, 1, 3), -1, (long) heads * hd);          // [B·T, H·hd]
        return new Attended(oProj.forward(ctx), new KeyValue(k, v));
    }

    /**
     * x·cos + rotate_half(x)·sin on [B·T, n·hd], rotate_half per head: a matmul with a block-diagonal ±1
     * matrix for narrow layers, else per head through a [B·T·n, hd] view.
     */
    private SDVariable rope(SDVariable x, SDVariable cos, SDVariable sin, SDVariable rotate, int n) {
        int hd = c.headDim();
        SDVariable rotated;
        if (LlamaRotaryEmbedding.blockDiagonal(n, hd)) {
            rotated = g.sd.mmul(x, rotate);
        } else {
            rotated = g.sd.reshape(g.sd.mmul(g.sd.reshape(x, -1, hd), rotate), -1, (long) n * hd);
        }
        return x.mul(cos).add(rotated.mul(sin));
    }
}
