package io.kif4j.lora.train;

import io.kif4j.lora.LoraAdapter;
import io.kif4j.lora.LoraConfig;
import io.kif4j.transformer.ModelInputs;
import io.kif4j.transformer.RandomWeightSource;
import io.kif4j.transformer.llama.LlamaGraph;
import io.kif4j.transformer.llama.LlamaModel;
import io.kif4j.transformer.nn.NativeMemory;
import io.kif4j.weights.LlamaConfig;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Tiny models' sessions reuse released arrays ({@link NativeMemory#forModel}); training with that cache gives
 * bit for bit the losses and adapter of training without it, over batches of changing lengths (so reused arrays
 * of one shape meet ops of another, and stale contents would show).
 */
class SessionCacheTest {

    private static final LlamaConfig CONFIG = new LlamaConfig(32, 64, 2, 4, 2, 128, 1e-5, 10000.0, 256, true, 1, 2, -1);

    @Test
    void trainingWithTheSessionCacheIsBitIdentical() {
        LlamaModel uncached = model();
        NativeMemory.forModel(Long.MAX_VALUE); // its sessions, made at the first step, keep no arrays
        assertEquals(0, NativeMemory.cacheBytes());
        Run without = train(uncached);
        LlamaModel cached = model(); // a tiny model: its sessions get the cache
        assertTrue(NativeMemory.cacheBytes() > 0, "a tiny model gets a session cache");
        Run with = train(cached);
        assertEquals(without.losses(), with.losses());
        for (String v : without.adapter().variableNames()) {
            assertArrayEquals(without.adapter().array(v).data().asFloat(), with.adapter().array(v).data().asFloat(), 0f, v);
        }
    }

    private record Run(List<Double> losses, LoraAdapter adapter) {
    }

    private static LlamaModel model() {
        return new LlamaModel(CONFIG, new RandomWeightSource(LlamaGraph.stateDictShapes(CONFIG), 5, 0.05), 2);
    }

    private static Run train(LlamaModel model) {
        LoraAdapter adapter = LoraAdapter.create(LoraConfig.of(4, 8, 0.05, List.of("q_proj", "k_proj", "v_proj",
                "o_proj", "gate_proj", "up_proj", "down_proj"), "CAUSAL_LM"), 3);
        Random rnd = new Random(9);
        List<ModelInputs> batches = new ArrayList<>();
        for (int b = 0; b < 6; b++) {
            int[][] ids = new int[3][b % 2 == 0 ? 20 : 13];
            for (int[] row : ids) {
                for (int i = 0; i < row.length; i++) {
                    row[i] = 3 + rnd.nextInt(CONFIG.vocabSize() - 3);
                }
            }
            batches.add(new ModelInputs(ids, ModelInputs.of(ids).attentionMask(), ids, null, null));
        }
        LoraTrainer.Result r = new LoraTrainer(model, adapter, TrainConfig.defaults(2, 1e-2, 7))
                .train(e -> batches, List.of(), StepHook.NONE);
        return new Run(r.stepLosses(), adapter);
    }
}
