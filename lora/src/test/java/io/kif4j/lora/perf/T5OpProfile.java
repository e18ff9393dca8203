package io.kif4j.lora.perf;

import io.kif4j.lora.Lora;
import io.kif4j.lora.LoraAdapter;
import io.kif4j.lora.LoraConfig;
import io.kif4j.transformer.ModelInputs;
import io.kif4j.transformer.RandomWeightSource;
import io.kif4j.transformer.t5.T5Graph;
import io.kif4j.transformer.t5.T5Model;
import io.kif4j.weights.T5Config;

import java.util.List;
import java.util.Random;

/** Not a test: per-op times of one T5-small-sized LoRA (q, v) gradient step. */
public final class T5OpProfile {
    public static void main(String[] args) {
        int batch = 8, src = 128, tgt = 16;
        T5Config c = new T5Config(512, 64, 2048, 6, 6, 8, 32, 128, 1e-6, "relu", false, true, 32128, 0, 1, 0);
        T5Model model = new T5Model(c, new RandomWeightSource(T5Graph.stateDictShapes(c), 42, 0.05));
        LoraAdapter lora = LoraAdapter.create(LoraConfig.of(8, 16, 0.05, List.of("q", "v"), "SEQ_2_SEQ_LM"), 42);
        lora.setTraining(true);
        Lora.attach(model, lora);
        Random rnd = new Random(7);
        int[][] ids = new int[batch][src];
        int[][] labels = new int[batch][tgt];
        for (int[] r : ids) for (int i = 0; i < src; i++) r[i] = 3 + rnd.nextInt(32000);
        for (int[] r : labels) for (int i = 0; i < tgt; i++) r[i] = 3 + rnd.nextInt(32000);
        ModelInputs in = new ModelInputs(ids, ModelInputs.of(ids).attentionMask(), labels, null, null);
        for (int s = 0; s < 2; s++) {
            long t0 = System.nanoTime();
            Lora.lossAndGradients(model, lora, in);
            System.out.printf("step %d: %.0f ms%n", s, (System.nanoTime() - t0) / 1e6);
        }
        OpTimer timer = new OpTimer();
        model.trainingGraph().setListeners(timer);
        long t0 = System.nanoTime();
        Lora.lossAndGradients(model, lora, in);
        System.out.printf("profiled step: %.0f ms%n", (System.nanoTime() - t0) / 1e6);
        timer.print(Integer.getInteger("top", 40));
    }
}
