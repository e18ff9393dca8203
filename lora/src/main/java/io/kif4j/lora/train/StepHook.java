package io.kif4j.lora.train;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Map;

/**
 * Called after each optimizer step while that step's gradients are still available: KIF's importance tracker
 * (spec §3.2) pairs the post-step weights with the step's accumulated, clipped gradients.
 */
@FunctionalInterface
public interface StepHook {

    /**
     * @param step    1-based optimizer step
     * @param params  LoRA arrays by variable name, after the update (do not modify)
     * @param grads   the step's gradients by variable name, after accumulation and clipping
     * @param loss    the step's training loss (mean over its micro-batches)
     */
    void afterStep(int step, Map<String, INDArray> params, Map<String, INDArray> grads, double loss);

    /**
     * Called just before the optimizer updates {@code params} with {@code grads} (accumulated and clipped), for
     * metrics that pair the pre-step weights with the gradient (the textbook importance |w_t·g_t|).
     */
    default void beforeStep(int step, Map<String, INDArray> params, Map<String, INDArray> grads) {
    }

    /**
     * Called with the step's accumulated gradients before clipping and before the optimizer; a method may edit them
     * in place (frozen parameters are declared with {@link #markFrozen} instead).
     */
    default void onGradients(int step, Map<String, INDArray> grads) {
    }

    /**
     * Called once before training with a mask of ones per parameter: a method sets to 0 the entries it freezes. The
     * trainer then zeroes their gradients (so they do not count in the clipping norm) and the optimizer leaves them
     * bit-identical, weight decay included.
     */
    default void markFrozen(Map<String, INDArray> trainable) {
    }

    StepHook NONE = (s, p, g, l) -> {
    };

    /** Runs several hooks in order. */
    static StepHook all(StepHook... hooks) {
        return new StepHook() {
            @Override
            public void afterStep(int step, Map<String, INDArray> params, Map<String, INDArray> grads, double loss) {
                for (StepHook h : hooks) {
                    h.afterStep(step, params, grads, loss);
                }
            }

            @Override
            public void beforeStep(int step, Map<String, INDArray> params, Map<String, INDArray> grads) {
                for (StepHook h : hooks) {
                    h.beforeStep(step, params, grads);
                }
            }

            @Override
            public void onGradients(int step, Map<String, INDArray> grads) {
                for (StepHook h : hooks) {
                    h.onGradients(step, grads);
                }
            }

            @Override
            public void markFrozen(Map<String, INDArray> trainable) {
                for (StepHook h : hooks) {
                    h.markFrozen(trainable);
                }
            }
        };
    }
}
