package io.kif4j.lora.perf;

import io.kif4j.lora.Lora;
import io.kif4j.lora.LoraAdapter;
import io.kif4j.lora.LoraConfig;
import io.kif4j.transformer.LanguageModel;
import io.kif4j.transformer.ModelInputs;
import io.kif4j.transformer.Models;
import org.bytedeco.javacpp.Pointer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

/** Not a test: resident memory at each stage of a stories260K LoRA run. */
public final class RssTrace {
    static void rss(String what) {
        String r = "?";
        try {
            for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (l.startsWith("VmRSS")) r = l.substring(6).trim();
            }
        } catch (Exception e) { }
        System.out.printf("%-28s RSS %s, counter %d MB, javacpp physical %d MB, javacpp tracked %d MB%n", what, r, org.nd4j.linalg.factory.Nd4j.getEnvironment().getDeviceCouner(0) >> 20,
                Pointer.physicalBytes() >> 20, Pointer.totalBytes() >> 20);
    }

    public static void main(String[] args) {
        int steps = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        rss("start");
        org.nd4j.linalg.factory.Nd4j.create(1);
        rss("nd4j up");
        LanguageModel model = Models.load(Path.of(System.getProperty("kif.shared", "../shared"), "weights/stories260K-hf"));
        rss("model loaded");
        LoraAdapter lora = LoraAdapter.create(LoraConfig.of(8, 16, 0.05, List.of("q_proj", "k_proj", "v_proj", "o_proj",
                "gate_proj", "up_proj", "down_proj"), "CAUSAL_LM"), 42);
        lora.setTraining(true);
        Lora.attach(model, lora);
        rss("attached");
        Random rnd = new Random(1);
        int[][] ids = new int[8][128];
        for (int[] r : ids) for (int i = 0; i < 128; i++) r[i] = 3 + rnd.nextInt(500);
        ModelInputs in = new ModelInputs(ids, ModelInputs.of(ids).attentionMask(), ids, null, null);
        long gcNanos = 0;
        for (int s = 1; s <= steps; s++) {
            Lora.lossAndGradients(model, lora, in);
            if (Boolean.getBoolean("gcEachStep")) {
                long g0 = System.nanoTime();
                System.gc();
                gcNanos += System.nanoTime() - g0;
            }
            if (s == 1 || s == 2 || s == 5 || s % 10 == 0) rss("after step " + s);
        }
        System.out.printf("explicit gc: %.1f ms per step; NativeMemory collections %d%n", gcNanos / 1e6 / steps, io.kif4j.transformer.nn.NativeMemory.collections());
        System.gc();
        rss("after gc");
    }
}
