package io.kif4j.continual.fusion;

import io.kif4j.lora.LoraAdapter;
import io.kif4j.lora.train.StepHook;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Map;

/**
 * The "EMA" fusion ablation (spec §4.1, Table V): a running average of the LoRA parameters over training
 * iterations, θ_ema ← μ·θ_ema + (1−μ)·θ after every optimizer step. Attach it to each task's trainer (keep one
 * instance for the whole task sequence) and evaluate {@link #averaged()}.
 */
public final class ParameterEma implements StepHook {

    /** The spec's suggestion; the paper does not give μ. */
    public static final double DEFAULT_MU = 0.999;

    private final double mu;
    private final LoraAdapter ema;
    private int steps;

    /**
     * @param start θ_ema's initial value (copied), normally the adapter training starts from; it also fixes the
     *              modules and shapes of the average
     * @param mu    the decay in [0, 1)
     */
    public ParameterEma(LoraAdapter start, double mu) {
        if (!(mu >= 0 && mu < 1)) {
            throw new IllegalArgumentException("mu must be in [0, 1), got " + mu);
        }
        this.mu = mu;
        this.ema = start.copy();
    }

    public ParameterEma(LoraAdapter start) {
        this(start, DEFAULT_MU);
    }

    public double mu() {
        return mu;
    }

    /** Optimizer steps averaged so far. */
    public int steps() {
        return steps;
    }

    /** θ_ema ← μ·θ_ema + (1−μ)·θ with the post-step parameters (spec §4.1). */
    @Override
    public void afterStep(int step, Map<String, INDArray> params, Map<String, INDArray> grads, double loss) {
        for (String name : ema.variableNames()) {
            INDArray theta = params.get(name);
            if (theta == null) {
                throw new IllegalArgumentException("the training parameters have no LoRA variable " + name);
            }
            INDArray avg = ema.array(name);
            avg.muli(mu).addi(theta.mul(1 - mu)); // element-wise, so any memory order of theta works
        }
        steps++;
    }

    /** A copy of the current average as an adapter. */
    public LoraAdapter averaged() {
        return ema.copy();
    }
}
