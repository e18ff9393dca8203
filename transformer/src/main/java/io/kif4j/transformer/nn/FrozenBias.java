package io.kif4j.transformer.nn;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.AddOp;

import java.util.Collections;
import java.util.List;

/**
 * y = x + b where b gets no gradient (an attention mask or position bias) and broadcasts to x's shape:
 * libnd4j's {@code add} forward and dL/dx = g as the backward.
 *
 * <p>SameDiff's {@code add_bp} also computes b's gradient and keeps both inputs alive for it; for the attention
 * scores that gradient was an [B, H, T, K] array per layer that nothing consumed, so the session never released
 * it (T5-small: 24 MB per step left to the garbage collector). See {@link FrozenMatMul} for how the op keeps its
 * class in SameDiff's gradient function.
 */
public final class FrozenBias extends KernelOp {

    public static final String OP_NAME = "kif_frozen_bias";

    static {
        register(OP_NAME, AddOp.OP_NAME, new FrozenBias());
    }

    /** For SameDiff's copy of the op. */
    public FrozenBias() {
    }

    private FrozenBias(SameDiff sd, SDVariable x, SDVariable b) {
        super(sd, x, b);
    }

    /** x + b; x must have the output's shape, b gets no gradient. */
    public static SDVariable apply(SameDiff sd, SDVariable x, SDVariable b) {
        return new FrozenBias(sd, x, b).outputVariable();
    }

    @Override
    public List<SDVariable> doDiff(List<SDVariable> gradients) {
        return Collections.singletonList(sameDiff.identity(gradients.get(0)));
    }
}
