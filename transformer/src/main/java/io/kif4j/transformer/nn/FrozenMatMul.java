package io.kif4j.transformer.nn;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.imports.converters.ImportClassMapping;
import org.nd4j.linalg.api.ops.CustomOpDescriptor;
import org.nd4j.linalg.api.ops.impl.reduce.Mmul;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Collections;
import java.util.List;

/**
 * y = x·Wᵀ for a frozen weight W [out, in]: libnd4j's {@code matmul} forward, and a backward that computes only
 * the input's gradient, dL/dx = g·W.
 *
 * <p>SameDiff's {@code matmul} backward is a single {@code matmul_bp} op that always computes the gradients of
 * both inputs, so every frozen linear layer also paid for a weight gradient nobody reads (a third of a step's
 * matrix arithmetic), and kept its input x alive for it until the backward. Here the backward is one plain
 * {@code matmul}; x is not an input of it, so it is released as soon as the forward no longer needs it.
 *
 * <p>The op runs libnd4j's {@code matmul} kernel (its hash and descriptor), under a name of its own, so that
 * SameDiff, which copies every op into the gradient function through FlatBuffers and looks the class up by name,
 * keeps this class and its backward.
 */
public final class FrozenMatMul extends Mmul {

    /** The op name SameDiff sees; the kernel is libnd4j's {@code matmul}. */
    public static final String OP_NAME = "kif_frozen_matmul";
    private static final String KERNEL = "matmul";

    static {
        register(OP_NAME, new FrozenMatMul());
    }

    /**
     * SameDiff copies every op into the gradient function through FlatBuffers and finds the copy's class by op
     * name: ops of these classes run an existing libnd4j kernel under a name of their own, registered here.
     */
    static void register(String name, org.nd4j.autodiff.functions.DifferentialFunction prototype) {
        ImportClassMapping.getOpNameMapping().putIfAbsent(name, prototype);
    }

    /** The descriptor (hash, arguments) of a libnd4j kernel. */
    static CustomOpDescriptor kernel(String name) {
        CustomOpDescriptor d = Nd4j.getExecutioner().getCustomOperations().get(name);
        if (d == null) {
            throw new IllegalStateException("libnd4j has no op '" + name + "'");
        }
        return d;
    }

    /** For SameDiff's copy of the op. */
    public FrozenMatMul() {
    }

    private FrozenMatMul(SameDiff sd, SDVariable x, SDVariable weight) {
        super(sd, x, weight, false, true, false);
    }

    /** x [N, in] · weightᵀ, weight [out, in] frozen (no gradient). */
    public static SDVariable apply(SameDiff sd, SDVariable x, SDVariable weight) {
        return new FrozenMatMul(sd, x, weight).outputVariable();
    }

    @Override
    public String opName() {
        return OP_NAME;
    }

    @Override
    public long opHash() {
        return getDescriptor().getHash();
    }

    @Override
    public CustomOpDescriptor getDescriptor() {
        return kernel(KERNEL);
    }

    /** dL/dx = g·W [N, in]; none for the frozen weight. */
    @Override
    public List<SDVariable> doDiff(List<SDVariable> gradients) {
        return Collections.singletonList(sameDiff.mmul(gradients.get(0), arg(1)));
    }
}
