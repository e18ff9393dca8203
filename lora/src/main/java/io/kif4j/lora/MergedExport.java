package io.kif4j.lora;

import io.kif4j.weights.HfModelDir;
import io.kif4j.common.KifInputException;
import io.kif4j.weights.WeightSource;
import io.kif4j.weights.safetensors.SafetensorsWriter;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes base model + adapter as one plain HF model directory: every tensor of the base checkpoint under its own
 * name, with scaling·B·A added to each adapted layer's weight; config.json, generation_config.json and tokenizer
 * files copied. The result loads in transformers (and in kif4j) with no PEFT involved.
 */
public final class MergedExport {

    private static final String[] COPIED = {"config.json", "generation_config.json", "tokenizer.model", "spiece.model",
            "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"};

    private MergedExport() {
    }

    public static void export(Path baseDir, LoraAdapter adapter, Path outDir) {
        HfModelDir base = HfModelDir.open(baseDir);
        WeightSource src = base.weights();
        Map<String, INDArray> tensors = new LinkedHashMap<>();
        for (String name : src.names()) {
            tensors.put(name, src.load(name));
        }
        for (LoraModule m : adapter.modules()) {
            String w = m.path() + ".weight";
            INDArray baseW = tensors.get(w);
            if (baseW == null) {
                throw KifInputException.of(baseDir, "the adapter has module '" + m.path() + "' but the checkpoint has no " + w);
            }
            tensors.put(w, baseW.add(m.delta(adapter.scaling())));
        }
        try {
            Files.createDirectories(outDir);
            SafetensorsWriter.write(outDir.resolve("model.safetensors"), tensors);
            for (String f : COPIED) {
                Path p = baseDir.resolve(f);
                if (Files.isRegularFile(p)) {
                    Files.copy(p, outDir.resolve(f), StandardCopyOption.REPLACE_EXISTING);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot export to " + outDir, e);
        }
    }
}
