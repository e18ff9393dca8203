package io.kif4j.transformer.nn;

import org.nd4j.autodiff.samediff.SameDiff;

/**
 * The names both model graphs (LLaMA's and T5's) give their loss inputs, outputs and decoding caches, so the hosts
 * that feed and read them ({@link GraphModel}, the families' inputs) name each once.
 */
public final class GraphNames {

    /** INT [N]: each position's target id (0 where not counted). */
    public static final String LABELS = "labels";
    /** [N, 1]: 1/count on counted positions, 0 elsewhere. */
    public static final String LABEL_WEIGHTS = "label_weights";
    /** [B, T, vocab]. */
    public static final String LOGITS = "logits";
    /** Scalar: HF's mean cross-entropy over the counted labels. */
    public static final String LOSS = "loss";

    private GraphNames() {
    }

    /** Self-attention keys of layer {@code layer} a decoding step reads (a placeholder). */
    public static String pastKey(int layer) {
        return "past." + layer + ".key";
    }

    public static String pastValue(int layer) {
        return "past." + layer + ".value";
    }

    /** Self-attention keys of layer {@code layer} after this step (an output): the next step's past. */
    public static String presentKey(int layer) {
        return "present." + layer + ".key";
    }

    public static String presentValue(int layer) {
        return "present." + layer + ".value";
    }

    /** Names layer {@code layer}'s keys and values as the graph's present outputs. */
    public static void namePresent(SameDiff sd, int layer, KeyValue present) {
        sd.updateVariableNameAndReference(sd.identity(present.key()), presentKey(layer));
        sd.updateVariableNameAndReference(sd.identity(present.value()), presentValue(layer));
    }
}
