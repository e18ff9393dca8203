package io.kif4j.continual.methods;

import io.kif4j.continual.ContinualMethod;
import io.kif4j.continual.TaskContext;
import io.kif4j.continual.TaskOutcome;
import io.kif4j.lora.LoraAdapter;
import io.kif4j.lora.train.StepHook;

/** Plain sequential LoRA: one adapter, fine-tuned on each task in turn (the forgetting baseline). */
public final class SeqLoRA implements ContinualMethod {

    @Override
    public String name() {
        return "seqlora";
    }

    @Override
    public boolean usesReplay() {
        return false;
    }

    @Override
    public TaskOutcome learn(TaskContext ctx) {
        LoraAdapter adapter = ctx.start();
        var r = ctx.trainOn(adapter, ctx.trainConfig(), StepHook.NONE);
        return TaskOutcome.of(adapter, r.stepLosses());
    }
}
