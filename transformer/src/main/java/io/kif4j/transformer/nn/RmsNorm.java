package io.kif4j.transformer.nn;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * w · x / sqrt(mean(x²) + eps): LLaMA's RMSNorm and T5's layer norm (no mean, no bias) are the same.
 * SameDiff has no RMSNorm op, so it is built from primitives. The reduction axis is the positive 1: a
 * negative axis with keepDims silently returns partly zero output in 1.0.0-M2.1 (pinned in SameDiffQuirksTest).
 */
public final class RmsNorm {

    private final Graph g;
    private final SDVariable scaledWeight; // [hidden]: w·√hidden
    private final double eps;
    private final long hidden;
    private final boolean trains;

    public RmsNorm(Graph g, String weightName, long hidden, double eps) {
        this(g, weightName, hidden, eps, false);
    }

    /** With {@code plusOne} the scale is (1 + w), as Gemma's RMSNorm (its stored weight is an offset from 1). */
    public RmsNorm(Graph g, String weightName, long hidden, double eps, boolean plusOne) {
        this.g = g;
        this.hidden = hidden;
        this.eps = eps;
        // x·rsqrt(Σx²/n + eps)·w = x·rsqrt(Σx² + n·eps)·(w·√n): one op fewer per norm (squared norm instead of
        // square then mean), and the √n folds into a constant next to the frozen weight.
        SDVariable w = g.weight(weightName, hidden);
        this.trains = Graph.trains(w);
        String name = weightName + ".scaled";
        if (trains) {
            this.scaledWeight = (plusOne ? w.add(1.0) : w).mul(Math.sqrt(hidden));
        } else {
            INDArray frozen = w.getArr();
            this.scaledWeight = g.sd.hasVariable(name) ? g.sd.getVariable(name)
                    : g.sd.constant(name, (plusOne ? frozen.add(1.0) : frozen).mul(Math.sqrt(hidden)));
        }
    }

    /** x [N, hidden] → [N, hidden]. */
    public SDVariable forward(SDVariable x) {
        SDVariable sumSq = g.sd.squaredNorm(x, true, 1);                        // [N, 1]
        SDVariable normed = RowScale.apply(g.sd, x, g.sd.math.rsqrt(sumSq.add(hidden * eps)));
        return trains ? normed.mul(scaledWeight) : FrozenScale.apply(g.sd, normed, scaledWeight);
    }
}
