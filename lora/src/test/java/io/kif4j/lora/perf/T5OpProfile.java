package io.kif4j.lora.perf;

import io.kif4j.lora.Lora;
import io.kif4j.lora.LoraAdapter;
import io.kif4j.transformer.ModelInputs;
import io.kif4j.transformer.t5.T5Model;


/** Not a test: per-op times of one T5-small-sized LoRA (q, v) gradient step. */
public final class T5OpProfile {
    public static void main(String[] args) {
        T5Model model = T5SmallStep.randomModel();
        T5SmallStep step = T5SmallStep.on(model);
        LoraAdapter lora = step.lora();
        ModelInputs in = step.in();
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
