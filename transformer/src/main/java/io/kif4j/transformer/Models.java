package io.kif4j.transformer;

import io.kif4j.transformer.family.Families;

import java.nio.file.Path;

/** Loads a HuggingFace model directory as the model family its config.json names. */
public final class Models {

    private Models() {
    }

    /** Dispatches on config.json's {@code model_type} through {@link Families}. */
    public static LanguageModel load(Path dir) {
        return Families.load(dir);
    }

    /**
     * With the weights and graphs in {@code dataType}: DOUBLE (scoring and gradients) for float64 checks on
     * tiny models; LoRA adapters and the trainer stay FLOAT, which is what kif4j runs in.
     */
    public static LanguageModel load(Path dir, org.nd4j.linalg.api.buffer.DataType dataType) {
        return Families.load(dir, dataType);
    }
}
