package io.kif4j.transformer.t5;

import io.kif4j.transformer.nn.Attended;
import io.kif4j.transformer.nn.Graph;
import io.kif4j.transformer.nn.KeyValue;
import io.kif4j.transformer.nn.RmsNorm;
import io.kif4j.transformer.nn.Sum;
import io.kif4j.weights.T5Config;
import org.nd4j.autodiff.samediff.SDVariable;

/** x + SelfAttention(layer_norm(x)), as HF's {@code T5LayerSelfAttention}. */
final class T5LayerSelfAttention {

    private final T5Attention selfAttention;
    private final RmsNorm layerNorm; // weight [d_model]

    private final Graph g;

    T5LayerSelfAttention(Graph g, String prefix, T5Config c, boolean hasRelativeAttentionBias) {
        this.g = g;
        selfAttention = new T5Attention(g, prefix + ".SelfAttention", c, hasRelativeAttentionBias);
        layerNorm = new RmsNorm(g, prefix + ".layer_norm.weight", c.dModel(), c.layerNormEpsilon());
    }

    T5Attention attention() {
        return selfAttention;
    }

    /** @return hidden [B·T, d_model] and this layer's keys/values */
    Attended forward(SDVariable hidden, T5Graph.Dims dims, KeyValue past, SDVariable positionBias) {
        Attended a = selfAttention.selfAttention(layerNorm.forward(hidden), dims, past, positionBias);
        return new Attended(Sum.apply(g.sd, hidden, a.output()), a.cache());
    }
}
