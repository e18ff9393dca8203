package io.kif4j.transformer;

import io.kif4j.transformer.llama.LlamaModel;
import io.kif4j.transformer.t5.T5Model;
import io.kif4j.weights.HfModelDir;
import io.kif4j.weights.KifInputException;

import java.nio.file.Path;

/** Loads a HuggingFace model directory as the model family its config.json names. */
public final class Models {

    private Models() {
    }

    /** Dispatches on config.json's {@code model_type}: "llama" or "t5". */
    public static LanguageModel load(Path dir) {
        HfModelDir d = HfModelDir.open(dir);
        String type = d.modelType();
        return switch (type) {
            case "llama" -> LlamaModel.load(dir);
            case "t5" -> T5Model.load(dir);
            default -> throw KifInputException.of(d.configFile(), "model_type '" + type
                    + "' is not supported (expected 'llama' or 't5')");
        };
    }
}
