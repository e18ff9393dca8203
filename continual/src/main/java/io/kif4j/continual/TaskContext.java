package io.kif4j.continual;

import io.kif4j.continual.data.TaskDataSetIterator;
import io.kif4j.lora.AttachedAdapter;
import io.kif4j.lora.Lora;
import io.kif4j.lora.LoraAdapter;
import io.kif4j.lora.LoraConfig;
import io.kif4j.lora.train.LoraTrainer;
import io.kif4j.lora.train.LossTerm;
import io.kif4j.lora.train.StepHook;
import io.kif4j.lora.train.TrainConfig;
import io.kif4j.lora.train.TrainingListener;
import io.kif4j.transformer.LanguageModel;
import io.kif4j.transformer.ModelInputs;

import java.nio.file.Path;
import java.util.List;

/**
 * Everything a method needs to learn one task.
 *
 * @param index      0-based position in the task order
 * @param previous   θ̃_{t−1}, or null for the first task
 * @param train      the task's training batches per epoch
 * @param validation validation batches (may be empty)
 * @param memory     batches of the replay memory of earlier tasks per epoch, or null when it is empty
 * @param joint      batches of the task's data and the memory shuffled together (the task's alone when the memory
 *                   is empty), for joint-training replay
 * @param dir        the task's output folder, for method-specific files
 * @param listeners  told of every training step of this task (the run's {@link TrainingListener}s)
 * @param timings    where {@link #trainOn} adds its training time
 */
public record TaskContext(int index, String task, LanguageModel model, LoraAdapter previous, LoraConfig loraConfig,
                          TrainConfig trainConfig, LoraTrainer.Batches train, List<ModelInputs> validation,
                          LoraTrainer.Batches memory, LoraTrainer.Batches joint, Path dir, long seed,
                          List<TrainingListener> listeners, TaskTimings timings) {

    /** A context without listeners, whose training time nobody reads. */
    public TaskContext(int index, String task, LanguageModel model, LoraAdapter previous, LoraConfig loraConfig,
                       TrainConfig trainConfig, LoraTrainer.Batches train, List<ModelInputs> validation,
                       LoraTrainer.Batches memory, LoraTrainer.Batches joint, Path dir, long seed) {
        this(index, task, model, previous, loraConfig, trainConfig, train, validation, memory, joint, dir, seed,
                List.of(), new TaskTimings());
    }

    /** This task's training batches as an ND4J MultiDataSetIterator, for a user's own SameDiff graph. */
    public TaskDataSetIterator trainIterator() {
        return new TaskDataSetIterator(train);
    }

    /** A fresh adapter, initialised from the run's seed and the task index. */
    public LoraAdapter fresh() {
        return attached(LoraAdapter.create(loraConfig, seed * 1_000_003L + index));
    }

    /** The starting point of this task: a copy of θ̃_{t−1}, or a fresh adapter for the first task. */
    public LoraAdapter start() {
        if (previous == null) {
            return fresh();
        }
        return attached(previous.copy());
    }

    /** An attached adapter that adapts nothing: for methods that train the base weights only. */
    public LoraAdapter noAdapter() {
        return attached(LoraAdapter.create(LoraConfig.of(loraConfig.r(), loraConfig.loraAlpha(), 0, List.of(),
                loraConfig.taskType()), seed));
    }

    /** {@code a} attached for evaluation with its graph built (a fresh adapter's arrays are made then). */
    private LoraAdapter attached(LoraAdapter a) {
        return Lora.use(model, a, AttachedAdapter.Mode.EVAL).built().adapter();
    }

    /** {@code adapter} attached to this task's model in {@code mode}: for a method's own passes outside training. */
    public AttachedAdapter attach(LoraAdapter adapter, AttachedAdapter.Mode mode) {
        return Lora.use(model, adapter, mode);
    }

    /** Trains every base weight of the model, and {@code adapter}, on {@code batches} (full-parameter training). */
    public LoraTrainer.Result trainAllWeights(LoraTrainer.Batches batches, LoraAdapter adapter) {
        return new LoraTrainer(Lora.use(model, adapter, AttachedAdapter.Mode.TRAIN), trainConfig).withFullParameters().train(batches, validation, StepHook.NONE);
    }

    /** Trains {@code adapter} on this task's data. */
    public LoraTrainer.Result trainOn(LoraAdapter adapter, TrainConfig config, StepHook hook, LossTerm... terms) {
        return trainOn(train, adapter, config, hook, terms);
    }

    /** Trains {@code adapter} on {@code batches} (the task's, the memory's or both) with extra loss terms. */
    public LoraTrainer.Result trainOn(LoraTrainer.Batches batches, LoraAdapter adapter, TrainConfig config,
                                      StepHook hook, LossTerm... terms) {
        LoraTrainer trainer = trainer(adapter, config, terms);
        return timings.time(TaskTimings.TRAIN, () -> trainer.train(batches, validation, hook));
    }

    /** The trainer of {@code adapter} on this task's model, with extra loss terms. */
    public LoraTrainer trainer(LoraAdapter adapter, TrainConfig config, LossTerm... terms) {
        LoraTrainer trainer = new LoraTrainer(Lora.use(model, adapter, AttachedAdapter.Mode.TRAIN), config);
        for (LossTerm t : terms) {
            trainer.withLossTerm(t);
        }
        listeners.forEach(trainer::withListener);
        return trainer;
    }
}
