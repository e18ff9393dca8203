package io.kif4j.cli;

import io.kif4j.lora.Lora;
import io.kif4j.lora.LoraAdapter;
import io.kif4j.lora.LoraModule;
import io.kif4j.transformer.LanguageModel;
import io.kif4j.transformer.ScoreResult;
import io.kif4j.transformer.io.InputsJson;
import io.kif4j.weights.safetensors.SafetensorsWriter;
import org.nd4j.linalg.api.ndarray.INDArray;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "score", description = "Forward pass on a batch in the fixtures' inputs.json format: writes the logits "
        + "(and with --grads the LoRA gradients) to a safetensors file and prints {\"loss\": …}.")
final class ScoreCommand implements Callable<Integer> {

    @Mixin
    ModelAndAdapter model;

    @Option(names = "--inputs", required = true, description = "inputs.json: input_ids, attention_mask, labels, ...") Path inputs;

    @Option(names = "--out", required = true, description = "Output .safetensors file.") Path out;

    @Option(names = "--grads", description = "Also write lora.grad.<PEFT name> for every LoRA matrix (needs --adapter).") boolean grads;

    @Override
    public Integer call() {
        InputsJson in = InputsJson.read(inputs);
        if (grads && !model.hasAdapter()) {
            throw new IllegalArgumentException("--grads needs --adapter: the gradients are those of the LoRA matrices");
        }
        ModelAndAdapter.Loaded loaded = model.load();
        LanguageModel m = loaded.model();
        LoraAdapter lora = loaded.adapter();
        ScoreResult r = m.score(in.batch());
        Map<String, INDArray> tensors = new LinkedHashMap<>();
        tensors.put("logits", r.logits());
        if (grads) {
            if (in.batch().labels() == null) {
                throw new IllegalArgumentException(inputs + ": --grads needs 'labels' in the batch");
            }
            Lora.LossAndGradients lg = Lora.lossAndGradients(m, lora, in.batch());
            for (LoraModule mod : lora.modules()) {
                tensors.put("lora.grad." + mod.peftA(), lg.gradients().get(mod.aName()));
                tensors.put("lora.grad." + mod.peftB(), lg.gradients().get(mod.bName()));
            }
        }
        SafetensorsWriter.write(out, tensors);
        System.out.println(JsonOut.object("loss", r.loss()));
        return 0;
    }
}
