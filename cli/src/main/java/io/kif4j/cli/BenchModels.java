package io.kif4j.cli;

import io.kif4j.transformer.LanguageModel;
import io.kif4j.transformer.Models;
import io.kif4j.transformer.RandomWeightSource;
import io.kif4j.transformer.family.Batching;
import io.kif4j.transformer.family.Families;
import io.kif4j.transformer.family.ModelSpec;
import io.kif4j.weights.LlamaConfig;
import io.kif4j.weights.T5Config;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The models {@code kif bench} times: named shapes with random weights, any HF config.json with random weights,
 * or a real model directory.
 */
final class BenchModels {

    private BenchModels() {
    }

    /** T5-small: d_model 512, d_kv 64, d_ff 2048, 6+6 layers, 8 heads, relu, tied, vocab 32128. */
    static final T5Config T5_SMALL = new T5Config(512, 64, 2048, 6, 6, 8, 32, 128, 1e-6, "relu", false, true,
            32128, 0, 1, 0);
    /** T5-base: d_model 768, d_kv 64, d_ff 3072, 12+12 layers, 12 heads, relu, tied, vocab 32128. */
    static final T5Config T5_BASE = new T5Config(768, 64, 3072, 12, 12, 12, 32, 128, 1e-6, "relu", false, true,
            32128, 0, 1, 0);
    /**
     * A small LLaMA of our own choosing (~40M parameters): hidden 512, intermediate 1408, 8 layers, 8 heads with
     * 4 key/value heads, vocab 32000, untied head.
     */
    static final LlamaConfig LLAMA_SMALL = new LlamaConfig(512, 1408, 8, 8, 4, 32000, 1e-5, 10000.0, 2048, false,
            1, 2, -1);

    /** A model and how it was made. */
    record Built(LanguageModel model, String name, ModelSpec<?> spec) {
        /** Encoder-decoder: the batch has a separate target. */
        boolean seq2seq() {
            return spec.family().batching() == Batching.SEQ2SEQ;
        }
    }

    /** {@code t5-small}, {@code t5-base}, {@code llama-small} or a config.json of any supported family. */
    static ModelSpec<?> spec(String name) {
        return switch (name) {
            case "t5-small" -> Families.spec("t5", T5_SMALL);
            case "t5-base" -> Families.spec("t5", T5_BASE);
            case "llama-small" -> Families.spec("llama", LLAMA_SMALL);
            default -> readConfig(Path.of(name));
        };
    }

    /** The model of {@code spec} with random weights. */
    static Built build(ModelSpec<?> spec, String name, long seed) {
        return new Built(spec.build(new RandomWeightSource(spec.stateDictShapes(), seed, 0.05), null), name, spec);
    }

    /** A HuggingFace model directory with its own weights. */
    static Built fromDirectory(Path dir) {
        LanguageModel m = Models.load(dir);
        return new Built(m, dir.toString(), ModelSpec.of(m));
    }

    static ModelSpec<?> readConfig(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("--model-config must be t5-small, t5-base, llama-small or a config.json "
                    + "file; " + file + " is none of these");
        }
        return Families.read(file);
    }

    /**
     * The matmuls that carry most of a training step's arithmetic, as sgemm shapes: the feed-forward's input
     * layer and the vocabulary head (T5: on the decoder's rows), each [rows, in] × [in, out].
     */
    static java.util.List<BenchPeak.Shape> dominantShapes(ModelSpec<?> spec, int batch, int src, int tgt) {
        if (spec.config() instanceof T5Config c) {
            return java.util.List.of(new BenchPeak.Shape((long) batch * src, c.dModel(), c.dFf()),
                    new BenchPeak.Shape((long) batch * tgt, c.dModel(), c.vocabSize()));
        }
        LlamaConfig c = (LlamaConfig) spec.config();
        return java.util.List.of(new BenchPeak.Shape((long) batch * src, c.hiddenSize(), c.intermediateSize()),
                new BenchPeak.Shape((long) batch * src, c.hiddenSize(), c.vocabSize()));
    }
}
