package io.kif4j.transformer.family;

import io.kif4j.weights.LlamaConfig;

/**
 * {@code gemma} (Gemma 1): (1 + w) RMSNorm, embeddings × √hidden, a gated MLP with the tanh GELU named by
 * {@code hidden_activation} (HF ignores the legacy {@code hidden_act}), tied head by default, and its own special
 * ids (pad 0, eos 1, bos 2). Gemma 2 is model_type {@code gemma2}, not this family.
 */
final class GemmaFamily extends DecoderFamily {

    GemmaFamily() {
        super(new LlamaConfig.Defaults("gemma", true, 2, 1, 0, "hidden_activation", "gelu_pytorch_tanh", -1, false, true));
    }
}
