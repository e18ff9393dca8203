package io.kif4j.transformer.family;

import com.fasterxml.jackson.databind.JsonNode;
import io.kif4j.transformer.LanguageModel;
import io.kif4j.weights.HfModelDir;
import io.kif4j.weights.WeightSource;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Everything kif4j knows about one HF architecture, keyed by config.json's {@code model_type}: how to read its
 * config, build its graphs, batch for it, which run settings suit it, and what a training step costs. Every
 * "which family is this" question in the project is asked here; a new family is one implementation plus one line
 * in {@link Families}.
 *
 * @param <C> the family's config record
 */
public interface Family<C> {

    /** config.json's {@code model_type}. */
    String modelType();

    /** The config record, refusing (one line naming the file and field) what this family does not implement. */
    C config(Path configFile, JsonNode json);

    /** The config a model of this family was built from. */
    C config(LanguageModel model);

    /** A model over any weights with HF's state-dict names (a checkpoint, or random ones for benchmarks). */
    LanguageModel build(C config, WeightSource weights, HfModelDir dir);

    /** The tensors HF's {@code save_pretrained} writes for {@code config}, by name, with their shapes. */
    Map<String, long[]> stateDictShapes(C config);

    /** How examples become model inputs. */
    Batching batching();

    /** The run settings that suit this family when the user gives none. */
    RunDefaults runDefaults();

    /** Log-likelihoods of label continuations with each prompt run once, when the family has it. */
    default Optional<ContinuationScorer> continuationScorer(LanguageModel model) {
        return Optional.empty();
    }

    /**
     * Floating-point operations of one LoRA training step (forward, and backward into the activations and the
     * LoRA matrices; frozen weights get no gradient): 2·m·n·k per matmul, element-wise work ignored.
     *
     * @param tgt target length (encoder-decoder only)
     * @param lora per linear module name (q, q_proj, …): does it carry a rank-r adapter
     */
    double stepFlops(C config, int batch, int src, int tgt, int r, Predicate<String> lora);

    /**
     * Floats alive at the peak of one training step on a batch, beyond the weights: activations kept for the
     * backward, the logits and their gradient. An upper estimate for memory planning, not a measurement.
     */
    long activationFloats(C config, int batch, int src, int tgt);
}
