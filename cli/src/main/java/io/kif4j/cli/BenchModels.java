package io.kif4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.kif4j.transformer.LanguageModel;
import io.kif4j.transformer.Models;
import io.kif4j.transformer.RandomWeightSource;
import io.kif4j.transformer.llama.LlamaGraph;
import io.kif4j.transformer.llama.LlamaModel;
import io.kif4j.transformer.t5.T5Graph;
import io.kif4j.transformer.t5.T5Model;
import io.kif4j.weights.Json;
import io.kif4j.weights.KifInputException;
import io.kif4j.weights.LlamaConfig;
import io.kif4j.weights.T5Config;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The models {@code kif bench} times: named shapes with random weights, any HF config.json with random weights,
 * or a real model directory; and the arithmetic of one training step of each.
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
    record Built(LanguageModel model, String name, Object config) {
        boolean t5() {
            return config instanceof T5Config;
        }
    }

    /** {@code t5-small}, {@code t5-base}, {@code llama-small} or a config.json file; random weights. */
    static Built fromConfig(String spec, long seed) {
        Object config = switch (spec) {
            case "t5-small" -> T5_SMALL;
            case "t5-base" -> T5_BASE;
            case "llama-small" -> LLAMA_SMALL;
            default -> readConfig(Path.of(spec));
        };
        if (config instanceof T5Config c) {
            return new Built(new T5Model(c, new RandomWeightSource(T5Graph.stateDictShapes(c), seed, 0.05)), spec, c);
        }
        LlamaConfig c = (LlamaConfig) config;
        return new Built(new LlamaModel(c, new RandomWeightSource(LlamaGraph.stateDictShapes(c), seed, 0.05),
                c.eosTokenId()), spec, c);
    }

    /** A HuggingFace model directory with its own weights. */
    static Built fromDirectory(Path dir) {
        LanguageModel m = Models.load(dir);
        Object config = m instanceof T5Model t ? t.config() : ((LlamaModel) m).config();
        return new Built(m, dir.toString(), config);
    }

    private static Object readConfig(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("--model-config must be t5-small, t5-base, llama-small or a config.json "
                    + "file; " + file + " is none of these");
        }
        JsonNode node = Json.read(file);
        String type = node.path("model_type").asText("");
        return switch (type) {
            case "t5" -> T5Config.fromJson(file, node);
            case "llama" -> LlamaConfig.fromJson(file, node);
            default -> throw KifInputException.of(file, "model_type '" + type + "' is not llama or t5");
        };
    }

    /**
     * Floating-point operations of one training step (forward, and backward into the activations and the LoRA
     * matrices; frozen weights get no gradient): 2·m·n·k per matmul, attention over the full key length (the
     * causal half is masked, not skipped), element-wise work ignored.
     *
     * @param lora per linear layer: does it carry a rank-r adapter
     */
    static double stepFlops(Object config, int batch, int src, int tgt, int r, java.util.function.Predicate<String> lora) {
        double forward = 0;
        double loraWeightGrads = 0;
        if (config instanceof T5Config c) {
            double d = c.dModel();
            double inner = c.innerDim();
            double ff = c.dFf() * (c.isGatedAct() ? 2 : 1);
            double ns = (double) batch * src;
            double nt = (double) batch * tgt;
            double[] acc = new double[2];
            for (int l = 0; l < c.numLayers(); l++) {
                lin(acc, ns, d, inner, 3, lora.test("q") ? r : 0, lora.test("k") ? r : 0, lora.test("v") ? r : 0);
                lin(acc, ns, inner, d, 1, lora.test("o") ? r : 0, 0, 0);
                forward += 2 * 2 * ns * src * inner;                            // scores and context
                forward += 2 * ns * d * ff + 2 * ns * c.dFf() * d;
            }
            for (int l = 0; l < c.numDecoderLayers(); l++) {
                lin(acc, nt, d, inner, 3, lora.test("q") ? r : 0, lora.test("k") ? r : 0, lora.test("v") ? r : 0);
                lin(acc, nt, inner, d, 1, lora.test("o") ? r : 0, 0, 0);
                forward += 2 * 2 * nt * tgt * inner;
                lin(acc, nt, d, inner, 1, lora.test("q") ? r : 0, 0, 0);      // cross q
                lin(acc, ns, d, inner, 2, lora.test("k") ? r : 0, lora.test("v") ? r : 0, 0); // cross k, v
                lin(acc, nt, inner, d, 1, lora.test("o") ? r : 0, 0, 0);
                forward += 2 * 2 * nt * src * inner;
                forward += 2 * nt * d * ff + 2 * nt * c.dFf() * d;
            }
            forward += 2 * nt * d * c.vocabSize();
            forward += acc[0];
            loraWeightGrads = acc[1];
        } else {
            LlamaConfig c = (LlamaConfig) config;
            double h = c.hiddenSize();
            double q = (double) c.numAttentionHeads() * c.headDim();
            double kv = (double) c.numKeyValueHeads() * c.headDim();
            double in = c.intermediateSize();
            double n = (double) batch * src;
            double[] acc = new double[2];
            for (int l = 0; l < c.numHiddenLayers(); l++) {
                lin(acc, n, h, q, 1, lora.test("q_proj") ? r : 0, 0, 0);
                lin(acc, n, h, kv, 2, lora.test("k_proj") ? r : 0, lora.test("v_proj") ? r : 0, 0);
                lin(acc, n, q, h, 1, lora.test("o_proj") ? r : 0, 0, 0);
                lin(acc, n, h, in, 2, lora.test("gate_proj") ? r : 0, lora.test("up_proj") ? r : 0, 0);
                lin(acc, n, in, h, 1, lora.test("down_proj") ? r : 0, 0, 0);
                forward += 2 * 2 * n * src * q;
            }
            forward += 2 * n * h * c.vocabSize();
            forward += acc[0];
            loraWeightGrads = acc[1];
        }
        // backward into activations costs what the forward did; the LoRA matrices add their weight gradients
        return 2 * forward + loraWeightGrads;
    }

    /**
     * The matmuls that carry most of a training step's arithmetic, as sgemm shapes: the feed-forward's input
     * layer and the vocabulary head (T5: on the decoder's rows), each [rows, in] × [in, out].
     */
    static java.util.List<BenchPeak.Shape> dominantShapes(Object config, int batch, int src, int tgt) {
        if (config instanceof T5Config c) {
            return java.util.List.of(new BenchPeak.Shape((long) batch * src, c.dModel(), c.dFf()),
                    new BenchPeak.Shape((long) batch * tgt, c.dModel(), c.vocabSize()));
        }
        LlamaConfig c = (LlamaConfig) config;
        return java.util.List.of(new BenchPeak.Shape((long) batch * src, c.hiddenSize(), c.intermediateSize()),
                new BenchPeak.Shape((long) batch * src, c.hiddenSize(), c.vocabSize()));
    }

    /** {@code count} linear layers in → out on n rows; adapters of rank r1, r2, r3 on the first ones (0: none). */
    private static void lin(double[] acc, double n, double in, double out, int count, int r1, int r2, int r3) {
        acc[0] += count * 2 * n * in * out;
        for (int r : new int[]{r1, r2, r3}) {
            if (r > 0) {
                acc[0] += 2 * n * r * (in + out);
                acc[1] += 2 * n * r * (in + out);
            }
        }
    }
}
