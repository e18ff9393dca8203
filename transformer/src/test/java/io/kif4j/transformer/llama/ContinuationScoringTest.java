package io.kif4j.transformer.llama;

import io.kif4j.transformer.ModelInputs;
import io.kif4j.transformer.testing.Candidates;
import io.kif4j.transformer.testing.Fixture;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Scoring continuations against a cached prompt gives the log-likelihoods of scoring each full sequence, on the
 * pretrained stories260K (prompts of different lengths, continuations of different lengths, some tokens not
 * counted).
 */
class ContinuationScoringTest {

    @Test
    void cachedPromptScoresEqualFullSequenceScores() {
        LlamaModel model = LlamaModel.load(Fixture.shared().resolve("weights/stories260K-hf"));
        Random rnd = new Random(3);
        int[][] prompts = new int[3][];
        int[][][] conts = new int[3][][];
        boolean[][][] counted = new boolean[3][][];
        for (int p = 0; p < 3; p++) {
            prompts[p] = new int[5 + 7 * p];
            prompts[p][0] = 1;
            for (int i = 1; i < prompts[p].length; i++) {
                prompts[p][i] = 3 + rnd.nextInt(500);
            }
            conts[p] = Candidates.random(p, () -> 3 + rnd.nextInt(500), counted);
        }
        double[][] cached = model.continuationLogLikelihoods(prompts, conts, counted);
        for (int p = 0; p < 3; p++) {
            for (int j = 0; j < conts[p].length; j++) {
                int[] seq = new int[prompts[p].length + conts[p][j].length];
                System.arraycopy(prompts[p], 0, seq, 0, prompts[p].length);
                System.arraycopy(conts[p][j], 0, seq, prompts[p].length, conts[p][j].length);
                INDArray logits = model.score(ModelInputs.of(new int[][]{seq})).logits();
                double expected = 0;
                for (int t = 0; t < conts[p][j].length; t++) {
                    if (!counted[p][j][t]) {
                        continue;
                    }
                    int at = prompts[p].length + t - 1;
                    INDArray row = logits.get(org.nd4j.linalg.indexing.NDArrayIndex.point(0),
                            org.nd4j.linalg.indexing.NDArrayIndex.point(at), org.nd4j.linalg.indexing.NDArrayIndex.all());
                    double max = row.maxNumber().doubleValue();
                    double lse = max + Math.log(org.nd4j.linalg.ops.transforms.Transforms.exp(row.sub(max)).sumNumber().doubleValue());
                    expected += row.getDouble(conts[p][j][t]) - lse;
                }
                assertEquals(expected, cached[p][j], 1e-3, "prompt " + p + " continuation " + j);
            }
        }
    }
}
