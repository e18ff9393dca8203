package io.kif4j.transformer.family;

import com.fasterxml.jackson.databind.JsonNode;
import io.kif4j.common.Json;
import io.kif4j.common.KifInputException;
import io.kif4j.weights.LlamaConfig;

import java.nio.file.Path;

/**
 * {@code qwen2} (Qwen2, Qwen2.5): LLaMA's blocks with biases on q/k/v (never o), HF {@code Qwen2Config}'s
 * defaults (untied, no token ids), head_dim = hidden / heads. {@code sliding_window} is written by every Qwen2
 * config but only applies with {@code use_sliding_window}, which is refused.
 */
final class Qwen2Family extends DecoderFamily {

    Qwen2Family() {
        super(new LlamaConfig.Defaults("qwen2", false, -1, -1, -1, "hidden_act", "silu", -1, true, false));
    }

    @Override
    void refuse(Path configFile, JsonNode json) {
        if (Json.boolField(configFile, json, "use_sliding_window", false)) {
            throw KifInputException.of(configFile, "use_sliding_window: true is not supported (expected false)");
        }
    }
}
