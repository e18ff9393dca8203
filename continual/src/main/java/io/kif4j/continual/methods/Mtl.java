package io.kif4j.continual.methods;

import io.kif4j.continual.ContinualMethod;
import io.kif4j.continual.TaskContext;
import io.kif4j.continual.TaskOutcome;
import io.kif4j.lora.LoraAdapter;
import io.kif4j.lora.train.StepHook;

/**
 * Multi-task learning (MTL), the papers' upper-bound row: one LoRA, or with {@code full_parameters} every base
 * weight, trained once on the union of all tasks' training data (the runner hands it over as one task, see
 * {@link Kind#JOINT}) for the same number of epochs, and evaluated on every task.
 */
public final class Mtl implements ContinualMethod {

    private final boolean fullParameters;

    public Mtl(boolean fullParameters) {
        this.fullParameters = fullParameters;
    }

    @Override
    public String name() {
        return "mtl";
    }

    @Override
    public boolean usesReplay() {
        return false;
    }

    @Override
    public Kind kind() {
        return Kind.JOINT;
    }

    @Override
    public TaskOutcome learn(TaskContext ctx) {
        if (fullParameters) {
            LoraAdapter none = ctx.noAdapter();
            return TaskOutcome.of(none, ctx.trainAllWeights(ctx.train(), none).stepLosses());
        }
        LoraAdapter adapter = ctx.fresh();
        return TaskOutcome.of(adapter, ctx.trainOn(adapter, ctx.trainConfig(), StepHook.NONE).stepLosses());
    }
}
