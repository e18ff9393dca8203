package io.kif4j.continual.eval;

import io.kif4j.continual.metrics.ScoringOptions;
import io.kif4j.datasets.Benchmark;
import io.kif4j.datasets.Benchmarks;
import io.kif4j.datasets.Split;
import io.kif4j.datasets.Task;
import io.kif4j.datasets.batch.BatchOptions;
import io.kif4j.datasets.batch.Batcher;
import io.kif4j.datasets.batch.EncodedExample;
import io.kif4j.datasets.batch.ModelFamily;
import io.kif4j.datasets.prompt.PromptTemplates;
import io.kif4j.transformer.t5.T5Model;
import io.kif4j.tokenizer.Tokenizer;
import io.kif4j.tokenizer.Tokenizers;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * T5 label ranking with each prompt encoded once gives the log-likelihoods of scoring every (prompt, label) pair
 * whole: kif-t5-tiny on real agnews and dbpedia test examples, in batches that do not divide the examples.
 */
class EncodedOnceRankingTest {

    @Test
    void encodedOnceScoresEqualWholePairScores() {
        Path shared = Path.of(System.getProperty("kif.shared", "../shared"));
        Path modelDir = shared.resolve("weights/kif-t5-tiny");
        T5Model model = T5Model.load(modelDir);
        Benchmark bench = Benchmarks.open(Benchmarks.dataRoot(shared.resolve("data")), "long_sequence");
        try (Tokenizer tok = Tokenizers.load(modelDir)) {
            Batcher batcher = new Batcher(ModelFamily.T5, tok, PromptTemplates.builtIn().get("short"),
                    BatchOptions.defaults().withLengths(128, 16));
            Evaluator ev = new Evaluator(model, tok, batcher, Evaluator.Mode.RANK_LABELS, 16, 4, ScoringOptions.kif());
            for (String name : List.of("agnews", "dbpedia")) {
                Task task = bench.task(name);
                List<String> labels = task.info().labels();
                List<EncodedExample> pairs = Evaluator.rankingPairs(batcher, task.info(),
                        task.load(Split.TEST).subList(0, 6));
                double[] once = ev.encodedOnceLogLikelihoods(model, pairs, labels.size());
                assertNotNull(once, name + ": the encodings share a prompt");
                double[] whole = ev.fullSequenceLogLikelihoods(pairs);
                for (int i = 0; i < whole.length; i++) {
                    assertEquals(whole[i], once[i], 2e-3 * Math.max(1, Math.abs(whole[i])), name + " pair " + i);
                }
            }
        }
    }
}
