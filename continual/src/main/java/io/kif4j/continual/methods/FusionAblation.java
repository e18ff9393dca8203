package io.kif4j.continual.methods;

import io.kif4j.continual.ContinualMethod;
import io.kif4j.continual.RunConfig;
import io.kif4j.continual.TaskContext;
import io.kif4j.continual.TaskOutcome;
import io.kif4j.continual.fusion.ParameterEma;
import io.kif4j.continual.fusion.WeightEnsembleFusion;
import io.kif4j.lora.Lora;
import io.kif4j.lora.LoraAdapter;
import io.kif4j.lora.SkillUnit;
import io.kif4j.lora.train.StepHook;

import java.util.Map;

/**
 * The fusion ablations of the paper's Table V (spec §4.1): the coarse weight ensemble θ̃_t = λθ̃_{t−1} + (1−λ)θ_t
 * (Eq. 14, λ = 0.5), and a per-iteration EMA of the parameters (μ = 0.999) carried across tasks.
 */
public final class FusionAblation implements ContinualMethod {

    private final String name;
    private final RunConfig config;

    private FusionAblation(String name, RunConfig config) {
        this.name = name;
        this.config = config;
    }

    public static FusionAblation weightEnsemble(RunConfig config) {
        return new FusionAblation("weight-ensemble", config);
    }

    public static FusionAblation ema(RunConfig config) {
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
            ParameterEma ema = new ParameterEma(current, config.emaMu);
            var r = ctx.trainOn(current, ctx.trainConfig(), ema);
            LoraAdapter averaged = ema.averaged();
            Lora.attach(ctx.model(), averaged);
            return new TaskOutcome(averaged, r.stepLosses(), Map.of(), Map.of("ema_steps", ema.steps()));
        }
        var r = ctx.trainOn(current, ctx.trainConfig(), StepHook.NONE);
        if (ctx.previous() == null) {
            return TaskOutcome.of(current, r.stepLosses());
        }
        var f = new WeightEnsembleFusion(config.ensembleLambda).fuse(ctx.previous(), current,
                SkillUnit.matrixLevel(current), Map.of(), Map.of());
        Lora.attach(ctx.model(), f.fused());
        return TaskOutcome.of(f.fused(), r.stepLosses());
    }
}
