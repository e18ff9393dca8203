package io.kif4j.transformer.family;

import io.kif4j.weights.LlamaConfig;

/**
 * {@code mistral}: LLaMA's blocks with HF eager attention's sliding window (query i attends key j iff
 * i − sliding_window &lt; j ≤ i); HF {@code MistralConfig}'s default window is 4096.
 */
final class MistralFamily extends DecoderFamily {

    MistralFamily() {
        super(new LlamaConfig.Defaults("mistral", false, 1, 2, -1, "hidden_act", "silu", 4096, false, false));
    }
}
