package io.kif4j.transformer.nn;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

import java.util.Collections;
import java.util.List;

/**
 * max(x, 0): libnd4j's {@code relu} kernel forward, and a backward of two plain element-wise ops,
 * dL/dx = g ⊙ step(x). SameDiff's {@code relu} backward is {@code thresholdedrelu_bp}, which took 38 ms on a
 * [1024, 2048] array in libnd4j 1.0.0-M2.1 (T5-small's feed-forward: 224 ms per step). See {@link FrozenMatMul}
 * for how the op keeps its class in SameDiff's gradient function.
 */
public final class Relu extends KernelOp {

    public static final String OP_NAME = "kif_relu";

    static {
        register(OP_NAME, "relu", new Relu());
    }

    /** For SameDiff's copy of the op. */
    public Relu() {
    }

    private Relu(SameDiff sd, SDVariable x) {
        super(sd, x);
        addTArgument(0.0); // the threshold
    }

    public static SDVariable apply(SameDiff sd, SDVariable x) {
        return new Relu(sd, x).outputVariable();
    }

    @Override
    public List<SDVariable> doDiff(List<SDVariable> gradients) {
        return Collections.singletonList(sameDiff.math.mul(gradients.get(0), sameDiff.math.step(arg(), 0.0)));
    }
}
