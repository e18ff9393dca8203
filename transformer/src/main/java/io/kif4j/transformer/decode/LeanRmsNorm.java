package io.kif4j.transformer.decode;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * w · x / sqrt(mean(x²) + eps) per row, as {@link io.kif4j.transformer.nn.RmsNorm}: LLaMA's RMSNorm, T5's layer
 * norm, Gemma's (1 + w) form.
 */
final class LeanRmsNorm {

    private final float[] scaled; // w·√n (Gemma: (1 + w)·√n), as the graph's constant
    private final double nEps;
    private final int n;

    LeanRmsNorm(INDArray weight, double eps, boolean plusOne) {
        n = Math.toIntExact(weight.length());
        float[] w = weight.dup('c').data().asFloat();
        float root = (float) Math.sqrt(n);
        scaled = new float[n];
        for (int i = 0; i < n; i++) {
            scaled[i] = (plusOne ? w[i] + 1f : w[i]) * root;
        }
        nEps = n * eps;
    }

    /** x [rows, n] → y [rows, n] (y may be x). */
    void forward(Buf x, Buf y, int rows) {
        for (int r = 0; r < rows; r++) {
            int o = r * n;
            double sum = 0;
            for (int i = 0; i < n; i++) {
                float v = x.get(o + i);
                sum += v * v;
            }
            float inv = (float) (1.0 / Math.sqrt(sum + nEps));
            for (int i = 0; i < n; i++) {
                y.put(o + i, x.get(o + i) * inv * scaled[i]);
            }
        }
    }
}
