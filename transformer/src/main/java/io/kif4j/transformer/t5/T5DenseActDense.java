package io.kif4j.transformer.t5;

import io.kif4j.transformer.nn.Activation;
import io.kif4j.transformer.nn.Graph;
import io.kif4j.transformer.nn.Linear;
import io.kif4j.weights.T5Config;
import org.nd4j.autodiff.samediff.SDVariable;

/** wo(act(wi(x))), as HF's {@code T5DenseActDense}: T5 v1.0 with act = relu. */
final class T5DenseActDense implements T5LayerFF.DenseReluDense {

    private final Graph g;
    private final String act;
    private final Linear wi; // [d_ff, d_model]
    private final Linear wo; // [d_model, d_ff]

    T5DenseActDense(Graph g, String prefix, T5Config c) {
        this.g = g;
        this.act = c.denseActFn();
        wi = new Linear(g, prefix + ".wi", c.dModel(), c.dFf());
        wo = new Linear(g, prefix + ".wo", c.dFf(), c.dModel());
    }

    @Override
    public SDVariable forward(SDVariable x) {
        return wo.forward(Activation.apply(g, act, wi.forward(x)));
    }
}
