package io.kif4j.continual.methods;

import io.kif4j.continual.ContinualMethod;
import io.kif4j.continual.RunConfig;
import io.kif4j.continual.TaskContext;
import io.kif4j.continual.TaskOutcome;
import io.kif4j.continual.fusion.FusionRule;
import io.kif4j.continual.fusion.MergingFusion;
import io.kif4j.continual.fusion.ParameterEma;
import io.kif4j.continual.fusion.WeightEnsembleFusion;
import io.kif4j.lora.LoraAdapter;
import io.kif4j.lora.SkillUnit;
import io.kif4j.lora.train.StepHook;

import java.util.List;
import java.util.Map;

/**
 * The fusion ablations of the paper's Table V (spec §4.1): the coarse weight ensemble θ̃_t = λθ̃_{t−1} + (1−λ)θ_t
 * (Eq. 14, λ = 0.5), and a per-iteration EMA of the parameters (μ = 0.999) carried across tasks; beside them the
 * model-merging baselines of PEFT's {@code add_weighted_adapter} ({@link MergingFusion}: task arithmetic, magnitude
 * prune, TIES, DARE linear / TIES) applied to θ̃_{t−1} and θ_t after each task.
 */
public final class FusionAblation implements ContinualMethod {

    private final String name;
    /**
     * The fusion ablations' settings.
     *
     * @param ensembleLambda the weight ensemble's λ on the previous adapter (Eq. 14)
     * @param emaMu          the EMA's μ per training step
     * @param mergeWeights   the merging baselines' weights on the previous and current adapter; null: identity
     */
    public record Settings(double ensembleLambda, double emaMu, List<Double> mergeWeights, double mergeDensity,
                           String mergeMajoritySign) {
        public static Settings of(RunConfig c) {
            return new Settings(c.ensembleLambda, c.emaMu, c.mergeWeights, c.mergeDensity, c.mergeMajoritySign);
        }
    }

    private final Settings config;
    private final MergingFusion.Combination merging; // null for the ensemble and the EMA

    private FusionAblation(String name, Settings config, MergingFusion.Combination merging) {
        this.name = name;
        this.config = config;
        this.merging = merging;
    }

    private FusionAblation(String name, Settings config) {
        this(name, config, null);
    }

    /** A merging baseline: train task t from θ̃_{t−1}, then θ̃_t = merge(θ̃_{t−1}, θ_t). */
    public static FusionAblation merging(RunConfig config, MergingFusion.Combination combination) {
        return merging(Settings.of(config), combination);
    }

    public static FusionAblation merging(Settings config, MergingFusion.Combination combination) {
        mergingRule(config, combination, 0); // bad settings fail before any training
        return new FusionAblation(combination.id(), config, combination);
    }

    /** The merge of this run and task: weights, density and sign rule from the config, DARE seeded per task. */
    static MergingFusion mergingRule(Settings config, MergingFusion.Combination combination, long seed) {
        double[] w = config.mergeWeights() == null ? combination.identityWeights()
                : config.mergeWeights().stream().mapToDouble(Double::doubleValue).toArray();
        MergingFusion.MajoritySign sign = switch (config.mergeMajoritySign().toLowerCase(java.util.Locale.ROOT)) {
            case "total" -> MergingFusion.MajoritySign.TOTAL;
            case "frequency" -> MergingFusion.MajoritySign.FREQUENCY;
            default -> throw new IllegalArgumentException("merge_majority_sign must be total or frequency, got '"
                    + config.mergeMajoritySign() + "'");
        };
        return new MergingFusion(combination, w, config.mergeDensity(), sign, seed);
    }

    public static FusionAblation weightEnsemble(RunConfig config) {
        return weightEnsemble(Settings.of(config));
    }

    public static FusionAblation weightEnsemble(Settings config) {
        return new FusionAblation("weight-ensemble", config);
    }

    public static FusionAblation ema(RunConfig config) {
        return ema(Settings.of(config));
    }

    public static FusionAblation ema(Settings config) {
        return new FusionAblation("ema", config);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public boolean usesReplay() {
        return false;
    }

    @Override
    public TaskOutcome learn(TaskContext ctx) {
        LoraAdapter current = ctx.start();
        if (name.equals("ema")) {
            ParameterEma ema = new ParameterEma(current, config.emaMu());
            var r = ctx.trainOn(current, ctx.trainConfig(), ema);
            LoraAdapter averaged = ema.averaged();
            return new TaskOutcome(averaged, r.stepLosses(), Map.of(), Map.of("ema_steps", ema.steps()));
        }
        var r = ctx.trainOn(current, ctx.trainConfig(), StepHook.NONE);
        if (ctx.previous() == null) {
            return TaskOutcome.of(current, r.stepLosses());
        }
        FusionRule rule = merging == null ? new WeightEnsembleFusion(config.ensembleLambda())
                : mergingRule(config, merging, ctx.seed() * 1_000_003L + ctx.index());
        var f = rule.fuse(ctx.previous(), current, SkillUnit.matrixLevel(current), Map.of(), Map.of());
        if (merging == null) {
            return TaskOutcome.of(f.fused(), r.stepLosses());
        }
        return new TaskOutcome(f.fused(), r.stepLosses(), Map.of(), Map.of("fusion", rule.name(),
                "fusion_cases", f.caseCounts()));
    }
}
