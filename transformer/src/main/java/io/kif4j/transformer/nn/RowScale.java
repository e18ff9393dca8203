package io.kif4j.transformer.nn;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;

import java.util.List;

/**
 * y = x ⊙ r with x [N, d] and a per-row factor r [N, 1], both with gradients (a norm's x·rsqrt(…)): libnd4j's
 * {@code multiply} forward, and a backward of plain ops, dL/dx = g ⊙ r and dL/dr = Σ_j g ⊙ x, instead of SameDiff's
 * broadcasting {@code multiply_bp}, which is slow in libnd4j 1.0.0-M2.1 (see {@link FrozenScale}).
 */
public final class RowScale extends KernelOp {

    public static final String OP_NAME = "kif_row_scale";

    static {
        register(OP_NAME, MulOp.OP_NAME, new RowScale());
    }

    /** For SameDiff's copy of the op. */
    public RowScale() {
    }

    private RowScale(SameDiff sd, SDVariable x, SDVariable r) {
        super(sd, x, r);
    }

    /** x [N, d] ⊙ r [N, 1]. */
    public static SDVariable apply(SameDiff sd, SDVariable x, SDVariable r) {
        return new RowScale(sd, x, r).outputVariable();
    }

    @Override
    public List<SDVariable> doDiff(List<SDVariable> gradients) {
        SDVariable g = gradients.get(0);
        return List.of(sameDiff.math.mul(g, arg(1)), sameDiff.sum(sameDiff.math.mul(g, arg(0)), true, 1));
    }
}
