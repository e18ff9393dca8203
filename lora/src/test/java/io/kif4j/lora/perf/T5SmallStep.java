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

/**
 * Not a test: what the T5 profiles time, a T5-small-sized model with random weights, a LoRA (r 8 on q, v) attached
 * in training mode, and one random batch of 8 × 128 → 16.
 */
record T5SmallStep(T5Model model, LoraAdapter lora, ModelInputs in) {

    static final int BATCH = 8, SRC = 128, TGT = 16;

    static T5Model randomModel() {
        T5Config c = new T5Config(512, 64, 2048, 6, 6, 8, 32, 128, 1e-6, "relu", false, true, 32128, 0, 1, 0);
        return new T5Model(c, new RandomWeightSource(T5Graph.stateDictShapes(c), 42, 0.05));
    }

    static T5SmallStep on(T5Model model) {
        LoraAdapter lora = LoraAdapter.create(LoraConfig.of(8, 16, 0.05, List.of("q", "v"), "SEQ_2_SEQ_LM"), 42);
        lora.setTraining(true);
        Lora.attach(model, lora);
        Random rnd = new Random(7);
        int[][] ids = new int[BATCH][SRC];
        int[][] labels = new int[BATCH][TGT];
        for (int[] r : ids) for (int i = 0; i < SRC; i++) r[i] = 3 + rnd.nextInt(32000);
        for (int[] r : labels) for (int i = 0; i < TGT; i++) r[i] = 3 + rnd.nextInt(32000);
        return new T5SmallStep(model, lora, new ModelInputs(ids, ModelInputs.of(ids).attentionMask(), labels, null, null));
    }
}
