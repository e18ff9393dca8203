package io.kif4j.cli;

import io.kif4j.continual.RunConfig;
import io.kif4j.continual.fusion.AdaptiveSoftMaskFusion;
import io.kif4j.continual.fusion.FusionResult;
import io.kif4j.continual.fusion.FusionSpace;
import io.kif4j.lora.LoraAdapter;
import io.kif4j.lora.LoraConfig;
import io.kif4j.lora.SkillUnit;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The fusion figure of {@code kif bench}: KIFLoRA's adaptive soft-mask fusion ({@link AdaptiveSoftMaskFusion}, as
 * {@code KifFamily} builds it from the run defaults: τ and fusion space of {@link RunConfig}, rank-one skill units)
 * of two random T5-large-sized adapters — LoRA r 8 on q and v of every attention, 24 + 24 layers: 144 modules of
 * 1024 → 1024 — with random normalised cumulative and current unit scores.
 */
final class BenchFusion {

    static final int LAYERS = 24;
    static final int WIDTH = 1024;

    private BenchFusion() {
    }

    /** Median wall time in ms of {@code runs} fusions after one untimed one. */
    static double medianMs(int r, int runs) {
        LoraConfig config = LoraConfig.of(r, 2 * r, 0.05, List.of("q", "v"), "SEQ_2_SEQ_LM");
        LoraAdapter previous = randomAdapter(config, 1);
        LoraAdapter current = randomAdapter(config, 2);
        List<SkillUnit> units = SkillUnit.rankOne(current);
        Random rnd = new Random(3);
        Map<String, Double> p = new LinkedHashMap<>();
        Map<String, Double> c = new LinkedHashMap<>();
        for (SkillUnit u : units) {
            p.put(u.id(), rnd.nextDouble());
            c.put(u.id(), rnd.nextDouble());
        }
        RunConfig defaults = new RunConfig();
        AdaptiveSoftMaskFusion fusion = new AdaptiveSoftMaskFusion(defaults.tau,
                "delta".equals(defaults.fusionSpace) ? FusionSpace.DELTA : FusionSpace.FACTORS);
        double[] ms = new double[runs];
        for (int i = -1; i < runs; i++) {
            long s = System.nanoTime();
            FusionResult f = fusion.fuse(previous, current, units, p, c);
            double t = (System.nanoTime() - s) / 1e6;
            if (f.fused().modules().size() != current.modules().size()) {
                throw new IllegalStateException("fusion lost modules");
            }
            if (i >= 0) {
                ms[i] = t;
            }
        }
        return BenchCommand.median(ms);
    }

    /** The 144 q/v modules of a T5-large-sized model (24 encoder, 24 decoder layers), random A and B. */
    static LoraAdapter randomAdapter(LoraConfig config, long seed) {
        int r = config.r();
        Map<String, INDArray[]> modules = new LinkedHashMap<>();
        Nd4j.getRandom().setSeed(seed);
        for (String stack : new String[]{"encoder", "decoder"}) {
            for (int l = 0; l < LAYERS; l++) {
                List<String> attentions = stack.equals("encoder") ? List.of("layer.0.SelfAttention")
                        : List.of("layer.0.SelfAttention", "layer.1.EncDecAttention");
                for (String att : attentions) {
                    for (String m : new String[]{"q", "v"}) {
                        modules.put(stack + ".block." + l + "." + att + "." + m, new INDArray[]{
                                Nd4j.randn(DataType.FLOAT, r, WIDTH).muli(0.01),
                                Nd4j.randn(DataType.FLOAT, WIDTH, r).muli(0.01)});
                    }
                }
            }
        }
        return LoraAdapter.of(config, modules);
    }
}
