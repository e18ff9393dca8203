package io.kif4j.transformer.nn;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.List;
import java.util.Map;
import java.util.function.BiPredicate;

/**
 * A hook into every linear layer as the graph is built. LoRA implements it to add its low-rank term; the
 * base model uses {@link #NONE}.
 */
public interface LinearAdapter {

    /**
     * The term added to the base output of {@code modulePath} (HF module path such as
     * {@code model.layers.0.self_attn.q_proj}), or null for none.
     *
     * @param x input [N, in]
     */
    SDVariable delta(Graph g, String modulePath, SDVariable x, long in, long out);

    /**
     * Whether {@link #lowRank} describes this adapter's term on every layer as it is now, so that code running
     * layers without a graph (the lean decoder, {@code io.kif4j.transformer.decode}) gives the graph's result.
     * False unless an adapter says otherwise.
     */
    default boolean hasLowRankForm() {
        return false;
    }

    /**
     * The term of {@code modulePath} as evaluation computes it: y += scaling · (x·Aᵀ)·Bᵀ, or null for none. Only
     * meaningful when {@link #hasLowRankForm()}.
     */
    default LowRank lowRank(String modulePath, long in, long out) {
        return null;
    }

    /**
     * @param a       [r, in]
     * @param b       [out, r]
     * @param scaling multiplies the [N, r] product x·Aᵀ, as the graph does
     */
    record LowRank(INDArray a, INDArray b, double scaling) {
    }

    /**
     * What a graph built with an adapter bakes in besides the arrays of the adapter's variables. Two adapters of
     * equal layout build the same graph, so a graph built with one runs the other once it holds the other's arrays
     * ({@link #rebind}): {@link ModelGraphs} keeps its graphs across such a switch.
     *
     * @param variables the adapter's graph variables by name, with their shapes
     * @param settings  everything else the graph's ops depend on (targets, scaling, dropout), compared by equals
     */
    record Layout(Map<String, List<Long>> variables, List<Object> settings) {
    }

    /**
     * This adapter's layout as it is now, or null when unknown (graphs are then rebuilt whenever it is attached).
     * A graph's layout is its adapter's right after the build, since a fresh adapter makes its arrays then.
     */
    default Layout layout() {
        return null;
    }

    /**
     * Hands this adapter's arrays to a graph built with another adapter of equal {@link #layout}:
     * {@code bind.test(variable, array)} puts the array in place of the other's and says whether the graph has that
     * variable.
     */
    default void rebind(BiPredicate<String, INDArray> bind) {
    }

    LinearAdapter NONE = new LinearAdapter() {
        @Override
        public SDVariable delta(Graph g, String modulePath, SDVariable x, long in, long out) {
            return null;
        }

        @Override
        public Layout layout() {
            return new Layout(Map.of(), List.of());
        }

        @Override
        public boolean hasLowRankForm() {
            return true;
        }
    };
}
