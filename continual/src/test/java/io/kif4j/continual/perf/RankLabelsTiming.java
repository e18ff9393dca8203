package io.kif4j.continual.perf;

import io.kif4j.continual.eval.Evaluator;
import io.kif4j.continual.metrics.ScoringOptions;
import io.kif4j.datasets.Benchmark;
import io.kif4j.datasets.Benchmarks;
import io.kif4j.datasets.Example;
import io.kif4j.datasets.Split;
import io.kif4j.datasets.Task;
import io.kif4j.datasets.batch.BatchOptions;
import io.kif4j.datasets.batch.Batcher;
import io.kif4j.datasets.batch.ModelFamily;
import io.kif4j.datasets.prompt.PromptTemplates;
import io.kif4j.transformer.llama.LlamaModel;
import io.kif4j.tokenizer.Tokenizer;
import io.kif4j.tokenizer.Tokenizers;

import java.nio.file.Path;
import java.util.List;

/**
 * Not a test: rank-labels evaluation of the built-in stories260K on the default run's tasks (100 test examples
 * each, eval batch 32), timed per task; scored (prompt, label) sequences per second.
 */
public final class RankLabelsTiming {
    public static void main(String[] args) {
        Path shared = Path.of(System.getProperty("kif.shared", "../shared"));
        Path modelDir = shared.resolve("weights/stories260K-hf");
        LlamaModel model = LlamaModel.load(modelDir);
        Benchmark bench = Benchmarks.open(Benchmarks.dataRoot(shared.resolve("data")), "long_sequence");
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 100;
        try (Tokenizer tok = Tokenizers.load(modelDir)) {
            Batcher batcher = new Batcher(ModelFamily.LLAMA, tok, PromptTemplates.builtIn().get("short"),
                    BatchOptions.defaults().withLengths(128, 16));
            Evaluator ev = new Evaluator(model, tok, batcher, Evaluator.Mode.RANK_LABELS, 16, 32, ScoringOptions.kif());
            for (String name : List.of("agnews", "dbpedia", "amazon", "yahoo")) {
                Task task = bench.task(name);
                List<Example> test = task.load(Split.TEST).subList(0, n);
                ev.evaluate(task.info(), test.subList(0, 4)); // warm-up
                long t0 = System.nanoTime();
                Evaluator.Result r = ev.evaluate(task.info(), test);
                double s = (System.nanoTime() - t0) / 1e9;
                int seqs = n * task.info().labels().size();
                System.out.printf("%-8s %3d examples × %2d labels: %.1f s, %.0f sequences/s, score %s%n", name, n,
                        task.info().labels().size(), s, seqs / s, r.score());
            }
        }
    }
}
