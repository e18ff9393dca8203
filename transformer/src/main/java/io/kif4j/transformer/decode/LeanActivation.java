package io.kif4j.transformer.decode;

import org.nd4j.linalg.api.ops.impl.transforms.strict.Erf;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Swish;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Tanh;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The feed-forward activations of {@link io.kif4j.transformer.nn.Activation}, in place, from the same
 * primitives: libnd4j's swish, tanh and erf kernels for the transcendental part (vectorised, one call per layer),
 * the arithmetic around them on the host.
 */
final class LeanActivation {

    private static final float SQRT_2_OVER_PI = (float) Math.sqrt(2.0 / Math.PI);
    private static final float SQRT_HALF = (float) Math.sqrt(0.5);

    private LeanActivation() {
    }

    /** Whether {@code name} is one of the activations here (the same list as the graph's). */
    static boolean supports(String name) {
        return switch (name) {
            case "relu", "silu", "gelu", "gelu_new", "gelu_pytorch_tanh" -> true;
            default -> false;
        };
    }

    /** x ← act(x) on the first {@code n} elements of x; {@code tmp} is scratch of x's shape. */
    static void apply(String name, Buf x, Buf tmp, int n) {
        switch (name) {
            case "relu" -> {
                for (int i = 0; i < n; i++) {
                    x.put(i, Math.max(x.get(i), 0f));
                }
            }
            case "silu" -> Nd4j.exec(new Swish(x.nd, x.nd));
            case "gelu_new", "gelu_pytorch_tanh" -> {
                // 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))
                for (int i = 0; i < n; i++) {
                    float v = x.get(i);
                    tmp.put(i, (v + v * v * v * 0.044715f) * SQRT_2_OVER_PI);
                }
                Nd4j.exec(new Tanh(tmp.nd, tmp.nd));
                for (int i = 0; i < n; i++) {
                    x.put(i, x.get(i) * (tmp.get(i) + 1f) * 0.5f);
                }
            }
            case "gelu" -> {
                // 0.5·x·(1 + erf(x/√2))
                for (int i = 0; i < n; i++) {
                    tmp.put(i, x.get(i) * SQRT_HALF);
                }
                Nd4j.exec(new Erf(tmp.nd, tmp.nd));
                for (int i = 0; i < n; i++) {
                    x.put(i, x.get(i) * (tmp.get(i) + 1f) * 0.5f);
                }
            }
            default -> throw new IllegalArgumentException("unsupported activation '" + name + "'");
        }
    }
}
