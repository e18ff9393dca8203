package io.kif4j.continual.methods;

import io.kif4j.continual.ContinualMethod;
import io.kif4j.continual.TaskContext;
import io.kif4j.continual.TaskOutcome;
import io.kif4j.lora.LoraAdapter;
import io.kif4j.lora.train.StepHook;

/**
 * Single-task LoRA: a fresh adapter per task, evaluated on that task only ({@link Kind#SINGLE}). Its row shows
 * what each task can reach at all with this model and budget; nothing carries over, so nothing is forgotten.
 */
public final class Single implements ContinualMethod {

    @Override
    public String name() {
        return "single";
    }

    @Override
    public boolean usesReplay() {
        return false;
    }

    @Override
    public Kind kind() {
        return Kind.SINGLE;
    }

    @Override
    public TaskOutcome learn(TaskContext ctx) {
        LoraAdapter adapter = ctx.fresh();
        return TaskOutcome.of(adapter, ctx.trainOn(adapter, ctx.trainConfig(), StepHook.NONE).stepLosses());
    }
}
