package io.kif4j.transformer.nn;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ops.CustomOpDescriptor;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.AddOp;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * libnd4j's {@code add} kernel under an op name of our own, so that a subclass's backward survives SameDiff's copy
 * into the gradient function (see {@link FrozenMatMul}). Subclasses give the name and the backward.
 */
abstract class KernelAddOp extends AddOp {

    KernelAddOp() {
    }

    KernelAddOp(SameDiff sd, SDVariable x, SDVariable y) {
        super(sd, x, y);
    }

    @Override
    public abstract String opName();

    /** {@code add} has no properties; the default looks up an IR descriptor by op name, which has none. */
    @Override
    public Map<String, Object> propertiesForFunction() {
        return new LinkedHashMap<>();
    }

    @Override
    public long opHash() {
        return getDescriptor().getHash();
    }

    @Override
    public CustomOpDescriptor getDescriptor() {
        return FrozenMatMul.kernel(AddOp.OP_NAME);
    }
}
