package io.kif4j.transformer;

/** Log-probabilities read off logits already copied to the host. */
public final class LogProbs {

    private LogProbs() {
    }

    /**
     * log softmax(x[base .. base+n))[target], with the maximum subtracted first so that large logits do not
     * overflow.
     */
    public static double logSoftmaxAt(float[] x, int base, int n, int target) {
        double max = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < n; k++) {
            max = Math.max(max, x[base + k]);
        }
        double sum = 0;
        for (int k = 0; k < n; k++) {
            sum += Math.exp(x[base + k] - max);
        }
        return x[base + target] - max - Math.log(sum);
    }
}
