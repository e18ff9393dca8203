package io.kif4j.lora.train;

/**
 * One task's training settings, with HF Trainer's defaults where the papers say nothing.
 *
 * @param epochs          passes over the training batches
 * @param learningRate    peak learning rate of the linear schedule
 * @param weightDecay     AdamW's decoupled weight decay (HF default 0)
 * @param warmupRatio     fraction of the optimizer steps spent warming up linearly from 0
 * @param maxGradNorm     global-norm gradient clipping (HF default 1.0); ≤ 0 disables it
 * @param gradAccumulation micro-batches per optimizer step
 * @param orthCoefficient KIFLoRA's orthogonality coefficient (0.1 in the paper); 0 disables the regulariser
 * @param evalEvery       validation loss every N optimizer steps (0: once per epoch when validation data exists)
 * @param keepBest        restore the adapter with the lowest validation loss at the end (the authors' code)
 * @param seed            seeds dropout and shuffling
 */
public record TrainConfig(int epochs, double learningRate, double weightDecay, double warmupRatio,
                          double maxGradNorm, int gradAccumulation, double beta1, double beta2, double epsilon,
                          double orthCoefficient, int evalEvery, boolean keepBest, long seed) {

    public TrainConfig {
        if (epochs < 1 || gradAccumulation < 1) {
            throw new IllegalArgumentException("epochs and gradAccumulation must be >= 1");
        }
        if (!(learningRate > 0)) {
            throw new IllegalArgumentException("learning rate must be positive, got " + learningRate);
        }
        if (!(warmupRatio >= 0 && warmupRatio < 1)) {
            throw new IllegalArgumentException("warmup ratio must be in [0, 1), got " + warmupRatio);
        }
    }

    /** 3e-4, no decay, no warm-up, clipping at 1.0, Adam betas (0.9, 0.999), eps 1e-8. */
    public static TrainConfig defaults(int epochs, double learningRate, long seed) {
        return new TrainConfig(epochs, learningRate, 0.0, 0.0, 1.0, 1, 0.9, 0.999, 1e-8, 0.0, 0, false, seed);
    }

    public TrainConfig withOrthogonality(double coefficient) {
        return new TrainConfig(epochs, learningRate, weightDecay, warmupRatio, maxGradNorm, gradAccumulation, beta1,
                beta2, epsilon, coefficient, evalEvery, keepBest, seed);
    }

    public TrainConfig withWarmup(double ratio) {
        return new TrainConfig(epochs, learningRate, weightDecay, ratio, maxGradNorm, gradAccumulation, beta1,
                beta2, epsilon, orthCoefficient, evalEvery, keepBest, seed);
    }

    public TrainConfig withAccumulation(int steps) {
        return new TrainConfig(epochs, learningRate, weightDecay, warmupRatio, maxGradNorm, steps, beta1,
                beta2, epsilon, orthCoefficient, evalEvery, keepBest, seed);
    }

    public TrainConfig withValidation(int every, boolean keepBest) {
        return new TrainConfig(epochs, learningRate, weightDecay, warmupRatio, maxGradNorm, gradAccumulation, beta1,
                beta2, epsilon, orthCoefficient, every, keepBest, seed);
    }

    public TrainConfig withWeightDecay(double decay) {
        return new TrainConfig(epochs, learningRate, decay, warmupRatio, maxGradNorm, gradAccumulation, beta1,
                beta2, epsilon, orthCoefficient, evalEvery, keepBest, seed);
    }

    /** HF's get_linear_schedule_with_warmup: the multiplier for optimizer step {@code step} (0-based). */
    public double lrAt(int step, int totalSteps) {
        int warmup = (int) Math.ceil(warmupRatio * totalSteps);
        if (step < warmup) {
            return learningRate * step / Math.max(1, warmup);
        }
        return learningRate * Math.max(0.0, (double) (totalSteps - step) / Math.max(1, totalSteps - warmup));
    }
}
