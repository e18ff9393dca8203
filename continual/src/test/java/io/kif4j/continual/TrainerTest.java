package io.kif4j.continual;

import io.kif4j.continual.data.ModelBatches;
import io.kif4j.datasets.Example;
import io.kif4j.datasets.TaskInfo;
import io.kif4j.datasets.batch.BatchOptions;
import io.kif4j.datasets.batch.Batcher;
import io.kif4j.datasets.batch.EncodedExample;
import io.kif4j.datasets.prompt.PromptTemplates;
import io.kif4j.lora.Lora;
import io.kif4j.lora.LoraAdapter;
import io.kif4j.lora.LoraConfig;
import io.kif4j.lora.train.LoraTrainer;
import io.kif4j.lora.train.StepHook;
import io.kif4j.lora.train.TrainConfig;
import io.kif4j.transformer.LanguageModel;
import io.kif4j.transformer.ModelInputs;
import io.kif4j.transformer.Models;
import io.kif4j.transformer.testing.Fixture;
import io.kif4j.tokenizer.Tokenizer;
import io.kif4j.tokenizer.Tokenizers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One-task LoRA training on the real stories260K model, 64 examples. */
class TrainerTest {

    @TempDir
    Path tmp;

    @Test
    void trainingLowersTheLossAndTheSavedAdapterReloadsToTheSameLogits() {
        String[] colors = {"red", "blue", "green", "yellow"};
        List<Example> examples = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            examples.add(new Example("e" + i, "Tom has a " + colors[i % 4] + " ball. The ball is", colors[i % 4]));
        }
        Path dir = Fixture.shared().resolve("weights/stories260K-hf");
        LanguageModel model = Models.load(dir);
        try (Tokenizer tok = Tokenizers.load(dir)) {
            TaskInfo task = new TaskInfo(tmp, "colors", null, null, "colors", List.of(), Map.of(), Map.of(), "", null, null, List.of());
            Batcher batcher = new Batcher(ModelBatches.family(model), tok, PromptTemplates.builtIn().get(PromptTemplates.PLAIN),
                    BatchOptions.defaults().withBatchSize(16).withLengths(64, 8).withSeed(1));
            List<EncodedExample> enc = batcher.encode(task, examples);
            LoraAdapter adapter = LoraAdapter.create(LoraConfig.of(8, 16, 0.05,
                    List.of("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"), "CAUSAL_LM"), 3);
            List<Integer> hookSteps = new ArrayList<>();
            LoraTrainer.Result r = new LoraTrainer(model, adapter, TrainConfig.defaults(3, 5e-3, 3))
                    .train(epoch -> ModelBatches.inputs(batcher.batches(enc, epoch)), List.of(),
                            (step, params, grads, loss) -> hookSteps.add(step));
            assertEquals(12, r.steps());
            assertEquals(12, hookSteps.size(), "the post-step hook runs once per optimizer step");
            double first = r.stepLosses().subList(0, 4).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
            double last = r.stepLosses().subList(8, 12).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
            assertTrue(last < first * 0.7, "loss " + first + " → " + last);

            ModelInputs probe = ModelBatches.inputs(batcher.batches(enc, 0).get(0));
            INDArray trained = model.score(probe).logits();
            adapter.save(tmp.resolve("adapter"));
            LanguageModel fresh = Models.load(dir);
            Lora.attach(fresh, LoraAdapter.load(tmp.resolve("adapter")));
            INDArray reloaded = fresh.score(probe).logits();
            assertEquals(0.0, trained.sub(reloaded).amaxNumber().doubleValue(), 0.0, "bit-identical after reload");
        }
    }
}
