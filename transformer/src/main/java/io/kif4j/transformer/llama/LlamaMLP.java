package io.kif4j.transformer.llama;

import io.kif4j.transformer.nn.Activation;
import io.kif4j.transformer.nn.Graph;
import io.kif4j.transformer.nn.Linear;
import io.kif4j.weights.LlamaConfig;
import org.nd4j.autodiff.samediff.SDVariable;

/**
 * down_proj(act(gate_proj(x)) * up_proj(x)), as HF's {@code LlamaMLP} (act SiLU, optional biases) and
 * {@code GemmaMLP} (act the tanh GELU).
 */
final class LlamaMLP {

    private final Graph g;
    private final String act;
    private final Linear gateProj; // [intermediate, hidden]
    private final Linear upProj;   // [intermediate, hidden]
    private final Linear downProj; // [hidden, intermediate]

    LlamaMLP(Graph g, String prefix, LlamaConfig c) {
        this.g = g;
        this.act = c.hiddenAct();
        gateProj = new Linear(g, prefix + ".gate_proj", c.hiddenSize(), c.intermediateSize(), c.mlpBias());
        upProj = new Linear(g, prefix + ".up_proj", c.hiddenSize(), c.intermediateSize(), c.mlpBias());
        downProj = new Linear(g, prefix + ".down_proj", c.intermediateSize(), c.hiddenSize(), c.mlpBias());
    }

    SDVariable forward(SDVariable x) {
        return downProj.forward(Activation.apply(g, act, gateProj.forward(x)).mul(upProj.forward(x)));
    }
}
