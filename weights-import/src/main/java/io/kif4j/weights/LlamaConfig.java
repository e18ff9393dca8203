package io.kif4j.weights;

import io.kif4j.common.Json;
import io.kif4j.common.KifInputException;
import com.fasterxml.jackson.databind.JsonNode;

import java.nio.file.Path;
import java.util.List;

/**
 * Hyperparameters of a LLaMA-style decoder from HF's config.json: LLaMA itself and the families that share its
 * blocks (Qwen2, Mistral, Gemma), each read with its own HF config class's defaults ({@link Defaults}).
 *
 * @param headDim        config.json's {@code head_dim} when present, else hidden_size / num_attention_heads
 * @param ropeScaling    null for plain RoPE
 * @param qkvBias        q/k/v projections carry a bias (Qwen2 always; LLaMA with {@code attention_bias})
 * @param oProjBias      o_proj carries a bias (LLaMA with {@code attention_bias})
 * @param mlpBias        gate/up/down projections carry a bias (LLaMA's {@code mlp_bias})
 * @param hiddenAct      the MLP's gate activation, an HF {@code ACT2FN} name
 * @param slidingWindow  0: full causal attention; else query i attends key j iff i − window &lt; j ≤ i (Mistral)
 * @param gemmaNorms     Gemma: RMSNorm scales by (1 + w) and the embeddings are multiplied by √hidden
 * @param padTokenId     -1 when the config has none (LLaMA-2 and stories260K); generation then pads with EOS
 */
public record LlamaConfig(
        String modelType,
        int hiddenSize,
        int intermediateSize,
        int numHiddenLayers,
        int numAttentionHeads,
        int numKeyValueHeads,
        int headDim,
        int vocabSize,
        double rmsNormEps,
        double ropeTheta,
        RopeScaling ropeScaling,
        int maxPositionEmbeddings,
        boolean tieWordEmbeddings,
        boolean qkvBias,
        boolean oProjBias,
        boolean mlpBias,
        String hiddenAct,
        int slidingWindow,
        boolean gemmaNorms,
        int bosTokenId,
        int eosTokenId,
        int padTokenId) {

    /** A plain LLaMA (no biases, SiLU, head_dim = hidden / heads, plain RoPE). */
    public LlamaConfig(int hiddenSize, int intermediateSize, int numHiddenLayers, int numAttentionHeads,
                       int numKeyValueHeads, int vocabSize, double rmsNormEps, double ropeTheta,
                       int maxPositionEmbeddings, boolean tieWordEmbeddings, int bosTokenId, int eosTokenId,
                       int padTokenId) {
        this("llama", hiddenSize, intermediateSize, numHiddenLayers, numAttentionHeads, numKeyValueHeads,
                hiddenSize / numAttentionHeads, vocabSize, rmsNormEps, ropeTheta, null, maxPositionEmbeddings,
                tieWordEmbeddings, false, false, false, "silu", 0, false, bosTokenId, eosTokenId, padTokenId);
    }

    /** Query heads per key/value head (HF {@code num_key_value_groups}). */
    public int kvGroups() {
        return numAttentionHeads / numKeyValueHeads;
    }

    /** The same config with another EOS id (from generation_config.json when config.json has none). */
    public LlamaConfig withEosTokenId(int eos) {
        return new LlamaConfig(modelType, hiddenSize, intermediateSize, numHiddenLayers, numAttentionHeads,
                numKeyValueHeads, headDim, vocabSize, rmsNormEps, ropeTheta, ropeScaling, maxPositionEmbeddings,
                tieWordEmbeddings, qkvBias, oProjBias, mlpBias, hiddenAct, slidingWindow, gemmaNorms, bosTokenId, eos,
                padTokenId);
    }

    /** Gemma multiplies the embedding output by the float32 value of √hidden_size; others by 1. */
    public float embeddingScale() {
        return gemmaNorms ? (float) Math.sqrt(hiddenSize) : 1f;
    }

    /**
     * HF's {@code rope_scaling} of the types implemented: {@code linear} divides every inverse frequency by the
     * factor; {@code llama3} (Llama 3.1/3.2) keeps high frequencies, divides low ones and interpolates between.
     */
    public record RopeScaling(String type, double factor, double lowFreqFactor, double highFreqFactor,
                              int originalMaxPositionEmbeddings) {
        public static final List<String> TYPES = List.of("linear", "llama3");
    }

    /**
     * What one HF config class assumes for keys config.json leaves out (HF writes only non-default values).
     *
     * @param activationField the key naming the MLP activation ({@code hidden_act}; Gemma: {@code hidden_activation})
     * @param slidingWindow   the window when the key is absent (0: none); -1: the family ignores {@code sliding_window}
     * @param qkvBias         q/k/v biases whatever {@code attention_bias} says (Qwen2)
     * @param gemmaNorms      see {@link LlamaConfig#gemmaNorms}
     */
    public record Defaults(String modelType, boolean tieWordEmbeddings, int bosTokenId, int eosTokenId,
                           int padTokenId, String activationField, String hiddenAct, int slidingWindow,
                           boolean qkvBias, boolean gemmaNorms) {

        /** HF {@code LlamaConfig}. */
        public static final Defaults LLAMA = new Defaults("llama", false, 1, 2, -1, "hidden_act", "silu", -1, false, false);
    }

    /** MLP activations the decoder graph implements (HF {@code ACT2FN} names). */
    public static final List<String> ACTIVATIONS = List.of("silu", "gelu_pytorch_tanh", "gelu_new", "gelu");

    public static LlamaConfig read(Path file) {
        return fromJson(file, Json.read(file));
    }

    /** A {@code llama} config.json. */
    public static LlamaConfig fromJson(Path file, JsonNode c) {
        return fromJson(file, c, Defaults.LLAMA);
    }

    /** A config.json of the family {@code d} describes; its model_type must be {@code d.modelType()}. */
    public static LlamaConfig fromJson(Path file, JsonNode c, Defaults d) {
        String type = Json.stringField(file, c, "model_type", d.modelType());
        if (!type.equals(d.modelType())) {
            throw KifInputException.of(file, "model_type is '" + type + "', expected '" + d.modelType() + "'");
        }
        refuseUnsupported(file, c);
        int hidden = Json.positiveInt(file, c, "hidden_size", 4096);
        int heads = Json.positiveInt(file, c, "num_attention_heads", 32);
        int kvHeads = Json.positiveInt(file, c, "num_key_value_heads", heads);
        JsonNode hdNode = c.get("head_dim");
        if ((hdNode == null || hdNode.isNull()) && hidden % heads != 0) {
            throw KifInputException.of(file, "hidden_size " + hidden + " is not divisible by num_attention_heads " + heads);
        }
        int headDim = Json.positiveInt(file, c, "head_dim", hidden / heads);
        if (heads % kvHeads != 0) {
            throw KifInputException.of(file, "num_attention_heads " + heads
                    + " is not divisible by num_key_value_heads " + kvHeads);
        }
        if (headDim % 2 != 0) {
            throw KifInputException.of(file, "head_dim " + headDim + " must be even for rotary embeddings");
        }
        String act = Json.stringField(file, c, d.activationField(), d.hiddenAct());
        if (!ACTIVATIONS.contains(act)) {
            throw KifInputException.of(file, d.activationField() + ": '" + act + "' is not supported (expected one of "
                    + ACTIVATIONS + ")");
        }
        boolean attentionBias = Json.boolField(file, c, "attention_bias", false);
        int tp = Json.intField(file, c, "pretraining_tp", 1);
        if (tp < 1) {
            throw KifInputException.of(file, "pretraining_tp must be >= 1");
        }
        double eps = Json.doubleField(file, c, "rms_norm_eps", 1e-6);
        double theta = Json.doubleField(file, c, "rope_theta", 10000.0);
        if (!(eps > 0) || !(theta > 0)) {
            throw KifInputException.of(file, "rms_norm_eps and rope_theta must be positive");
        }
        int window = Math.max(d.slidingWindow(), 0);
        if (d.slidingWindow() >= 0 && c.has("sliding_window")) {
            window = c.get("sliding_window").isNull() ? 0 : Json.positiveInt(file, c, "sliding_window", null);
        }
        return new LlamaConfig(
                type,
                hidden,
                Json.positiveInt(file, c, "intermediate_size", 11008),
                Json.positiveInt(file, c, "num_hidden_layers", 32),
                heads,
                kvHeads,
                headDim,
                Json.positiveInt(file, c, "vocab_size", 32000),
                eps,
                theta,
                ropeScaling(file, c),
                Json.positiveInt(file, c, "max_position_embeddings", 2048),
                Json.boolField(file, c, "tie_word_embeddings", d.tieWordEmbeddings()),
                d.qkvBias() || attentionBias,
                attentionBias,
                Json.boolField(file, c, "mlp_bias", false),
                act,
                window,
                d.gemmaNorms(),
                Json.tokenId(file, c, "bos_token_id", d.bosTokenId()),
                Json.tokenId(file, c, "eos_token_id", d.eosTokenId()),
                Json.tokenId(file, c, "pad_token_id", d.padTokenId()));
    }

    /** Keys of architectures this decoder does not implement: refused, never ignored. */
    private static void refuseUnsupported(Path file, JsonNode c) {
        for (String key : List.of("final_logit_softcapping", "attn_logit_softcapping")) {
            JsonNode v = c.get(key);
            if (v != null && !v.isNull()) {
                throw KifInputException.of(file, key + ": logit soft-capping (Gemma 2) is not supported (expected null or absent)");
            }
        }
        for (String key : List.of("num_experts", "num_local_experts", "n_routed_experts")) {
            JsonNode v = c.get(key);
            if (v != null && !v.isNull() && !(v.isNumber() && v.asInt() <= 1)) {
                throw KifInputException.of(file, key + ": mixture-of-experts models are not supported (expected absent)");
            }
        }
    }

    private static RopeScaling ropeScaling(Path file, JsonNode c) {
        JsonNode s = c.get("rope_scaling");
        if (s == null || s.isNull()) {
            return null;
        }
        if (!s.isObject()) {
            throw KifInputException.of(file, "rope_scaling: expected an object or null, found " + s);
        }
        // HF reads "rope_type", falling back to the legacy "type"
        String type = s.has("rope_type") ? Json.stringField(file, s, "rope_type", null)
                : Json.stringField(file, s, "type", "default");
        if (type.equals("default")) {
            return null;
        }
        if (!RopeScaling.TYPES.contains(type)) {
            throw KifInputException.of(file, "rope_scaling: rope_type '" + type + "' is not supported (expected one of "
                    + RopeScaling.TYPES + " or null)");
        }
        double factor = Json.doubleField(file, s, "factor", null);
        if (!(factor >= 1)) {
            throw KifInputException.of(file, "rope_scaling: factor " + factor + " must be >= 1");
        }
        if (type.equals("linear")) {
            return new RopeScaling(type, factor, 0, 0, 0);
        }
        double low = Json.doubleField(file, s, "low_freq_factor", null);
        double high = Json.doubleField(file, s, "high_freq_factor", null);
        if (!(low > 0) || !(high > low)) {
            throw KifInputException.of(file, "rope_scaling: expected 0 < low_freq_factor < high_freq_factor, got "
                    + low + " and " + high);
        }
        return new RopeScaling(type, factor, low, high,
                Json.positiveInt(file, s, "original_max_position_embeddings", null));
    }
}
