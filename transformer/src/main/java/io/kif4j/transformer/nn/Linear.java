package io.kif4j.transformer.nn;

import org.nd4j.autodiff.samediff.SDVariable;

/**
 * A linear layer y = x·Wᵀ (+ b) (+ the adapter's term), as HF's {@code nn.Linear}; the bias, when there is one,
 * is frozen like the weight (LoRA adds no bias of its own).
 *
 * <p>The frozen product is {@link FrozenMatMul}: libnd4j's {@code matmul} kernel with a backward that computes
 * only dL/dx. (SameDiff's own {@code matmul} backward also computes the frozen weight's gradient; {@code xw_plus_b}
 * avoids that but its forward is slower in 1.0.0-M2.1, see FrozenLinearBenchmark and docs/PERFORMANCE.md.)
 */
public final class Linear {

    private final Graph g;
    private final String path;
    private final long in;
    private final long out;
    private final SDVariable weight; // [out, in], PyTorch layout
    private final SDVariable bias;   // [out] or null
    private boolean adapted;

    public Linear(Graph g, String path, long in, long out) {
        this(g, path, in, out, false);
    }

    /** With {@code bias}, the layer reads {@code path.bias} [out] too. */
    public Linear(Graph g, String path, long in, long out, boolean bias) {
        this(g, path, g.weight(path + ".weight", out, in), bias ? g.weight(path + ".bias", out) : null, in, out);
    }

    /**
     * A linear layer whose weight [out, in] is another module's tensor, as a tied output projection
     * ({@code lm_head} reading the embedding); the adapter still sees {@code path}.
     */
    public Linear(Graph g, String path, SDVariable weight, long in, long out) {
        this(g, path, weight, null, in, out);
    }

    private Linear(Graph g, String path, SDVariable weight, SDVariable bias, long in, long out) {
        this.g = g;
        this.path = path;
        this.in = in;
        this.out = out;
        this.weight = weight;
        this.bias = bias;
    }

    /** The weight [out, in]: a constant, or a variable when it trains. */
    public SDVariable weight() {
        return weight;
    }

    /** Did a {@link #forward} so far add an adapter term (is the output more than x·Wᵀ)? */
    public boolean adapted() {
        return adapted;
    }

    /** x [N, in] → [N, out]. */
    public SDVariable forward(SDVariable x) {
        SDVariable y = Graph.trains(weight) ? g.sd.mmul(x, weight, false, true, false) : FrozenMatMul.apply(g.sd, x, weight);
        if (bias != null) {
            y = Graph.trains(bias) ? y.add(bias) : FrozenBias.apply(g.sd, y, bias);    // [N, out] + [out]
        }
        SDVariable delta = g.adapter.delta(g, path, x, in, out);
        adapted |= delta != null;
        return delta == null ? y : Sum.apply(g.sd, y, delta);
    }
}
