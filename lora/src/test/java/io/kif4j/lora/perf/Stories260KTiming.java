package io.kif4j.lora.perf;

import io.kif4j.lora.Lora;
import io.kif4j.lora.LoraAdapter;
import io.kif4j.lora.LoraConfig;
import io.kif4j.transformer.LanguageModel;
import io.kif4j.transformer.ModelInputs;
import io.kif4j.transformer.Models;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/** Not a unit test: times a LoRA step and a forward pass of stories260K in the default run's shape. */
public final class Stories260KTiming {
    public static void main(String[] args) {
        int steps = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        int batch = args.length > 1 ? Integer.parseInt(args[1]) : 8;
        int len = args.length > 2 ? Integer.parseInt(args[2]) : 128;
        int evalBatch = args.length > 3 ? Integer.parseInt(args[3]) : 32;
        LanguageModel model = Models.load(Path.of(System.getProperty("kif.shared", "../shared"), "weights/stories260K-hf"));
        LoraAdapter lora = LoraAdapter.create(LoraConfig.of(8, 16, 0.05, List.of("q_proj", "k_proj", "v_proj", "o_proj",
                "gate_proj", "up_proj", "down_proj"), "CAUSAL_LM"), 42);
        lora.setTraining(true);
        long t0 = System.nanoTime();
        Lora.attach(model, lora);
        System.out.printf("attach %.0f ms, ops %d%n", (System.nanoTime() - t0) / 1e6, model.trainingGraph().getOps().size());
        Random rnd = new Random(1);
        int[][] ids = new int[batch][len];
        for (int[] r : ids) for (int i = 0; i < len; i++) r[i] = 3 + rnd.nextInt(500);
        int[][] mask = ModelInputs.of(ids).attentionMask();
        ModelInputs in = new ModelInputs(ids, mask, ids, null, null);
        double[] t = new double[steps];
        double[] cpu = new double[steps];
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        for (int s = 0; s < steps + 3; s++) {
            long a = System.nanoTime();
            long ca = mx.getCurrentThreadCpuTime();
            Lora.LossAndGradients lg = Lora.lossAndGradients(model, lora, in);
            long b = System.nanoTime();
            if (s >= 3) {
                t[s - 3] = (b - a) / 1e6;
                cpu[s - 3] = (mx.getCurrentThreadCpuTime() - ca) / 1e6;
            }
            if (s == 0) System.out.printf("first step %.0f ms loss %.4f%n", (b - a) / 1e6, lg.loss());
        }
        if (System.getProperty("optimer") != null) {
            OpTimer timer = new OpTimer();
            model.trainingGraph().setListeners(timer);
            int n = Integer.getInteger("optimer", 1);
            long ca = mx.getCurrentThreadCpuTime();
            for (int s = 0; s < n; s++) Lora.lossAndGradients(model, lora, in);
            System.out.printf("%d steps with the timer: main-thread CPU %.1f ms per step (op sums below are over all %d)%n",
                    n, (mx.getCurrentThreadCpuTime() - ca) / 1e6 / n, n);
            timer.print(60);
            model.trainingGraph().setListeners();
        }
        Arrays.sort(t);
        Arrays.sort(cpu);
        System.out.printf("train step %dx%d: median %.1f ms (min %.1f, max %.1f); main-thread CPU median %.1f ms%n",
                batch, len, t[steps / 2], t[0], t[steps - 1], cpu[steps / 2]);
        lora.setTraining(false);
        Lora.attach(model, lora);
        int[][] eids = new int[evalBatch][len];
        for (int[] r : eids) for (int i = 0; i < len; i++) r[i] = 3 + rnd.nextInt(500);
        ModelInputs ein = ModelInputs.of(eids);
        double[] e = new double[steps];
        double[] ec = new double[steps];
        for (int s = 0; s < steps + 3; s++) {
            long a = System.nanoTime();
            long ca = mx.getCurrentThreadCpuTime();
            model.score(ein).logits();
            long b = System.nanoTime();
            if (s >= 3) {
                e[s - 3] = (b - a) / 1e6;
                ec[s - 3] = (mx.getCurrentThreadCpuTime() - ca) / 1e6;
            }
        }
        Arrays.sort(e);
        Arrays.sort(ec);
        System.out.printf("eval forward %dx%d: median %.1f ms -> %.0f seq/s; main-thread CPU median %.1f ms%n",
                evalBatch, len, e[steps / 2], evalBatch * 1000 / e[steps / 2], ec[steps / 2]);
        long rss = 0;
        try { for (String l : java.nio.file.Files.readAllLines(Path.of("/proc/self/status"))) if (l.startsWith("VmHWM")) System.out.println(l); } catch (Exception ex) { }
    }
}
