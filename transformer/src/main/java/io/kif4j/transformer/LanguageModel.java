package io.kif4j.transformer;

import io.kif4j.transformer.nn.LinearAdapter;
import io.kif4j.transformer.nn.WeightTable;
import org.nd4j.autodiff.samediff.SameDiff;

import java.util.Map;

/** A model of one of the registered families ({@link io.kif4j.transformer.family.Families}), as SameDiff graphs. */
public interface LanguageModel {

    /** config.json's model_type ("t5", "llama", "qwen2", …): the key of its family. */
    String modelType();

    /** Forward pass: logits at every position, and the loss when the batch has labels. */
    ScoreResult score(ModelInputs inputs);

    /**
     * Greedy decoding with a KV cache.
     *
     * @param prompt LLaMA: left-padded prompts with their attention mask; T5: the encoder batch
     */
    GenerationResult generate(ModelInputs prompt, int maxNewTokens, boolean stopAtEos);

    /** The frozen base weights by HF name. */
    WeightTable weights();

    /**
     * Replaces the linear-layer hook (LoRA). Cached graphs built with an adapter of the same
     * {@link LinearAdapter#layout layout} are kept and take this adapter's arrays; others are rebuilt when next
     * needed.
     */
    void setAdapter(LinearAdapter adapter);

    LinearAdapter adapter();

    /**
     * Which base weights (HF names) train in graphs built from now on: {@code Graph.FROZEN} (the default, LoRA
     * only) or {@code Graph.ALL} (full-parameter training). Trainable weights are variables of
     * {@link #trainingGraph()} under their HF names, holding the arrays of {@link #weights()}, so a step on them
     * changes the model. Drops the cached graphs, as {@link #rebuildGraphs} does.
     */
    void setTrainableWeights(java.util.function.Predicate<String> trainable);

    java.util.function.Predicate<String> trainableWeights();

    /** Drops the cached graphs; they are built afresh when next needed (e.g. for a trainer's own loss terms). */
    void rebuildGraphs();

    /** The full-sequence graph with the current adapter; its placeholders are filled by {@link #placeholders}. */
    SameDiff trainingGraph();

    /** Placeholder values for {@link #trainingGraph()} from a batch. */
    Map<String, org.nd4j.linalg.api.ndarray.INDArray> placeholders(ModelInputs inputs);

    int eosTokenId();

    /** The id HF pads with; LLaMA checkpoints without one pad with EOS. */
    int padTokenId();

    int vocabSize();
}
