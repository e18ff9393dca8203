package io.kif4j.bench;

import io.kif4j.lora.Lora;
import io.kif4j.lora.LoraAdapter;
import io.kif4j.lora.LoraConfig;
import io.kif4j.transformer.LanguageModel;
import io.kif4j.transformer.ModelInputs;
import io.kif4j.transformer.RandomWeightSource;
import io.kif4j.transformer.llama.LlamaGraph;
import io.kif4j.transformer.llama.LlamaModel;
import io.kif4j.weights.LlamaConfig;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

import java.util.List;
import java.util.Random;

/**
 * The default run's hot paths on a stories260K-shaped LLaMA (dim 64, 5 layers, 8 heads / 4 key-value heads,
 * vocab 512; random weights): a LoRA step (r 8 on every linear, dropout 0.05) on 8 × 128 tokens, and the
 * label-ranking forward pass on 32 × 128.
 */
public class StepBenchmark extends KifBenchmark {

    @Param({"128"})
    int length;

    LanguageModel model;
    LoraAdapter adapter;
    ModelInputs train;
    ModelInputs eval;

    @Setup
    public void setUp() {
        LlamaConfig c = new LlamaConfig(64, 172, 5, 8, 4, 512, 1e-5, 10000.0, 512, true, 1, 2, -1);
        model = new LlamaModel(c, new RandomWeightSource(LlamaGraph.stateDictShapes(c), 1, 0.05), 2);
        adapter = LoraAdapter.create(LoraConfig.of(8, 16, 0.05, List.of("q_proj", "k_proj", "v_proj", "o_proj",
                "gate_proj", "up_proj", "down_proj"), "CAUSAL_LM"), 42);
        Lora.use(model, adapter, io.kif4j.lora.AttachedAdapter.Mode.TRAIN).built();
        train = batch(8, new Random(1), true);
        eval = batch(32, new Random(2), false);
    }

    private ModelInputs batch(int rows, Random rnd, boolean labels) {
        int[][] ids = new int[rows][length];
        for (int[] r : ids) {
            for (int i = 0; i < length; i++) {
                r[i] = 3 + rnd.nextInt(509);
            }
        }
        ModelInputs in = ModelInputs.of(ids);
        return labels ? new ModelInputs(ids, in.attentionMask(), ids, null, null) : in;
    }

    @Benchmark
    public double loraStep() {
        return Lora.lossAndGradients(model, adapter, train).loss();
    }

    @Benchmark
    public Object forward() {
        return model.score(eval).logits();
    }
}
