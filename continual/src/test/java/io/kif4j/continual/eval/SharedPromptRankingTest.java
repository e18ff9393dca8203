package io.kif4j.continual.eval;

import io.kif4j.datasets.Benchmark;
import io.kif4j.datasets.Example;
import io.kif4j.datasets.Split;
import io.kif4j.datasets.Task;
import io.kif4j.datasets.batch.Batcher;
import io.kif4j.datasets.batch.EncodedExample;
import io.kif4j.datasets.batch.ModelFamily;
import io.kif4j.lora.Lora;
import io.kif4j.lora.LoraAdapter;
import io.kif4j.lora.LoraConfig;
import io.kif4j.lora.LoraModule;
import io.kif4j.transformer.llama.LlamaModel;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * Label ranking with the prompt run once per example (cached keys and values) gives the log-likelihoods of
 * scoring each full prompt + label sequence: the built-in stories260K on real agnews and dbpedia test examples.
 */
class SharedPromptRankingTest {

    @Test
    void sharedPromptScoresEqualFullSequenceScores() {
        try (var r = RankingFixture.Ranking.open("stories260K-hf", LlamaModel::load, ModelFamily.LLAMA)) {
            compare(r);
            // and with a trained-looking adapter (B ≠ 0) attached in eval mode
            LoraAdapter lora = LoraAdapter.create(LoraConfig.of(8, 16, 0.05, List.of("q_proj", "k_proj", "v_proj",
                    "o_proj", "gate_proj", "up_proj", "down_proj"), "CAUSAL_LM"), 42);
            Lora.attach(r.model(), lora);
            Nd4j.getRandom().setSeed(5);
            for (LoraModule m : lora.modules()) {
                m.b().assign(Nd4j.randn(DataType.FLOAT, m.b().shape()).muli(0.2));
            }
            compare(r);
        }
    }

    private static void compare(RankingFixture.Ranking<LlamaModel> r) {
        Benchmark bench = RankingFixture.longSequence();
        Batcher batcher = r.batcher();
        Evaluator ev = r.ev();
        LlamaModel model = r.model();
        for (String name : List.of("agnews", "dbpedia")) {
            Task task = bench.task(name);
            List<String> labels = task.info().labels();
            List<EncodedExample> pairs = new ArrayList<>();
            for (Example e : task.load(Split.TEST).subList(0, 6)) {
                for (String label : labels) {
                    pairs.add(batcher.encode(task.info(), new Example(e.id(), e.input(), label)));
                }
            }
            double[] cached = ev.sharedPromptLogLikelihoods(model::continuationLogLikelihoods, pairs, labels.size());
            assertNotNull(cached, name + ": the encodings share a prompt");
            RankingFixture.assertSameLogLikelihoods(ev.fullSequenceLogLikelihoods(pairs), cached, name);
        }
    }
}
