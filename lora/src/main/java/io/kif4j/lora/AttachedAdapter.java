package io.kif4j.lora;

import io.kif4j.transformer.LanguageModel;

/**
 * An adapter attached to a model in a stated mode, from {@link Lora#use}: what trainers and evaluators take, so
 * which adapter a model runs with, and whether with dropout, is never hidden state a caller must remember to set.
 *
 * @param mode TRAIN builds graphs with LoRA dropout, EVAL without
 */
public record AttachedAdapter(LanguageModel model, LoraAdapter adapter, Mode mode) {

    public enum Mode {
        TRAIN, EVAL
    }

    /** Re-attaches this adapter in its mode if the model has since been given another adapter or mode. */
    public AttachedAdapter ensure() {
        return Lora.use(model, adapter, mode);
    }

    /**
     * Builds the model's graph now (a fresh adapter makes its arrays then) and checks that a loaded adapter fits the
     * model exactly.
     */
    public AttachedAdapter built() {
        model.trainingGraph();
        adapter.checkAllUsed();
        return this;
    }

    /** Drops the model's cached graphs: a trainer extends the training loss with its own terms on a clean graph. */
    public AttachedAdapter rebuilt() {
        model.rebuildGraphs();
        return this;
    }
}
