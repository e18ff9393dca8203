package io.kif4j.transformer.nn;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.common.base.Preconditions;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ops.CustomOpDescriptor;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.shape.Shape;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A libnd4j kernel of one or two inputs under an op name of our own, so that a subclass's backward survives
 * SameDiff's copy into the gradient function (see {@link FrozenMatMul}). Subclasses register their name and
 * kernel ({@link #register}) and give the backward.
 */
abstract class KernelOp extends DynamicCustomOp {

    KernelOp() {
    }

    KernelOp(SameDiff sd, SDVariable... inputs) {
        super(null, sd, inputs);
    }

    /** The op name of a registered class and the libnd4j kernel that runs its forward. */
    private record Registration(String name, String kernel) {
    }

    private static final Map<Class<?>, Registration> REGISTERED = new ConcurrentHashMap<>();

    /**
     * Registers {@code prototype}'s class as op {@code name} running libnd4j's {@code kernel} ({@code add},
     * {@code multiply}, {@code relu}), for SameDiff's copy of the op ({@link FrozenMatMul#register}).
     */
    static void register(String name, String kernel, KernelOp prototype) {
        REGISTERED.put(prototype.getClass(), new Registration(name, kernel));
        FrozenMatMul.register(name, prototype);
    }

    @Override
    public String opName() {
        return REGISTERED.get(getClass()).name();
    }

    /** These kernels have no properties; the default looks up an IR descriptor by op name, which has none. */
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
        return FrozenMatMul.kernel(REGISTERED.get(getClass()).kernel());
    }

    /** One input: its type; two: the pairwise type, as libnd4j's pairwise ops. */
    @Override
    public List<DataType> calculateOutputDataTypes(List<DataType> types) {
        Preconditions.checkState(types != null && (types.size() == 1 || types.size() == 2),
                "%s takes one or two inputs, got %s", opName(), types);
        return List.of(types.size() == 1 ? types.get(0) : Shape.pickPairwiseDataType(types.get(0), types.get(1)));
    }
}
