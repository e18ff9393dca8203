package io.kif4j.lora.train;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.HashMap;
import java.util.Map;

/**
 * PyTorch's AdamW (decoupled weight decay), updating the parameter arrays in place so every graph that shares
 * them sees the step. State is kept per parameter name and can be saved with a checkpoint.
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

    public int step() {
        return step;
    }

    /** One step on every parameter with its gradient, at learning rate {@code lr}. */
    public void apply(Map<String, INDArray> params, Map<String, INDArray> grads, double lr) {
        step++;
        double bc1 = 1 - Math.pow(beta1, step);
        double bc2 = 1 - Math.pow(beta2, step);
        for (var e : params.entrySet()) {
            String name = e.getKey();
            INDArray p = e.getValue();
            INDArray g = grads.get(name);
            if (weightDecay != 0) {
                p.muli(1 - lr * weightDecay);
            }
            INDArray mi = m.computeIfAbsent(name, k -> Nd4j.zerosLike(p));
            INDArray vi = v.computeIfAbsent(name, k -> Nd4j.zerosLike(p));
            mi.muli(beta1).addi(g.mul(1 - beta1));
            vi.muli(beta2).addi(g.mul(g).muli(1 - beta2));
            INDArray denom = Transforms.sqrt(vi, true).divi(Math.sqrt(bc2)).addi(epsilon);
            p.subi(mi.div(denom).muli(lr / bc1));
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
