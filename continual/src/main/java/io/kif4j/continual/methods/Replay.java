package io.kif4j.continual.methods;

import io.kif4j.continual.ContinualMethod;
import io.kif4j.continual.TaskContext;
import io.kif4j.continual.TaskOutcome;
import io.kif4j.lora.LoraAdapter;
import io.kif4j.lora.train.StepHook;

/** SeqLoRA trained on the task's data and the memory of earlier tasks, shuffled together (spec §7). */
public final class Replay implements ContinualMethod {

    @Override
    public String name() {
        return "replay";
    }

    @Override
    public boolean usesReplay() {
        return true;
    }

    @Override
    public TaskOutcome learn(TaskContext ctx) {
        LoraAdapter adapter = ctx.start();
        var r = ctx.trainOn(ctx.joint(), adapter, ctx.trainConfig(), StepHook.NONE);
        return TaskOutcome.of(adapter, r.stepLosses());
    }
}
