package io.kif4j.examples;

import io.kif4j.continual.ContinualRunner;
import io.kif4j.continual.RunConfig;
import io.kif4j.lora.Lora;
import io.kif4j.lora.LoraAdapter;
import io.kif4j.lora.LoraConfig;
import io.kif4j.lora.train.TrainingListener;
import io.kif4j.report.RunReport;
import io.kif4j.transformer.GenerationResult;
import io.kif4j.transformer.LanguageModel;
import io.kif4j.transformer.ModelInputs;
import io.kif4j.transformer.Models;
import io.kif4j.tokenizer.Tokenizer;
import io.kif4j.tokenizer.Tokenizers;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A user's program against the installed kif4j artifacts: the README's Java example, then a two-task continual
 * run with a training listener and the HTML report. Argument: the reference folder holding weights/ and data/
 * (default ../shared).
 */
public final class Examples {

    public static void main(String[] args) throws Exception {
        Path shared = Path.of(args.length > 0 ? args[0] : "../shared").toAbsolutePath().normalize();
        Path work = Files.createTempDirectory("kif4j-examples");
        readmeExample(shared.resolve("weights/stories260K-hf"), work.resolve("my-adapter"));
        twoTaskRun(shared, work.resolve("run"));
    }

    /** The README's "Java API" block. */
    static void readmeExample(Path dir, Path adapterOut) {
        LanguageModel model = Models.load(dir);                       // config.json + model.safetensors, checked
        try (Tokenizer tok = Tokenizers.load(dir)) {                  // tokenizer.model
            int[] prompt = tok.encodeForModel("Once upon a time");    // BOS + ids
            GenerationResult g = model.generate(ModelInputs.of(new int[][]{prompt}), 40, true);
            System.out.println(tok.decode(g.newTokens()[0]));

            LoraAdapter lora = LoraAdapter.create(LoraConfig.of(8, 16, 0.0, List.of("q_proj", "v_proj"), "CAUSAL_LM"), 42);
            Lora.attach(model, lora);                                 // PEFT-style LoRA on every q_proj and v_proj
            int[][] ids = {prompt};
            Lora.LossAndGradients lg = Lora.lossAndGradients(model, lora, new ModelInputs(ids, ModelInputs.of(ids).attentionMask(), ids, null, null));
            lora.save(adapterOut);                                    // loads in PEFT unchanged
            System.out.printf("loss %.4f, %d LoRA gradients, adapter saved to %s%n", lg.loss(), lg.gradients().size(), adapterOut);
        }
    }

    /** KIFLoRA on dbpedia then amazon, a few examples each, with a listener printing each task's scores. */
    static void twoTaskRun(Path shared, Path out) {
        RunConfig config = new RunConfig();
        config.tasks = List.of("dbpedia", "amazon");
        config.method = "kiflora";
        config.trainPerTask = 8;
        config.testPerTask = 8;
        config.epochs = 1;
        ContinualRunner.Result r = new ContinualRunner(config, shared, System.out::println)
                .withListener(new TrainingListener() {
                    @Override
                    public void taskDone(int index, String task, Map<String, Double> scores) {
                        System.out.println("listener: after " + task + " " + scores);
                    }
                })
                .withReporter(RunReport::write) // report.html (module kif4j-report)
                .run(out);
        System.out.printf("two-task run: AP %.2f, report %s%n", r.matrix().ap().orElse(Double.NaN), out.resolve(RunReport.FILE));
    }
}
