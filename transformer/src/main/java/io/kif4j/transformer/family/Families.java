package io.kif4j.transformer.family;

import com.fasterxml.jackson.databind.JsonNode;
import io.kif4j.transformer.LanguageModel;
import io.kif4j.transformer.memory.MemoryPlan;
import io.kif4j.weights.HfModelDir;
import io.kif4j.common.Json;
import io.kif4j.common.KifInputException;

import java.nio.file.Path;
import java.util.List;

/**
 * The model families kif4j runs, keyed by config.json's {@code model_type} (in the spirit of Jlama's
 * {@code ModelSupport}). Adding a family: one {@link Family} class and one line here.
 */
public final class Families {

    private static final List<Family<?>> ALL = List.of(
            new T5Family(),
            new LlamaFamily(),
            new Qwen2Family(),
            new MistralFamily(),
            new GemmaFamily());

    private Families() {
    }

    /** The supported model_type values, in registry order. */
    public static List<String> supported() {
        return ALL.stream().map(Family::modelType).toList();
    }

    /** The family of {@code modelType}; else one line naming {@code configFile}, the field and the supported values. */
    public static Family<?> of(String modelType, Path configFile) {
        for (Family<?> f : ALL) {
            if (f.modelType().equals(modelType)) {
                return f;
            }
        }
        throw KifInputException.of(configFile, "model_type: '" + modelType + "' is not supported (expected one of "
                + String.join(", ", supported()) + ")");
    }

    /** The family of a loaded model. */
    public static Family<?> of(LanguageModel model) {
        return of(model.modelType(), Path.of("config.json"));
    }

    /** The family and config of a config.json, read and checked without any weights. */
    public static ModelSpec<?> read(Path configFile) {
        return read(configFile, Json.read(configFile));
    }

    public static ModelSpec<?> read(Path configFile, JsonNode json) {
        JsonNode type = json.get("model_type");
        if (type == null || !type.isTextual()) {
            throw KifInputException.of(configFile, "model_type: missing or not a string (expected one of "
                    + String.join(", ", supported()) + ")");
        }
        return spec(of(type.asText(), configFile), configFile, json);
    }

    /** A config record made in code (e.g. a named benchmark shape) with the family of {@code modelType}. */
    @SuppressWarnings("unchecked")
    public static <C> ModelSpec<C> spec(String modelType, C config) {
        return new ModelSpec<>((Family<C>) of(modelType, Path.of("config.json")), config);
    }

    private static <C> ModelSpec<C> spec(Family<C> f, Path configFile, JsonNode json) {
        return new ModelSpec<>(f, f.config(configFile, json));
    }

    /**
     * Loads a HuggingFace model directory as the family its config.json names, after checking that the weights
     * (and a forward pass) fit the machine's memory ({@link MemoryPlan#inference}).
     */
    public static LanguageModel load(Path dir) {
        return load(dir, org.nd4j.linalg.api.buffer.DataType.FLOAT);
    }

    /**
     * As {@link #load(Path)}, with the weights and graphs in {@code dataType}: DOUBLE for float64 checks on tiny
     * models (the memory check counts float32 weights).
     */
    public static LanguageModel load(Path dir, org.nd4j.linalg.api.buffer.DataType dataType) {
        HfModelDir d = HfModelDir.open(dir);
        ModelSpec<?> spec = read(d.configFile(), d.config());
        MemoryPlan.inference(spec).admit(d.configFile());
        return spec.build(d.weights().castTo(dataType), d);
    }
}
