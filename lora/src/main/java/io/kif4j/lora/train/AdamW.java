package io.kif4j.lora.train;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.HashMap;
import java.util.Map;

/**
 * PyTorch's AdamW (torch.optim.AdamW, decoupled weight decay, single-tensor path), updating the parameter arrays in
 * place so every graph that shares them sees the step. State is kept per parameter name and can be saved with a
 * checkpoint. Frozen entries (a 0 in the parameter's trainable mask) are left bit-identical: neither the decay nor
 * the Adam update touches them.
 */
public final class AdamW {

    private final double beta1;
    private final double beta2;
    private final double epsilon;
    private final double weightDecay;
    private final Map<String, INDArray> m = new HashMap<>();
    private final Map<String, INDArray> v = new HashMap<>();
    private int step;

    public AdamW(double beta1, double beta2, double epsilon, double weightDecay) {
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.epsilon = epsilon;
        this.weightDecay = weightDecay;
    }

    /** The optimizer a training config asks for. */
    public static AdamW of(TrainConfig c) {
        return new AdamW(c.beta1(), c.beta2(), c.epsilon(), c.weightDecay());
    }

    public int step() {
        return step;
    }

    /** One step on every parameter with its gradient, at learning rate {@code lr}. */
    public void apply(Map<String, INDArray> params, Map<String, INDArray> grads, double lr) {
        apply(params, grads, lr, Map.of());
    }

    /**
     * One step as torch.optim.AdamW takes it: p ← p·(1 − lr·wd); m ← β₁m + (1−β₁)g; v ← β₂v + (1−β₂)g²;
     * p ← p − lr/(1−β₁ᵗ) · m / (√v/√(1−β₂ᵗ) + ε).
     *
     * @param trainable per parameter name, a 0/1 mask of its trainable entries; a parameter without one trains whole
     */
    public void apply(Map<String, INDArray> params, Map<String, INDArray> grads, double lr,
                      Map<String, INDArray> trainable) {
        step++;
        double bc1 = 1 - Math.pow(beta1, step);
        double bc2 = 1 - Math.pow(beta2, step);
        for (var e : params.entrySet()) {
            String name = e.getKey();
            INDArray p = e.getValue();
            INDArray g = grads.get(name);
            INDArray mask = trainable.get(name);
            if (weightDecay != 0) {
                keepFrozen(p, p.mul(1 - lr * weightDecay), mask);
            }
            INDArray mi = m.computeIfAbsent(name, k -> Nd4j.zerosLike(p));
            INDArray vi = v.computeIfAbsent(name, k -> Nd4j.zerosLike(p));
            mi.muli(beta1).addi(g.mul(1 - beta1));
            vi.muli(beta2).addi(g.mul(g).muli(1 - beta2));
            INDArray denom = Transforms.sqrt(vi, true).divi(Math.sqrt(bc2)).addi(epsilon);
            keepFrozen(p, p.sub(mi.div(denom).muli(lr / bc1)), mask);
        }
    }

    /** p ← updated where the mask is 1, p unchanged (bit for bit) where it is 0. */
    private static void keepFrozen(INDArray p, INDArray updated, INDArray mask) {
        if (mask == null) {
            p.assign(updated);
        } else {
            p.assign(updated.muli(mask).addi(p.mul(mask.rsub(1))));
        }
    }

    /** Moments by parameter, for checkpoints: "m.<name>" and "v.<name>". */
    public Map<String, INDArray> state() {
        Map<String, INDArray> s = new HashMap<>();
        m.forEach((k, a) -> s.put("m." + k, a));
        v.forEach((k, a) -> s.put("v." + k, a));
        return s;
    }

    public void restore(Map<String, INDArray> state, int steps) {
        state.forEach((k, a) -> (k.startsWith("m.") ? m : v).put(k.substring(2), a.dup()));
        this.step = steps;
    }
}
