package io.kif4j.transformer.t5;

import io.kif4j.transformer.nn.Attended;
import io.kif4j.transformer.nn.Graph;
import io.kif4j.transformer.nn.KeyValue;
import io.kif4j.transformer.nn.RmsNorm;
import io.kif4j.transformer.nn.Sum;
import io.kif4j.weights.T5Config;
import org.nd4j.autodiff.samediff.SDVariable;

/** x + EncDecAttention(layer_norm(x), encoder output), as HF's {@code T5LayerCrossAttention}. */
final class T5LayerCrossAttention {

    private final T5Attention encDecAttention;
    private final RmsNorm layerNorm; // weight [d_model]

    private final Graph g;

    T5LayerCrossAttention(Graph g, String prefix, T5Config c) {
        this.g = g;
        encDecAttention = new T5Attention(g, prefix + ".EncDecAttention", c, false);
        layerNorm = new RmsNorm(g, prefix + ".layer_norm.weight", c.dModel(), c.layerNormEpsilon());
    }

    /** @return hidden [B·T, d_model] and the encoder keys/values of this layer */
    Attended forward(SDVariable hidden, T5Graph.Dims dims, T5Graph.Encoded encoder, KeyValue cached) {
        Attended a = encDecAttention.crossAttention(layerNorm.forward(hidden), dims, encoder.hidden(),
                encoder.dims(), cached, encoder.attnBias());
        return new Attended(Sum.apply(g.sd, hidden, a.output()), a.cache());
    }
}
