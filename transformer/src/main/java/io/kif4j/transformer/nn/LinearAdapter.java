package io.kif4j.transformer.nn;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.ndarray.INDArray;

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

    LinearAdapter NONE = new LinearAdapter() {
        @Override
        public SDVariable delta(Graph g, String modulePath, SDVariable x, long in, long out) {
            return null;
        }

        @Override
        public boolean hasLowRankForm() {
            return true;
        }
    };
}
