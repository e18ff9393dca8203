package io.kif4j.transformer.t5;

import io.kif4j.transformer.nn.Activation;
import io.kif4j.transformer.nn.Graph;
import io.kif4j.transformer.nn.Linear;
import io.kif4j.weights.T5Config;
import org.nd4j.autodiff.samediff.SDVariable;

/** wo(act(wi_0(x)) · wi_1(x)), as HF's {@code T5DenseGatedActDense}: T5 v1.1/Flan with act = gelu_new. */
final class T5DenseGatedActDense implements T5LayerFF.DenseReluDense {

    private final Graph g;
    private final String act;
    private final Linear wi0; // [d_ff, d_model]
    private final Linear wi1; // [d_ff, d_model]
    private final Linear wo;  // [d_model, d_ff]

    T5DenseGatedActDense(Graph g, String prefix, T5Config c) {
        this.g = g;
        this.act = c.denseActFn();
        wi0 = new Linear(g, prefix + ".wi_0", c.dModel(), c.dFf());
        wi1 = new Linear(g, prefix + ".wi_1", c.dModel(), c.dFf());
        wo = new Linear(g, prefix + ".wo", c.dFf(), c.dModel());
    }

    @Override
    public SDVariable forward(SDVariable x) {
        SDVariable hiddenGelu = Activation.apply(g, act, wi0.forward(x));
        SDVariable hiddenLinear = wi1.forward(x);
        return wo.forward(hiddenGelu.mul(hiddenLinear));
    }
}
