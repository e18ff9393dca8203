package io.kif4j.transformer.nn;

import org.nd4j.autodiff.samediff.SDVariable;

/**
 * The feed-forward activations checkpoints name in T5's {@code dense_act_fn} or a decoder's {@code hidden_act} /
 * {@code hidden_activation} (HF {@code ACT2FN}), built from
 * primitives where SameDiff's own op computes something else: SameDiff's {@code gelu} is the sigmoid
 * approximation x·σ(1.702x), which is neither HF's "gelu" (exact erf) nor "gelu_new" (tanh).
 */
public final class Activation {

    private static final double SQRT_2_OVER_PI = Math.sqrt(2.0 / Math.PI);

    private Activation() {
    }

    public static SDVariable apply(Graph g, String name, SDVariable x) {
        return switch (name) {
            case "relu" -> Relu.apply(g.sd, x);
            case "gelu_new", "gelu_pytorch_tanh" -> geluNew(g, x);
            case "gelu" -> x.mul(g.sd.math.erf(x.mul(Math.sqrt(0.5))).add(1.0)).mul(0.5);
            case "silu" -> g.sd.nn.swish(x);
            default -> throw new IllegalArgumentException("unsupported activation '" + name + "'");
        };
    }

    /** HF {@code NewGELUActivation} and {@code PytorchGELUTanh}: 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))). */
    public static SDVariable geluNew(Graph g, SDVariable x) {
        SDVariable cube = x.mul(x).mul(x);
        SDVariable inner = x.add(cube.mul(0.044715)).mul(SQRT_2_OVER_PI);
        return x.mul(g.sd.math.tanh(inner).add(1.0)).mul(0.5);
    }
}
