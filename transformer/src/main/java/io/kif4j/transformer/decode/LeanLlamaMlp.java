package io.kif4j.transformer.decode;

import io.kif4j.weights.LlamaConfig;

/** down_proj(act(gate_proj(x)) · up_proj(x)), HF's {@code LlamaMLP} / {@code GemmaMLP}. */
final class LeanLlamaMlp {

    private final LeanLinear gateProj;
    private final LeanLinear upProj;
    private final LeanLinear downProj;
    private final String act;
    private final Buf gate;
    private final Buf up;
    private final Buf scratch;

    LeanLlamaMlp(DecodeWeights w, String prefix, LlamaConfig c, int batch) {
        long hidden = c.hiddenSize();
        long inter = c.intermediateSize();
        gateProj = w.linear(prefix + ".gate_proj", hidden, inter, c.mlpBias());
        upProj = w.linear(prefix + ".up_proj", hidden, inter, c.mlpBias());
        downProj = w.linear(prefix + ".down_proj", inter, hidden, c.mlpBias());
        act = c.hiddenAct();
        gate = Buf.zeros(batch, inter);
        up = Buf.zeros(batch, inter);
        scratch = Buf.zeros(batch, inter);
    }

    /** x [B, hidden] → out [B, hidden]. */
    void forward(Buf x, Buf out, int batch) {
        gateProj.forward(x, gate, batch);
        upProj.forward(x, up, batch);
        int n = batch * gateProj.out;
        LeanActivation.apply(act, gate, scratch, n);
        for (int i = 0; i < n; i++) {
            gate.put(i, gate.get(i) * up.get(i));
        }
        downProj.forward(gate, out, batch);
    }
}
