package io.kif4j.continual.eval;

import io.kif4j.datasets.Benchmark;
import io.kif4j.datasets.Split;
import io.kif4j.datasets.Task;
import io.kif4j.datasets.batch.Batcher;
import io.kif4j.datasets.batch.EncodedExample;
import io.kif4j.datasets.batch.ModelFamily;
import io.kif4j.transformer.t5.T5Model;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * T5 label ranking with each prompt encoded once gives the log-likelihoods of scoring every (prompt, label) pair
 * whole: kif-t5-tiny on real agnews and dbpedia test examples, in batches that do not divide the examples.
 */
class EncodedOnceRankingTest {

    @Test
    void encodedOnceScoresEqualWholePairScores() {
        Benchmark bench = RankingFixture.longSequence();
        try (var r = RankingFixture.Ranking.open("kif-t5-tiny", T5Model::load, ModelFamily.T5)) {
            Batcher batcher = r.batcher();
            Evaluator ev = r.ev();
            for (String name : List.of("agnews", "dbpedia")) {
                Task task = bench.task(name);
                List<String> labels = task.info().labels();
                List<EncodedExample> pairs = Evaluator.rankingPairs(batcher, task.info(),
                        task.load(Split.TEST).subList(0, 6));
                double[] once = ev.encodedOnceLogLikelihoods(r.model(), pairs, labels.size());
                assertNotNull(once, name + ": the encodings share a prompt");
                RankingFixture.assertSameLogLikelihoods(ev.fullSequenceLogLikelihoods(pairs), once, name);
            }
        }
    }
}
