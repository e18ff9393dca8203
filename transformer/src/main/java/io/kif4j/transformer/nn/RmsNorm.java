package io.kif4j.transformer.nn;

import org.nd4j.autodiff.samediff.SDVariable;

/**
 * w · x / sqrt(mean(x²) + eps): LLaMA's RMSNorm and T5's layer norm (no mean, no bias) are the same.
 * SameDiff has no RMSNorm op, so it is built from primitives. The reduction axis is the positive 1: a
 * negative axis with keepDims silently returns partly zero output in 1.0.0-M2.1 (pinned in SameDiffQuirksTest).
 */
public final class RmsNorm {

    private final Graph g;
    private final SDVariable weight; // [hidden]
    private final double eps;

    public RmsNorm(Graph g, String weightName, long hidden, double eps) {
        this.g = g;
        this.weight = g.constant(weightName, hidden);
        this.eps = eps;
    }

    /** x [N, hidden] → [N, hidden]. */
    public SDVariable forward(SDVariable x) {
        SDVariable variance = g.sd.mean(x.mul(x), true, 1);
        return x.mul(g.sd.math.rsqrt(variance.add(eps))).mul(weight);
    }
}
