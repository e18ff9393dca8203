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

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * 1000 LoRA training steps of a tiny LLaMA through the trainer: the resident set after step 1000 stays within a
 * band of what it was after step 10 (it used to climb by hundreds of MB per step until some collection happened).
 * No timing is asserted. It is a benchmark (three minutes, and RSS is noisy on a shared machine), so it runs
 * with {@code mvn -B verify -Pbenchmarks}, not in the default test run.
 */
@org.junit.jupiter.api.Tag("benchmark")
class MemoryFlatnessTest {

    @Test
    void residentMemoryAfter1000StepsIsWhatItWasAfter10() {
        LlamaConfig c = new LlamaConfig(32, 64, 2, 4, 2, 128, 1e-5, 10000.0, 256, true, 1, 2, -1);
        LlamaModel model = new LlamaModel(c, new RandomWeightSource(LlamaGraph.stateDictShapes(c), 5, 0.05), 2);
        LoraAdapter adapter = LoraAdapter.create(LoraConfig.of(4, 8, 0.05, List.of("q_proj", "k_proj", "v_proj",
                "o_proj", "gate_proj", "up_proj", "down_proj"), "CAUSAL_LM"), 3);
        Random rnd = new Random(9);
        int[][] ids = new int[4][32];
        for (int[] row : ids) {
            for (int i = 0; i < row.length; i++) {
                row[i] = 3 + rnd.nextInt(c.vocabSize() - 3);
            }
        }
        ModelInputs batch = new ModelInputs(ids, ModelInputs.of(ids).attentionMask(), ids, null, null);
        int steps = 1000;
        long[] rss = new long[steps + 1];
        long[] allocated = new long[steps + 1];
        StepHook probe = (step, params, grads, loss) -> {
            rss[step] = residentKb();
            allocated[step] = NativeMemory.allocatedBytes();
            if (Boolean.getBoolean("kif.trace.memory") && step % 100 == 0) {
                Runtime rt = Runtime.getRuntime();
                System.out.printf("step %d: RSS %d MB, heap committed %d MB, used %d MB, ND4J %d MB, javacpp %d MB%n",
                        step, rss[step] / 1024, rt.totalMemory() >> 20, (rt.totalMemory() - rt.freeMemory()) >> 20,
                        allocated[step] >> 20, org.bytedeco.javacpp.Pointer.totalBytes() >> 20);
            }
        };
        new LoraTrainer(model, adapter, TrainConfig.defaults(1, 1e-3, 1))
                .train(e -> Collections.nCopies(steps, batch), List.of(), probe);
        long growthMb = (rss[steps] - rss[10]) / 1024;
        String trace = String.format("RSS after step 10: %d MB, 100: %d MB, 500: %d MB, 1000: %d MB; ND4J allocated "
                        + "after step 10: %d MB, 1000: %d MB; collections by NativeMemory: %d", rss[10] / 1024,
                rss[100] / 1024, rss[500] / 1024, rss[steps] / 1024, allocated[10] >> 20, allocated[steps] >> 20,
                NativeMemory.collections());
        System.out.println(trace);
        assertTrue(rss[10] > 0, "no /proc/self/status");
        assertTrue(growthMb < 150, "resident memory grew by " + growthMb + " MB: " + trace);
        assertTrue(allocated[steps] < allocated[10] + (300L << 20), trace);
    }

    private static long residentKb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.substring(6).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

}
