package io.kif4j.transformer.nn;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.AddOp;

import java.util.List;

/**
 * x + y of two arrays of the same shape (a residual connection, a linear layer plus its adapter term):
 * libnd4j's {@code add} forward and dL/dx = dL/dy = g as the backward. SameDiff's {@code add_bp} takes both
 * inputs only to read their shapes, which keeps them allocated until the backward; here an input nothing else
 * needs is released right after the forward. See {@link FrozenMatMul} for how the op keeps its class in
 * SameDiff's gradient function.
 */
public final class Sum extends KernelOp {

    public static final String OP_NAME = "kif_sum";

    static {
        register(OP_NAME, AddOp.OP_NAME, new Sum());
    }

    /** For SameDiff's copy of the op. */
    public Sum() {
    }

    private Sum(SameDiff sd, SDVariable x, SDVariable y) {
        super(sd, x, y);
    }

    /** x + y, both of the output's shape. */
    public static SDVariable apply(SameDiff sd, SDVariable x, SDVariable y) {
        return new Sum(sd, x, y).outputVariable();
    }

    @Override
    public List<SDVariable> doDiff(List<SDVariable> gradients) {
        SDVariable g = gradients.get(0);
        return List.of(sameDiff.identity(g), sameDiff.identity(g));
    }
}
