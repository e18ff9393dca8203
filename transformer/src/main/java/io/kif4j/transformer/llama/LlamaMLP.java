package io.kif4j.transformer.llama;

import io.kif4j.transformer.nn.Graph;
import io.kif4j.transformer.nn.Linear;
import io.kif4j.weights.LlamaConfig;
import org.nd4j.autodiff.samediff.SDVariable;

/** down_proj(silu(gate_proj(x)) * up_proj(x)), as HF's {@code LlamaMLP}. */
final class LlamaMLP {

    private final Graph g;
    private final Linear gateProj; // [intermediate, hidden]
    private final Linear upProj;   // [intermediate, hidden]
    private final Linear downProj; // [hidden, intermediate]

    LlamaMLP(Graph g, String prefix, LlamaConfig c) {
        this.g = g;
        gateProj = new Linear(g, prefix + ".gate_proj", c.hiddenSize(), c.intermediateSize());
        upProj = new Linear(g, prefix + ".up_proj", c.hiddenSize(), c.intermediateSize());
        downProj = new Linear(g, prefix + ".down_proj", c.intermediateSize(), c.hiddenSize());
    }

    SDVariable forward(SDVariable x) {
        return downProj.forward(g.sd.nn.swish(gateProj.forward(x)).mul(upProj.forward(x)));
    }
}
