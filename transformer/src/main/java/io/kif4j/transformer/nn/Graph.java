package io.kif4j.transformer.nn;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.autodiff.samediff.array.ThreadSafeArrayHolder;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * What a block needs while it adds itself to a SameDiff graph: the graph, the base weights (under their HF
 * names: constants, or variables for the weights that train), the linear-layer hook, and helpers for shapes only
 * known at run time.
 *
 * <p>Frozen weights take the frozen-op shortcuts ({@link FrozenMatMul}, {@link FrozenScale}, {@link FrozenBias},
 * embeddings and the label logit gathered from a constant); a weight that trains takes SameDiff's ordinary ops,
 * whose backward gives its gradient, and embeddings become one-hot products (a gather on a trainable variable has
 * a per-index loop as backward, and two gathers of one variable break gradients: SameDiffQuirksTest).
 */
public final class Graph {

    /** No base weight trains: the LoRA-only default. */
    public static final Predicate<String> FROZEN = name -> false;
    /** Every base weight trains: full-parameter training. */
    public static final Predicate<String> ALL = name -> true;

    public final SameDiff sd;
    public final WeightTable weights;
    public final LinearAdapter adapter;
    private final Predicate<String> trainable;

    private final Map<String, SDVariable> memo = new HashMap<>();

    public Graph(SameDiff sd, WeightTable weights, LinearAdapter adapter) {
        this(sd, weights, adapter, FROZEN);
    }

    /** @param trainable the HF weight names that train (become graph variables); {@link #FROZEN} for none */
    public Graph(SameDiff sd, WeightTable weights, LinearAdapter adapter, Predicate<String> trainable) {
        NativeMemory.install();
        // SameDiff's default holders (ThreadSafeArrayHolder in lazy mode) keep a private copy of every constant and
        // variable array "for other devices", even with one device: a second copy of all frozen weights per graph
        // (T5-small: +240 MB). Non-lazy holders store the array itself, which is what the graph used anyway.
        sd.setArrayHolders(new ThreadSafeArrayHolder(false), new ThreadSafeArrayHolder(false), true);
        this.sd = sd;
        this.weights = weights;
        this.adapter = adapter;
        this.trainable = trainable;
    }

    /**
     * A base weight named by its HF key: a constant, or a variable when it trains. Either holds the weight
     * table's own array, so an optimizer step on it is the model's new weight.
     */
    public SDVariable weight(String name, long... shape) {
        if (sd.hasVariable(name)) {
            return sd.getVariable(name);
        }
        INDArray w = weights.take(name, shape);
        return trainable.test(name) ? sd.var(name, w) : sd.constant(name, w);
    }

    /** The dtype of the weights and of every floating value in the graph (FLOAT, or DOUBLE for float64 checks). */
    public DataType dataType() {
        return weights.dataType();
    }

    /**
     * A floating input the host feeds as FLOAT (masks, RoPE tables, label weights), in the graph's dtype: the
     * placeholder itself in a FLOAT graph, else cast after it, so hosts feed the same arrays to either.
     */
    public SDVariable floatInput(String name, long... shape) {
        SDVariable in = sd.placeHolder(name, DataType.FLOAT, shape);
        return dataType() == DataType.FLOAT ? in : sd.castTo(in, dataType());
    }

    /**
     * Softmax along {@code dim}. libnd4j's DOUBLE softmax does not subtract the row's max, so a fully masked row
     * (a left-pad query: every score ≈ −1e9) underflows to 0/0 = NaN (SameDiffQuirksTest); graphs in any dtype
     * but FLOAT shift by the max first. FLOAT graphs keep the one op.
     */
    public SDVariable softmax(SDVariable x, int dim) {
        return sd.nn.softmax(dataType() == DataType.FLOAT ? x : x.sub(sd.max(x, true, dim)), dim);
    }

    /** A floating constant in the graph's dtype. */
    public SDVariable floatConstant(String name, INDArray value) {
        return sd.constant(name, value.dataType() == dataType() ? value : value.castTo(dataType()));
    }

    /** The same as {@link #weight}; the name this method had before weights could train. */
    public SDVariable constant(String name, long... shape) {
        return weight(name, shape);
    }

    /** Does any base weight of this graph train? Then ops that would drop a gradient on its path are avoided. */
    public boolean anyTrainable() {
        return trainable != FROZEN;
    }

    /** Is {@code w} a weight that trains (a graph variable, not a constant)? */
    public static boolean trains(SDVariable w) {
        return w.getVariableType() == VariableType.VARIABLE;
    }

    /**
     * Rows of {@code table} [V, d] by id: a gather from a frozen table, a one-hot product [N, V]·[V, d] from a
     * trainable one (see the class comment).
     *
     * @param ids INT [N]
     * @return [N, d]
     */
    public SDVariable rows(SDVariable table, SDVariable ids, long vocab) {
        if (!trains(table)) {
            return sd.gather(table, ids, 0);
        }
        return sd.mmul(sd.oneHot(ids, (int) vocab, 1, 1.0, 0.0, table.dataType()), table);
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
