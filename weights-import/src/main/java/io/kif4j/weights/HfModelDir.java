package io.kif4j.weights;

import io.kif4j.common.Json;
import io.kif4j.common.KifInputException;
import com.fasterxml.jackson.databind.JsonNode;
import io.kif4j.weights.safetensors.SafetensorsFile;
import io.kif4j.weights.safetensors.ShardedSafetensors;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * A HuggingFace model directory: {@code config.json}, weights as safetensors (one file or shards behind
 * {@code model.safetensors.index.json}) and tokenizer files.
 *
 * <p>PyTorch pickle checkpoints ({@code pytorch_model.bin}, {@code *.pt}) are refused: unpickling runs
 * arbitrary code from the file.
 */
public record HfModelDir(Path dir, Path configFile, JsonNode config) {

    public static HfModelDir open(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw KifInputException.of(dir, "not a model directory (expected a folder holding config.json and model.safetensors)");
        }
        Path config = dir.resolve("config.json");
        if (!Files.isRegularFile(config)) {
            throw KifInputException.of(dir, "no config.json: not a HuggingFace model directory");
        }
        return new HfModelDir(dir, config, Json.read(config));
    }

    /** {@code model_type} from config.json, e.g. "llama" or "t5". */
    public String modelType() {
        return Json.stringField(configFile, config, "model_type", null);
    }

    /** Opens the weights, preferring a single {@code model.safetensors}, then a sharded index. */
    public WeightSource weights() {
        Path single = dir.resolve("model.safetensors");
        if (Files.isRegularFile(single)) {
            return SafetensorsFile.open(single);
        }
        Path index = dir.resolve("model.safetensors.index.json");
        if (Files.isRegularFile(index)) {
            return ShardedSafetensors.open(index);
        }
        List<Path> any = list("*.safetensors");
        if (any.size() == 1) {
            return SafetensorsFile.open(any.get(0));
        }
        List<Path> pickles = list("*.{bin,pt,pth,ckpt}");
        if (!pickles.isEmpty()) {
            throw KifInputException.of(pickles.get(0), "PyTorch pickle checkpoints are refused: loading one can execute "
                    + "arbitrary code hidden in the file. Convert it to safetensors first (in Python: "
                    + "model.save_pretrained(dir, safe_serialization=True)).");
        }
        throw KifInputException.of(dir, "no model.safetensors or model.safetensors.index.json in the model directory");
    }

    private List<Path> list(String glob) {
        try (Stream<Path> s = Files.list(dir)) {
            var matcher = dir.getFileSystem().getPathMatcher("glob:" + glob);
            return s.filter(p -> matcher.matches(p.getFileName())).sorted().toList();
        } catch (IOException e) {
            throw KifInputException.of(dir, "cannot list: " + e.getMessage(), e);
        }
    }

    /** generation_config.json when present. */
    public JsonNode generationConfig() {
        Path p = dir.resolve("generation_config.json");
        return Files.isRegularFile(p) ? Json.read(p) : Json.MAPPER.createObjectNode();
    }

    public Path generationConfigFile() {
        return dir.resolve("generation_config.json");
    }
}
