package io.kif4j.transformer.nn;

import org.nd4j.autodiff.samediff.SDVariable;

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

    LinearAdapter NONE = (g, path, x, in, out) -> null;
}
