package io.kif4j.lora.train;

import java.util.Map;

/**
 * Watches training the way a DL4J {@code TrainingListener} (or a SameDiff {@code Listener}) does: called after every
 * optimizer step, at epoch boundaries, and by the continual runner after each task with its scores. Add one with
 * {@link LoraTrainer#withListener} or {@code ContinualRunner.withListener}; {@link SameDiffListeners} forwards to
 * SameDiff's own listeners (ScoreListener, HistoryListener, ...). Listeners observe; to change gradients use a
 * {@link StepHook}.
 */
public interface TrainingListener {

    /**
     * One optimizer step.
     *
     * @param step          1-based optimizer step within this training run
     * @param totalSteps    steps this run will take
     * @param epoch         0-based epoch
     * @param loss          the step's training loss (mean over its micro-batches)
     * @param learningRate  the learning rate the optimizer used for this step
     * @param gradientNorm  the global L2 norm of the step's gradients before clipping
     * @param examples      examples in the step
     */
    record Iteration(int step, int totalSteps, int epoch, double loss, double learningRate, double gradientNorm,
                     int examples) {
    }

    default void iterationDone(Iteration iteration) {
    }

    default void onEpochStart(int epoch) {
    }

    /** @param meanLoss the epoch's mean step loss */
    default void onEpochEnd(int epoch, double meanLoss) {
    }

    /**
     * After task {@code index} of a continual run was learned and evaluated.
     *
     * @param scores the score on every task evaluated after it (percent), by task name
     */
    default void taskDone(int index, String task, Map<String, Double> scores) {
    }
}
