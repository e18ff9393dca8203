package io.kif4j.cli;

import io.kif4j.continual.data.ModelBatches;
import io.kif4j.datasets.Example;
import io.kif4j.datasets.JsonlReader;
import io.kif4j.datasets.TaskInfo;
import io.kif4j.datasets.batch.Batcher;
import io.kif4j.datasets.batch.EncodedExample;
import io.kif4j.datasets.prompt.PromptTemplates;
import io.kif4j.lora.LoraAdapter;
import io.kif4j.lora.LoraConfig;
import io.kif4j.lora.train.LoraTrainer;
import io.kif4j.lora.train.StepHook;
import io.kif4j.transformer.LanguageModel;
import io.kif4j.transformer.Models;
import io.kif4j.transformer.family.Families;
import io.kif4j.transformer.family.ModelSpec;
import io.kif4j.transformer.memory.MemoryPlan;
import io.kif4j.weights.HfModelDir;
import io.kif4j.tokenizer.Tokenizer;
import io.kif4j.tokenizer.Tokenizers;
import io.kif4j.common.KifInputException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "train", description = "Fine-tune a LoRA adapter on one task: a JSONL file with \"input\" and "
        + "\"output\" per line. Saves the adapter in PEFT's layout and prints a JSON summary.")
final class TrainCommand implements Callable<Integer> {

    @Mixin
    ModelOption model;

    @Mixin
    TrainOptions.Lora lora;

    @Mixin
    TrainOptions.Batches batches;

    @Mixin
    TrainOptions.Schedule schedule;

    @Option(names = "--data", required = true, paramLabel = "FILE.jsonl", description = "Training data: JSONL with input and output per line.") Path data;

    @Option(names = "--adapter-out", required = true, description = "Where to save the adapter (PEFT layout).") Path adapterOut;

    @Override
    public Integer call() {
        Path dir = model.dir();
        HfModelDir d = HfModelDir.open(dir);
        ModelSpec<?> spec = Families.read(d.configFile(), d.config());
        LoraConfig loraConfig = lora.config(spec.family().runDefaults()).withBaseModel(dir.toString());
        MemoryPlan.trainingOnExamples(spec, batches.batch, batches.maxSource, batches.maxTarget, lora.rank,
                loraConfig::targets).admit(d.configFile());
        LanguageModel m = Models.load(dir);
        List<Example> examples = readExamples(data);
        try (Tokenizer tok = Tokenizers.load(dir)) {
            var family = ModelBatches.family(m);
            TaskInfo task = new TaskInfo(data.toAbsolutePath().getParent(), "train", null, null, "train", List.of(),
                    Map.of(), Map.of(), "", null, null, List.of());
            Batcher batcher = new Batcher(family, tok, PromptTemplates.builtIn().get(PromptTemplates.PLAIN),
                    batches.options(schedule.seed));
            List<EncodedExample> encoded = batcher.encode(task, examples);
            LoraAdapter adapter = LoraAdapter.create(loraConfig, schedule.seed);
            LoraTrainer.Result r = new LoraTrainer(m, adapter, schedule.config())
                    .train(epoch -> ModelBatches.inputs(batcher.batches(encoded, epoch)), List.of(), StepHook.NONE);
            adapter.save(adapterOut);
            int perEpoch = r.steps() / schedule.epochs;
            System.out.println(JsonOut.object("examples", examples.size(), "steps", r.steps(),
                    "first_epoch_loss", mean(r.stepLosses().subList(0, perEpoch)),
                    "last_epoch_loss", mean(r.stepLosses().subList(r.steps() - perEpoch, r.steps())),
                    "adapter", adapterOut.toString()));
        }
        return 0;
    }

    private static double mean(List<Double> v) {
        return v.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    }

    static List<Example> readExamples(Path file) {
        List<Example> out = new ArrayList<>();
        new JsonlReader().read(file, (line, node) -> {
            for (String field : new String[]{"input", "output"}) {
                if (node.get(field) == null || !node.get(field).isTextual()) {
                    throw KifInputException.of(file, "line " + line + ": field \"" + field + "\" must be a string");
                }
            }
            out.add(new Example(String.valueOf(line), node.get("input").asText(), node.get("output").asText()));
        });
        if (out.isEmpty()) {
            throw KifInputException.of(file, "no examples: the file is empty");
        }
        return out;
    }
}
