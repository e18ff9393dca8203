package io.kif4j.transformer.family;

/** Accumulates the matmul work of one training step (see {@link Family#stepFlops}). */
final class Flops {

    double forward;
    private double loraWeightGrads;

    /** {@code count} linear layers in → out on n rows; adapters of rank r1, r2, r3 on the first ones (0: none). */
    void linear(double n, double in, double out, int count, int r1, int r2, int r3) {
        forward += count * 2 * n * in * out;
        for (int r : new int[]{r1, r2, r3}) {
            if (r > 0) {
                forward += 2 * n * r * (in + out);
                loraWeightGrads += 2 * n * r * (in + out);
            }
        }
    }

    /** Backward into the activations costs what the forward did; the LoRA matrices add their weight gradients. */
    double step() {
        return 2 * forward + loraWeightGrads;
    }
}
