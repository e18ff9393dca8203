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
}
