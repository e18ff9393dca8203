package io.kif4j.continual.eval;

import io.kif4j.continual.metrics.ScoringOptions;
import io.kif4j.datasets.Benchmark;
import io.kif4j.datasets.Benchmarks;
import io.kif4j.datasets.batch.BatchOptions;
import io.kif4j.datasets.batch.Batcher;
import io.kif4j.datasets.batch.ModelFamily;
import io.kif4j.datasets.prompt.PromptTemplates;
import io.kif4j.tokenizer.Tokenizer;
import io.kif4j.tokenizer.Tokenizers;
import io.kif4j.transformer.LanguageModel;

import java.nio.file.Path;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** What the label-ranking tests share: the reference folder's data, the batcher and evaluator they score with. */
final class RankingFixture {

    private RankingFixture() {
    }

    static Path shared() {
        return Path.of(System.getProperty("kif.shared", "../shared"));
    }

    static Path weights(String name) {
        return shared().resolve("weights").resolve(name);
    }

    static Benchmark longSequence() {
        return Benchmarks.open(Benchmarks.dataRoot(shared().resolve("data")), "long_sequence");
    }

    /** The short template, prompts cut at 128 and targets at 16 tokens. */
    static Batcher shortPrompts(ModelFamily family, Tokenizer tok) {
        return new Batcher(family, tok, PromptTemplates.builtIn().get("short"), BatchOptions.defaults().withLengths(128, 16));
    }

    /** Label ranking, 4 examples at a time, KIF's scoring. */
    static Evaluator ranker(LanguageModel model, Tokenizer tok, Batcher batcher) {
        return new Evaluator(model, tok, batcher, Evaluator.Mode.RANK_LABELS, 16, 4, ScoringOptions.kif());
    }

    /** A model of the reference folder with its tokenizer, the short-prompt batcher and the ranking evaluator. */
    record Ranking<M extends LanguageModel>(M model, Tokenizer tok, Batcher batcher, Evaluator ev)
            implements AutoCloseable {

        static <M extends LanguageModel> Ranking<M> open(String weights, Function<Path, M> load, ModelFamily family) {
            Path dir = weights(weights);
            M model = load.apply(dir);
            Tokenizer tok = Tokenizers.load(dir);
            Batcher batcher = shortPrompts(family, tok);
            return new Ranking<>(model, tok, batcher, ranker(model, tok, batcher));
        }

        @Override
        public void close() {
            tok.close();
        }
    }

    /** Each pair's log-likelihood equals the whole sequence's, to 2e-3 relative (1 below magnitude 1). */
    static void assertSameLogLikelihoods(double[] whole, double[] fast, String name) {
        for (int i = 0; i < whole.length; i++) {
            assertEquals(whole[i], fast[i], 2e-3 * Math.max(1, Math.abs(whole[i])), name + " pair " + i);
        }
    }
}
