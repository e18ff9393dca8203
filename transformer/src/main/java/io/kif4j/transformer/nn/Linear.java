package io.kif4j.transformer.nn;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.custom.XwPlusB;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A bias-free linear layer y = x·Wᵀ (+ the adapter's term), as HF's {@code nn.Linear(bias=False)}.
 *
 * <p>The frozen product runs as {@code xw_plus_b(x, Wᵀ, 0)} with Wᵀ a transposed view of the weight array (no
 * copy; in-place merges into the weight are seen). SameDiff's {@code matmul} backward is one op that always
 * computes both input gradients, so every frozen layer paid for a weight gradient nobody reads (a third of the
 * backward's arithmetic); {@code xw_plus_b}'s backward is separate matmuls per input, and the weight's is never
 * executed because no requested gradient depends on it.
 */
public final class Linear {

    private final Graph g;
    private final String path;
    private final long in;
    private final long out;
    private final SDVariable weightT; // [in, out]: a view of the [out, in] PyTorch-layout array

    public Linear(Graph g, String path, long in, long out) {
        this(g, path, g.constant(path + ".weight", out, in), in, out);
    }

    /**
     * A linear layer whose weight [out, in] is another module's tensor, as a tied output projection
     * ({@code lm_head} reading the embedding); the adapter still sees {@code path}.
     */
    public Linear(Graph g, String path, SDVariable weight, long in, long out) {
        this.g = g;
        this.path = path;
        this.in = in;
        this.out = out;
        INDArray w = weight.getArr();
        if (w == null) {
            throw new IllegalArgumentException("linear layer " + path + " needs a frozen weight with an array");
        }
        String name = weight.name() + ".T";
        this.weightT = g.sd.hasVariable(name) ? g.sd.getVariable(name) : g.sd.constant(name, w.transpose());
    }

    /** x [N, in] → [N, out]. */
    public SDVariable forward(SDVariable x) {
        SDVariable zero = g.memo("zeros:" + out, () -> g.sd.constant(Nd4j.zeros(DataType.FLOAT, out)));
        SDVariable y = new XwPlusB(g.sd, x, weightT, zero).outputVariable();
        SDVariable delta = g.adapter.delta(g, path, x, in, out);
        return delta == null ? y : y.add(delta);
    }
}
