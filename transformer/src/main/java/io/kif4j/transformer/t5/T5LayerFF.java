package io.kif4j.transformer.t5;

import io.kif4j.transformer.nn.Graph;
import io.kif4j.transformer.nn.RmsNorm;
import io.kif4j.transformer.nn.Sum;
import io.kif4j.weights.T5Config;
import org.nd4j.autodiff.samediff.SDVariable;

/** x + DenseReluDense(layer_norm(x)), as HF's {@code T5LayerFF}. */
final class T5LayerFF {

    /** HF's {@code DenseReluDense} module: {@link T5DenseActDense} or {@link T5DenseGatedActDense}. */
    interface DenseReluDense {
        /** [N, d_model] → [N, d_model]. */
        SDVariable forward(SDVariable x);
    }

    private final DenseReluDense denseReluDense;
    private final RmsNorm layerNorm; // weight [d_model]

    private final Graph g;

    T5LayerFF(Graph g, String prefix, T5Config c) {
        this.g = g;
        denseReluDense = c.isGatedAct()
                ? new T5DenseGatedActDense(g, prefix + ".DenseReluDense", c)
                : new T5DenseActDense(g, prefix + ".DenseReluDense", c);
        layerNorm = new RmsNorm(g, prefix + ".layer_norm.weight", c.dModel(), c.layerNormEpsilon());
    }

    /** [B·T, d_model] → [B·T, d_model]. */
    SDVariable forward(SDVariable hidden) {
        return Sum.apply(g.sd, hidden, denseReluDense.forward(layerNorm.forward(hidden)));
    }
}
