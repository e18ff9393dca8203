package io.kif4j.transformer.decode;

import io.kif4j.weights.LlamaConfig;

/** Pre-norm attention and MLP with residuals, HF's {@code LlamaDecoderLayer}. */
final class LeanLlamaDecoderLayer {

    private final LeanRmsNorm inputLayernorm;
    final LeanLlamaAttention selfAttn;
    private final LeanRmsNorm postAttentionLayernorm;
    private final LeanLlamaMlp mlp;
    private final Buf normed;
    private final Buf delta;

    LeanLlamaDecoderLayer(DecodeWeights w, String prefix, LlamaConfig c, int batch, int capacity, CachedAttention core) {
        long hidden = c.hiddenSize();
        inputLayernorm = new LeanRmsNorm(w.weight(prefix + ".input_layernorm.weight", hidden).nd, c.rmsNormEps(),
                c.gemmaNorms());
        selfAttn = new LeanLlamaAttention(w, prefix + ".self_attn", c, batch, capacity, core);
        postAttentionLayernorm = new LeanRmsNorm(w.weight(prefix + ".post_attention_layernorm.weight", hidden).nd,
                c.rmsNormEps(), c.gemmaNorms());
        mlp = new LeanLlamaMlp(w, prefix + ".mlp", c, batch);
        normed = Buf.zeros(batch, hidden);
        delta = Buf.zeros(batch, hidden);
    }

    /** h [B, hidden] in place: h += attn(norm(h)); h += mlp(norm(h)). */
    void forward(Buf h, float[][][] rope, int slot, int[][] masked, int batch) {
        int n = (int) h.nd.length();
        inputLayernorm.forward(h, normed, batch);
        selfAttn.forward(normed, rope, slot, masked, delta, batch);
        add(h, delta, n);
        postAttentionLayernorm.forward(h, normed, batch);
        mlp.forward(normed, delta, batch);
        add(h, delta, n);
    }

    static void add(Buf h, Buf d, int n) {
        for (int i = 0; i < n; i++) {
            h.put(i, h.get(i) + d.get(i));
        }
    }
}
