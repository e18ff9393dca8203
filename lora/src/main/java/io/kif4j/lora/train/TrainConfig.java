package io.kif4j.lora.train;

/**
 * One task's training settings, with HF Trainer's defaults where the papers say nothing. Build it from
 * {@link #defaults} and the named withers (or {@link #toBuilder}); the canonical constructor is for the builder.
 *
 * @param epochs           passes over the training batches
 * @param learningRate     peak learning rate of the linear schedule
 * @param weightDecay      AdamW's decoupled weight decay (HF default 0); never applied to frozen parameters
 * @param warmupRatio      fraction of the optimizer steps spent warming up linearly from 0
 * @param warmupSteps      warm-up in optimizer steps; when > 0 it overrides the ratio, as HF's warmup_steps does
 *                         (spec §5.1: 50)
 * @param maxGradNorm      global-norm gradient clipping (HF default 1.0); ≤ 0 disables it
 * @param gradAccumulation micro-batches per optimizer step
 * @param orthCoefficient  KIFLoRA's orthogonality coefficient (0.1 in the paper); 0 disables the regulariser
 * @param evalEvery        validation loss every N optimizer steps (0: once per epoch when validation data exists)
 * @param keepBest         restore the adapter with the lowest validation loss at the end (the authors' code)
 * @param seed             seeds dropout and shuffling
 * @param schedule         the learning-rate schedule after the warm-up
 */
public record TrainConfig(int epochs, double learningRate, double weightDecay, double warmupRatio, int warmupSteps,
                          double maxGradNorm, int gradAccumulation, double beta1, double beta2, double epsilon,
                          double orthCoefficient, int evalEvery, boolean keepBest, long seed, Schedule schedule) {

    /** HF's lr_scheduler_type: "linear" (decay to 0 at the last step) or "constant" (O-LoRA's scripts). */
    public enum Schedule {
        LINEAR, CONSTANT;

        public static Schedule parse(String name) {
            return valueOf(name.toUpperCase(java.util.Locale.ROOT));
        }
    }

    public TrainConfig {
        if (epochs < 1 || gradAccumulation < 1) {
            throw new IllegalArgumentException("epochs and gradAccumulation must be >= 1");
        }
        if (!(learningRate > 0)) {
            throw new IllegalArgumentException("learning rate must be positive, got " + learningRate);
        }
        if (!(warmupRatio >= 0 && warmupRatio < 1) || warmupSteps < 0) {
            throw new IllegalArgumentException("warm-up must be a ratio in [0, 1) or a step count >= 0, got "
                    + warmupRatio + " / " + warmupSteps);
        }
    }

    /** No decay, no warm-up, clipping at 1.0, Adam betas (0.9, 0.999), eps 1e-8, no validation. */
    public static TrainConfig defaults(int epochs, double learningRate, long seed) {
        return new Builder().epochs(epochs).learningRate(learningRate).seed(seed).build();
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    public TrainConfig withEpochs(int n) {
        return toBuilder().epochs(n).build();
    }

    public TrainConfig withSeed(long s) {
        return toBuilder().seed(s).build();
    }

    public TrainConfig withOrthogonality(double coefficient) {
        return toBuilder().orthCoefficient(coefficient).build();
    }

    public TrainConfig withWarmup(double ratio) {
        return toBuilder().warmupRatio(ratio).build();
    }

    public TrainConfig withWarmupSteps(int steps) {
        return toBuilder().warmupSteps(steps).build();
    }

    public TrainConfig withAccumulation(int steps) {
        return toBuilder().gradAccumulation(steps).build();
    }

    public TrainConfig withValidation(int every, boolean keepBest) {
        return toBuilder().evalEvery(every).keepBest(keepBest).build();
    }

    public TrainConfig withWeightDecay(double decay) {
        return toBuilder().weightDecay(decay).build();
    }

    public TrainConfig withMaxGradNorm(double norm) {
        return toBuilder().maxGradNorm(norm).build();
    }

    /** Optimizer steps spent warming up out of {@code totalSteps}. */
    public int warmupStepsOf(int totalSteps) {
        return warmupSteps > 0 ? warmupSteps : (int) Math.ceil(warmupRatio * totalSteps);
    }

    /**
     * The learning rate of optimizer step {@code step} (0-based): HF's get_linear_schedule_with_warmup, or
     * get_constant_schedule_with_warmup for {@link Schedule#CONSTANT}.
     */
    public double lrAt(int step, int totalSteps) {
        int warmup = warmupStepsOf(totalSteps);
        if (step < warmup) {
            return learningRate * step / Math.max(1, warmup);
        }
        if (schedule == Schedule.CONSTANT) {
            return learningRate;
        }
        return learningRate * Math.max(0.0, (double) (totalSteps - step) / Math.max(1, totalSteps - warmup));
    }

    /** Named setters over the defaults of {@link #defaults}. */
    public static final class Builder {
        private int epochs = 1;
        private double learningRate = 3e-4;
        private double weightDecay;
        private double warmupRatio;
        private int warmupSteps;
        private double maxGradNorm = 1.0;
        private int gradAccumulation = 1;
        private double beta1 = 0.9;
        private double beta2 = 0.999;
        private double epsilon = 1e-8;
        private double orthCoefficient;
        private int evalEvery;
        private boolean keepBest;
        private long seed;
        private Schedule schedule = Schedule.LINEAR;

        public Builder() {
        }

        private Builder(TrainConfig c) {
            epochs = c.epochs;
            learningRate = c.learningRate;
            weightDecay = c.weightDecay;
            warmupRatio = c.warmupRatio;
            warmupSteps = c.warmupSteps;
            maxGradNorm = c.maxGradNorm;
            gradAccumulation = c.gradAccumulation;
            beta1 = c.beta1;
            beta2 = c.beta2;
            epsilon = c.epsilon;
            orthCoefficient = c.orthCoefficient;
            evalEvery = c.evalEvery;
            keepBest = c.keepBest;
            seed = c.seed;
            schedule = c.schedule;
        }

        public Builder epochs(int v) {
            epochs = v;
            return this;
        }

        public Builder learningRate(double v) {
            learningRate = v;
            return this;
        }

        public Builder weightDecay(double v) {
            weightDecay = v;
            return this;
        }

        public Builder warmupRatio(double v) {
            warmupRatio = v;
            return this;
        }

        public Builder warmupSteps(int v) {
            warmupSteps = v;
            return this;
        }

        public Builder maxGradNorm(double v) {
            maxGradNorm = v;
            return this;
        }

        public Builder gradAccumulation(int v) {
            gradAccumulation = v;
            return this;
        }

        public Builder betas(double b1, double b2) {
            beta1 = b1;
            beta2 = b2;
            return this;
        }

        public Builder epsilon(double v) {
            epsilon = v;
            return this;
        }

        public Builder orthCoefficient(double v) {
            orthCoefficient = v;
            return this;
        }

        public Builder evalEvery(int v) {
            evalEvery = v;
            return this;
        }

        public Builder keepBest(boolean v) {
            keepBest = v;
            return this;
        }

        public Builder seed(long v) {
            seed = v;
            return this;
        }

        public Builder schedule(Schedule v) {
            schedule = v;
            return this;
        }

        public TrainConfig build() {
            return new TrainConfig(epochs, learningRate, weightDecay, warmupRatio, warmupSteps, maxGradNorm,
                    gradAccumulation, beta1, beta2, epsilon, orthCoefficient, evalEvery, keepBest, seed, schedule);
        }
    }
}
