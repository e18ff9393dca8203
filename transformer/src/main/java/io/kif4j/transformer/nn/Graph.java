package io.kif4j.transformer.nn;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.array.ThreadSafeArrayHolder;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What a block needs while it adds itself to a SameDiff graph: the graph, the frozen weights (added as
 * constants under their HF names), the linear-layer hook, and helpers for shapes only known at run time.
 */
public final class Graph {

    public final SameDiff sd;
    public final WeightTable weights;
    public final LinearAdapter adapter;

    private final Map<String, SDVariable> memo = new HashMap<>();

    public Graph(SameDiff sd, WeightTable weights, LinearAdapter adapter) {
        NativeMemory.install();
        // SameDiff's default holders (ThreadSafeArrayHolder in lazy mode) keep a private copy of every constant and
        // variable array "for other devices", even with one device: a second copy of all frozen weights per graph
        // (T5-small: +240 MB). Non-lazy holders store the array itself, which is what the graph used anyway.
        sd.setArrayHolders(new ThreadSafeArrayHolder(false), new ThreadSafeArrayHolder(false), true);
        this.sd = sd;
        this.weights = weights;
        this.adapter = adapter;
    }

    /** A frozen weight as a graph constant named by its HF key. */
    public SDVariable constant(String name, long... shape) {
        if (sd.hasVariable(name)) {
            return sd.getVariable(name);
        }
        return sd.constant(name, weights.take(name, shape));
    }

    /**
     * A value derived once per graph and shared by every block that asks for it under {@code key} (e.g. the
     * run-time shape of an input several adapters read): one op instead of one per caller.
     */
    public SDVariable memo(String key, Supplier<SDVariable> make) {
        SDVariable v = memo.get(key);
        if (v == null) {
            v = make.get();
            memo.put(key, v);
        }
        return v;
    }

    /**
     * A LONG shape vector of {@code rank} entries fed by the host with each batch. Reshapes to run-time sizes
     * read it directly, where {@link #shape} would add a stack op (and size/cast ops) per reshape per step.
     */
    public SDVariable shapePlaceholder(String name, int rank) {
        if (sd.hasVariable(name)) {
            return sd.getVariable(name);
        }
        return sd.placeHolder(name, DataType.LONG, rank);
    }

    /** A LONG scalar constant, for building shape vectors. */
    public SDVariable longScalar(long v) {
        return sd.constant(Nd4j.scalar(DataType.LONG, v));
    }

    /**
     * A shape vector from parts that are either {@code Long}/{@code Integer} constants or LONG scalar variables
     * (sizes known only at run time, from {@link #size}).
     */
    public SDVariable shape(Object... dims) {
        SDVariable[] parts = new SDVariable[dims.length];
        for (int i = 0; i < dims.length; i++) {
            Object d = dims[i];
            parts[i] = d instanceof SDVariable v ? v : longScalar(((Number) d).longValue());
        }
        return sd.stack(0, parts);
    }

    /** The run-time size of {@code x} along {@code dim}, as a LONG scalar. */
    public SDVariable size(SDVariable x, int dim) {
        return sd.castTo(sd.sizeAt(x, dim), DataType.LONG);
    }
}
