package io.kif4j.transformer.family;

import com.fasterxml.jackson.databind.JsonNode;
import io.kif4j.transformer.LanguageModel;
import io.kif4j.transformer.llama.LlamaGraph;
import io.kif4j.transformer.llama.LlamaModel;
import io.kif4j.weights.HfModelDir;
import io.kif4j.common.Json;
import io.kif4j.weights.LlamaConfig;
import io.kif4j.weights.WeightSource;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The families built on LLaMA's blocks ({@link LlamaModel}): they differ only in how config.json is read
 * ({@link LlamaConfig.Defaults}) and in what each refuses.
 */
abstract class DecoderFamily implements Family<LlamaConfig> {

    /** HF module names of a decoder block's linear layers. */
    static final List<String> LINEAR = List.of("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj");

    private static final RunDefaults RUN = new RunDefaults(List.of("q_proj", "v_proj"), LINEAR, "alpaca", "CAUSAL_LM",
            512, 128, "generate", 128);

    private final LlamaConfig.Defaults defaults;

    DecoderFamily(LlamaConfig.Defaults defaults) {
        this.defaults = defaults;
    }

    @Override
    public String modelType() {
        return defaults.modelType();
    }

    @Override
    public LlamaConfig config(Path configFile, JsonNode json) {
        refuse(configFile, json);
        return LlamaConfig.fromJson(configFile, json, defaults);
    }

    /** Family-specific refusals, before the common reading. */
    void refuse(Path configFile, JsonNode json) {
    }

    @Override
    public LlamaConfig config(LanguageModel model) {
        return ((LlamaModel) model).config();
    }

    /**
     * Stops at config.json's EOS, else generation_config.json's (HF's Qwen2Config has no default); pads with
     * config.json's pad id, else generation_config.json's, else EOS (LLaMA-2 has none).
     */
    @Override
    public LanguageModel build(LlamaConfig c, WeightSource weights, HfModelDir dir) {
        int pad = c.padTokenId();
        if (pad < 0 && dir != null) {
            pad = Json.tokenId(dir.generationConfigFile(), dir.generationConfig(), "pad_token_id", -1);
        }
        if (c.eosTokenId() < 0 && dir != null) {
            c = c.withEosTokenId(Json.tokenId(dir.generationConfigFile(), dir.generationConfig(), "eos_token_id", -1));
        }
        return new LlamaModel(c, weights, pad < 0 ? c.eosTokenId() : pad);
    }

    @Override
    public Map<String, long[]> stateDictShapes(LlamaConfig c) {
        return LlamaGraph.stateDictShapes(c);
    }

    @Override
    public Batching batching() {
        return Batching.CAUSAL;
    }

    @Override
    public RunDefaults runDefaults() {
        return RUN;
    }

    @Override
    public Optional<ContinuationScorer> continuationScorer(LanguageModel model) {
        return Optional.of(((LlamaModel) model)::continuationLogLikelihoods);
    }

    @Override
    public double stepFlops(LlamaConfig c, int batch, int src, int tgt, int r, Predicate<String> lora) {
        double h = c.hiddenSize();
        double q = (double) c.numAttentionHeads() * c.headDim();
        double kv = (double) c.numKeyValueHeads() * c.headDim();
        double in = c.intermediateSize();
        double n = (double) batch * src;
        Flops f = new Flops();
        for (int l = 0; l < c.numHiddenLayers(); l++) {
            f.linear(n, h, q, 1, lora.test("q_proj") ? r : 0, 0, 0);
            f.linear(n, h, kv, 2, lora.test("k_proj") ? r : 0, lora.test("v_proj") ? r : 0, 0);
            f.linear(n, q, h, 1, lora.test("o_proj") ? r : 0, 0, 0);
            f.linear(n, h, in, 2, lora.test("gate_proj") ? r : 0, lora.test("up_proj") ? r : 0, 0);
            f.linear(n, in, h, 1, lora.test("down_proj") ? r : 0, 0, 0);
            f.forward += 2 * 2 * n * src * q;                                // scores and context
        }
        f.forward += 2 * n * h * c.vocabSize();
        return f.step();
    }

    /**
     * Per layer, on N = B·T rows: the norm outputs, residuals, attention and MLP outputs (≈ 8 × hidden), q/k/v
     * before and after RoPE (3 × their width), the MLP's gate, up, activation, product and its gradient (5 ×
     * intermediate), and scores, probabilities and their gradient (3 × B·H·T²); then the logits, their softmax
     * and gradients (4 × N·V).
     */
    @Override
    public long activationFloats(LlamaConfig c, int batch, int src, int tgt) {
        long n = (long) batch * src;
        long qkv = (long) (c.numAttentionHeads() + 2L * c.numKeyValueHeads()) * c.headDim();
        long perLayer = n * (8L * c.hiddenSize() + 3 * qkv + 5L * c.intermediateSize())
                + 3L * batch * c.numAttentionHeads() * src * (long) src;
        return c.numHiddenLayers() * perLayer + 4 * n * c.vocabSize();
    }
}
