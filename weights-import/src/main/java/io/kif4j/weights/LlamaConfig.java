package io.kif4j.weights;

import com.fasterxml.jackson.databind.JsonNode;

import java.nio.file.Path;

/**
 * LLaMA hyperparameters from HF's config.json, with HF's {@code LlamaConfig} defaults for missing keys.
 *
 * @param padTokenId -1 when the config has none (LLaMA-2 and stories260K); generation then pads with EOS
 */
public record LlamaConfig(
        int hiddenSize,
        int intermediateSize,
        int numHiddenLayers,
        int numAttentionHeads,
        int numKeyValueHeads,
        int vocabSize,
        double rmsNormEps,
        double ropeTheta,
        int maxPositionEmbeddings,
        boolean tieWordEmbeddings,
        int bosTokenId,
        int eosTokenId,
        int padTokenId) {

    public int headDim() {
        return hiddenSize / numAttentionHeads;
    }

    /** Query heads per key/value head (HF {@code num_key_value_groups}). */
    public int kvGroups() {
        return numAttentionHeads / numKeyValueHeads;
    }

    public static LlamaConfig read(Path file) {
        return fromJson(file, Json.read(file));
    }

    public static LlamaConfig fromJson(Path file, JsonNode c) {
        String type = Json.stringField(file, c, "model_type", "llama");
        if (!type.equals("llama")) {
            throw KifInputException.of(file, "model_type is '" + type + "', expected 'llama'");
        }
        int hidden = Json.positiveInt(file, c, "hidden_size", 4096);
        int heads = Json.positiveInt(file, c, "num_attention_heads", 32);
        int kvHeads = Json.positiveInt(file, c, "num_key_value_heads", heads);
        if (hidden % heads != 0) {
            throw KifInputException.of(file, "hidden_size " + hidden + " is not divisible by num_attention_heads " + heads);
        }
        if (heads % kvHeads != 0) {
            throw KifInputException.of(file, "num_attention_heads " + heads
                    + " is not divisible by num_key_value_heads " + kvHeads);
        }
        if ((hidden / heads) % 2 != 0) {
            throw KifInputException.of(file, "head_dim " + hidden / heads + " must be even for rotary embeddings");
        }
        String act = Json.stringField(file, c, "hidden_act", "silu");
        if (!act.equals("silu")) {
            throw KifInputException.of(file, "hidden_act '" + act + "' is not supported (LLaMA uses 'silu')");
        }
        if (Json.boolField(file, c, "attention_bias", false)) {
            throw KifInputException.of(file, "attention_bias true is not supported");
        }
        JsonNode scaling = c.get("rope_scaling");
        if (scaling != null && !scaling.isNull()) {
            throw KifInputException.of(file, "rope_scaling " + scaling + " is not supported (only null)");
        }
        int tp = Json.intField(file, c, "pretraining_tp", 1);
        if (tp < 1) {
            throw KifInputException.of(file, "pretraining_tp must be >= 1");
        }
        double eps = Json.doubleField(file, c, "rms_norm_eps", 1e-6);
        double theta = Json.doubleField(file, c, "rope_theta", 10000.0);
        if (!(eps > 0) || !(theta > 0)) {
            throw KifInputException.of(file, "rms_norm_eps and rope_theta must be positive");
        }
        return new LlamaConfig(
                hidden,
                Json.positiveInt(file, c, "intermediate_size", 11008),
                Json.positiveInt(file, c, "num_hidden_layers", 32),
                heads,
                kvHeads,
                Json.positiveInt(file, c, "vocab_size", 32000),
                eps,
                theta,
                Json.positiveInt(file, c, "max_position_embeddings", 2048),
                Json.boolField(file, c, "tie_word_embeddings", false),
                Json.tokenId(file, c, "bos_token_id", 1),
                Json.tokenId(file, c, "eos_token_id", 2),
                Json.tokenId(file, c, "pad_token_id", -1));
    }
}
