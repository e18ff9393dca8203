package io.kif4j.transformer.t5;

import io.kif4j.transformer.nn.Graph;
import org.nd4j.autodiff.samediff.SDVariable;

/**
 * The feed-forward activations T5 checkpoints name in {@code dense_act_fn} (HF {@code ACT2FN}), built from
 * primitives where SameDiff's own op computes something else: SameDiff's {@code gelu} is the sigmoid
 * approximation x·σ(1.702x), which is neither HF's "gelu" (exact erf) nor "gelu_new" (tanh).
 */
final class T5Activation {

    private static final double SQRT_2_OVER_PI = Math.sqrt(2.0 / Math.PI);

    private T5Activation() {
    }

    static SDVariable apply(Graph g, String name, SDVariable x) {
        return switch (name) {
            case "relu" -> io.kif4j.transformer.nn.Relu.apply(g.sd, x);
            case "gelu_new" -> geluNew(g, x);
            case "gelu" -> x.mul(g.sd.math.erf(x.mul(Math.sqrt(0.5))).add(1.0)).mul(0.5);
            case "silu" -> x.mul(g.sd.nn.sigmoid(x));
            default -> throw new IllegalArgumentException("unsupported dense_act_fn '" + name + "'");
        };
    }

    /** HF {@code NewGELUActivation}: 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))). */
    static SDVariable geluNew(Graph g, SDVariable x) {
        SDVariable cube = x.mul(x).mul(x);
        SDVariable inner = x.add(cube.mul(0.044715)).mul(SQRT_2_OVER_PI);
        return x.mul(g.sd.math.tanh(inner).add(1.0)).mul(0.5);
    }
}
