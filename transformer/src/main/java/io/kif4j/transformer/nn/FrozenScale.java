package io.kif4j.transformer.nn;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;

import java.util.Collections;
import java.util.List;

/**
 * y = x ⊙ s where s gets no gradient (a frozen norm weight, a dropout mask) and broadcasts to x's shape:
 * libnd4j's {@code multiply} forward, and a backward that is one {@code multiply}, dL/dx = g ⊙ s.
 *
 * <p>SameDiff's {@code multiply_bp} computes both inputs' gradients, with a reduction over the broadcast axes for
 * the smaller one, and is slow in libnd4j 1.0.0-M2.1 (T5-small: 40 of them took 590 ms of a 4 s step).
 * See {@link FrozenMatMul} for how the op keeps its class in SameDiff's gradient function.
 */
public final class FrozenScale extends KernelOp {

    public static final String OP_NAME = "kif_frozen_scale";

    static {
        register(OP_NAME, MulOp.OP_NAME, new FrozenScale());
    }

    /** For SameDiff's copy of the op. */
    public FrozenScale() {
    }

    private FrozenScale(SameDiff sd, SDVariable x, SDVariable s) {
        super(sd, x, s);
    }

    /** x ⊙ s; x must have the output's shape, s gets no gradient. */
    public static SDVariable apply(SameDiff sd, SDVariable x, SDVariable s) {
        return new FrozenScale(sd, x, s).outputVariable();
    }

    @Override
    public List<SDVariable> doDiff(List<SDVariable> gradients) {
        return Collections.singletonList(sameDiff.math.mul(gradients.get(0), arg(1)));
    }
}
