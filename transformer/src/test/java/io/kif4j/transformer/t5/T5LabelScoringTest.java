package io.kif4j.transformer.t5;

import io.kif4j.transformer.LogProbs;
import io.kif4j.transformer.ModelInputs;
import io.kif4j.transformer.testing.Candidates;
import io.kif4j.transformer.testing.Fixture;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Scoring labels against prompts encoded once gives the log-likelihoods of scoring every (prompt, label) pair
 * whole, on every T5 fixture (padded prompts of different lengths, labels of different lengths, one of a single
 * token, some tokens not counted).
 */
class T5LabelScoringTest {

    @TestFactory
    Stream<DynamicTest> encodedOnceScoresEqualWholePairScores() {
        return Fixture.all("t5").stream().map(f -> DynamicTest.dynamicTest(f.name(), () -> {
            T5Model model = T5Model.load(f.dir());
            int vocab = model.vocabSize();
            Random rnd = new Random(5);
            int prompts = 3;
            int width = 9;
            int[][] ids = new int[prompts][width];
            int[][] mask = new int[prompts][width];
            int[][][] labels = new int[prompts][][];
            boolean[][][] counted = new boolean[prompts][][];
            for (int p = 0; p < prompts; p++) {
                int len = width - 3 * p;
                for (int i = 0; i < len; i++) {
                    ids[p][i] = 2 + rnd.nextInt(vocab - 2);
                    mask[p][i] = 1;
                }
                labels[p] = Candidates.random(p, () -> 2 + rnd.nextInt(vocab - 2), counted);
            }
            double[][] once = model.labelLogLikelihoods(ids, mask, labels, counted);
            int start = model.config().decoderStartTokenId();
            for (int p = 0; p < prompts; p++) {
                for (int j = 0; j < labels[p].length; j++) {
                    int[] label = labels[p][j];
                    int[] dec = new int[label.length];
                    dec[0] = start;
                    System.arraycopy(label, 0, dec, 1, label.length - 1);
                    float[] logits = model.score(new ModelInputs(new int[][]{ids[p]}, new int[][]{mask[p]}, null,
                            new int[][]{dec}, null)).logits().dup('c').data().asFloat();
                    double expected = 0;
                    for (int t = 0; t < label.length; t++) {
                        if (counted[p][j][t]) {
                            expected += LogProbs.logSoftmaxAt(logits, t * vocab, vocab, label[t]);
                        }
                    }
                    assertEquals(expected, once[p][j], 1e-3, "prompt " + p + " label " + j);
                }
            }
        }));
    }
}
