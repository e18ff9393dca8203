package io.kif4j.transformer.family;

import io.kif4j.weights.LlamaConfig;

/**
 * {@code llama}: LLaMA 1/2/3 and models saved as LlamaForCausalLM (SmolLM, TinyLlama, …), with rope_scaling
 * {@code linear} or {@code llama3}, an explicit {@code head_dim}, {@code attention_bias} and {@code mlp_bias}.
 */
final class LlamaFamily extends DecoderFamily {

    LlamaFamily() {
        super(LlamaConfig.Defaults.LLAMA);
    }
}
