package io.kif4j.weights;

import io.kif4j.common.Json;
import io.kif4j.common.KifInputException;
import com.fasterxml.jackson.databind.JsonNode;

import java.nio.file.Path;

/**
 * T5 hyperparameters from HF's config.json, with HF's {@code T5Config} defaults for missing keys.
 *
 * <p>{@code feed_forward_proj} "relu" is T5 v1.0; "gated-gelu" is v1.1/Flan and uses gelu_new (the tanh form).
 *
 * @param denseActFn  relu, gelu (exact erf), gelu_new (tanh) or silu
 * @param isGatedAct  FF = wo(act(wi_0 x) * wi_1 x) instead of wo(act(wi x))
 */
public record T5Config(
        int dModel,
        int dKv,
        int dFf,
        int numLayers,
        int numDecoderLayers,
        int numHeads,
        int relativeAttentionNumBuckets,
        int relativeAttentionMaxDistance,
        double layerNormEpsilon,
        String denseActFn,
        boolean isGatedAct,
        boolean tieWordEmbeddings,
        int vocabSize,
        int padTokenId,
        int eosTokenId,
        int decoderStartTokenId) {

    /** Attention inner size; need not equal d_model. */
    public int innerDim() {
        return numHeads * dKv;
    }

    public static T5Config read(Path file) {
        return fromJson(file, Json.read(file));
    }

    public static T5Config fromJson(Path file, JsonNode c) {
        String type = Json.stringField(file, c, "model_type", "t5");
        if (!type.equals("t5")) {
            throw KifInputException.of(file, "model_type is '" + type + "', expected 't5'");
        }
        String proj = Json.stringField(file, c, "feed_forward_proj", "relu");
        String[] parts = proj.split("-");
        boolean gated = parts.length > 0 && parts[0].equals("gated");
        if (parts.length == 0 || parts.length > 2 || (parts.length == 2 && !gated)) {
            throw KifInputException.of(file, "feed_forward_proj '" + proj
                    + "' is not of the form 'relu', 'gelu' or 'gated-gelu'");
        }
        String act = parts[parts.length - 1];
        if (proj.equals("gated-gelu")) {
            act = "gelu_new"; // HF's backwards-compatibility rule for v1.1/Flan checkpoints
        }
        // HF's T5Config derives both from feed_forward_proj, but config.json also holds them (save_pretrained
        // writes every attribute) and PretrainedConfig applies the stored values last, so they win.
        act = Json.stringField(file, c, "dense_act_fn", act);
        gated = Json.boolField(file, c, "is_gated_act", gated);
        if (!act.equals("relu") && !act.equals("gelu") && !act.equals("gelu_new") && !act.equals("silu")) {
            throw KifInputException.of(file, "activation '" + act + "' (dense_act_fn, from feed_forward_proj '" + proj
                    + "') is not supported: relu, gelu, gelu_new or silu");
        }
        int layers = Json.positiveInt(file, c, "num_layers", 6);
        int pad = Json.tokenId(file, c, "pad_token_id", 0);
        double eps = Json.doubleField(file, c, "layer_norm_epsilon", 1e-6);
        if (!(eps > 0)) {
            throw KifInputException.of(file, "layer_norm_epsilon must be positive");
        }
        int buckets = Json.positiveInt(file, c, "relative_attention_num_buckets", 32);
        if (buckets < 4) {
            throw KifInputException.of(file, "relative_attention_num_buckets must be at least 4");
        }
        return new T5Config(
                Json.positiveInt(file, c, "d_model", 512),
                Json.positiveInt(file, c, "d_kv", 64),
                Json.positiveInt(file, c, "d_ff", 2048),
                layers,
                Json.positiveInt(file, c, "num_decoder_layers", layers),
                Json.positiveInt(file, c, "num_heads", 8),
                buckets,
                Json.positiveInt(file, c, "relative_attention_max_distance", 128),
                eps,
                act,
                gated,
                Json.boolField(file, c, "tie_word_embeddings", true),
                Json.positiveInt(file, c, "vocab_size", 32128),
                pad,
                Json.tokenId(file, c, "eos_token_id", 1),
                Json.tokenId(file, c, "decoder_start_token_id", pad));
    }
}
