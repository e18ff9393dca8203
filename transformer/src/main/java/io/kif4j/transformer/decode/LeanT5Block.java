package io.kif4j.transformer.decode;

import io.kif4j.weights.T5Config;

/**
 * HF's decoder {@code T5Block}: {@code layer.0} self-attention, {@code layer.1} cross-attention, {@code layer.2}
 * the feed-forward ({@code T5DenseActDense} or {@code T5DenseGatedActDense}), each x + f(layer_norm(x)).
 */
final class LeanT5Block {

    final LeanT5Attention selfAttention;
    final LeanT5Attention encDecAttention;
    private final LeanRmsNorm[] layerNorm = new LeanRmsNorm[3];
    private final LeanLinear wi;  // T5DenseActDense's wi, or the gated form's wi_0
    private final LeanLinear wi1; // the gated form's wi_1, else null
    private final LeanLinear wo;
    private final String act;
    private final Buf normed;
    private final Buf delta;
    private final Buf hidden;     // [B, d_ff]
    private final Buf linear;     // [B, d_ff], gated only
    private final Buf scratch;

    LeanT5Block(DecodeWeights w, String prefix, T5Config c, int batch, int capacity, int encoderLength) {
        for (int i = 0; i < 3; i++) {
            layerNorm[i] = new LeanRmsNorm(w.weight(prefix + ".layer." + i + ".layer_norm.weight", c.dModel()).nd,
                    c.layerNormEpsilon(), false);
        }
        selfAttention = new LeanT5Attention(w, prefix + ".layer.0.SelfAttention", c, false, batch, capacity);
        encDecAttention = new LeanT5Attention(w, prefix + ".layer.1.EncDecAttention", c, true, batch, encoderLength);
        String ff = prefix + ".layer.2.DenseReluDense";
        wi = w.linear(ff + (c.isGatedAct() ? ".wi_0" : ".wi"), c.dModel(), c.dFf(), false);
        wi1 = c.isGatedAct() ? w.linear(ff + ".wi_1", c.dModel(), c.dFf(), false) : null;
        wo = w.linear(ff + ".wo", c.dFf(), c.dModel(), false);
        act = c.denseActFn();
        normed = Buf.zeros(batch, c.dModel());
        delta = Buf.zeros(batch, c.dModel());
        hidden = Buf.zeros(batch, c.dFf());
        linear = c.isGatedAct() ? Buf.zeros(batch, c.dFf()) : null;
        scratch = Buf.zeros(batch, c.dFf());
    }

    /** h [B, d_model] in place. */
    void forward(Buf h, int slot, float[][] positionBias, int[][] encoderPads, int batch) {
        int n = (int) h.nd.length();
        layerNorm[0].forward(h, normed, batch);
        selfAttention.forward(normed, slot, null, positionBias, delta, batch);
        LeanLlamaDecoderLayer.add(h, delta, n);
        layerNorm[1].forward(h, normed, batch);
        encDecAttention.forward(normed, slot, encoderPads, null, delta, batch);
        LeanLlamaDecoderLayer.add(h, delta, n);
        layerNorm[2].forward(h, normed, batch);
        wi.forward(normed, hidden, batch);
        int m = (int) hidden.nd.length();
        LeanActivation.apply(act, hidden, scratch, m);
        if (wi1 != null) {
            wi1.forward(normed, linear, batch);
            for (int i = 0; i < m; i++) {
                hidden.put(i, hidden.get(i) * linear.get(i));
            }
        }
        wo.forward(hidden, delta, batch);
        LeanLlamaDecoderLayer.add(h, delta, n);
    }
}
