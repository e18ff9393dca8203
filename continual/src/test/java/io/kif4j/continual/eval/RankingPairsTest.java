package io.kif4j.continual.eval;

import io.kif4j.datasets.Example;
import io.kif4j.datasets.Split;
import io.kif4j.datasets.Task;
import io.kif4j.datasets.batch.Batcher;
import io.kif4j.datasets.batch.EncodedExample;
import io.kif4j.datasets.batch.ModelFamily;
import io.kif4j.tokenizer.Tokenizer;
import io.kif4j.tokenizer.Tokenizers;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Candidate labels are ranked whole even when training cuts targets: agnews' "Science or Technology" is 16
 * stories260K tokens, so the default 16-token target budget drops its EOS, and with a cut label it won every
 * example of the built-in default run.
 */
class RankingPairsTest {

    @Test
    void labelsLongerThanTheTargetBudgetAreScoredWholeWithTheirEos() {
        Path modelDir = RankingFixture.weights("stories260K-hf");
        Task agnews = RankingFixture.longSequence().task("agnews");
        try (Tokenizer tok = Tokenizers.load(modelDir)) {
            Batcher training = RankingFixture.shortPrompts(ModelFamily.LLAMA, tok);
            Example test = agnews.load(Split.TEST).get(0);
            List<String> labels = agnews.info().labels();
            List<EncodedExample> pairs = Evaluator.rankingPairs(training, agnews.info(), List.of(test));
            assertEquals(labels.size(), pairs.size());
            for (int l = 0; l < labels.size(); l++) {
                EncodedExample pair = pairs.get(l);
                int[] target = Arrays.copyOfRange(pair.labels(), pair.promptLength(), pair.labels().length);
                assertEquals(tok.eosId(), target[target.length - 1], labels.get(l) + " ends in EOS");
                EncodedExample trained = training.encode(agnews.info(), new Example(test.id(), test.input(), labels.get(l)));
                assertArrayEquals(Arrays.copyOf(trained.inputIds(), trained.promptLength()),
                        Arrays.copyOf(pair.inputIds(), pair.promptLength()), "the prompt is cut as in training");
                if (labels.get(l).equals("Science or Technology")) {
                    assertTrue(trained.targetTruncated() && trained.labels()[trained.labels().length - 1] != tok.eosId(),
                            "training cuts this label (else the test proves nothing)");
                    assertEquals(17, target.length, "16 label tokens + EOS");
                }
            }
        }
    }
}
