package io.kif4j.continual.fusion;

import io.kif4j.continual.tensors.HostArrays;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;
import java.util.Collection;

/**
 * Quantiles with linear interpolation, as numpy's default {@code np.percentile}/{@code np.quantile} (method
 * "linear") and {@code torch.quantile}: virtual index h = q·(n − 1), result = x[⌊h⌋] + (h − ⌊h⌋)·(x[⌊h⌋+1] −
 * x[⌊h⌋]) over the sorted values. The interpolation is evaluated as numpy's {@code _lerp} does, from the upper
 * end when the fraction is ≥ ½, so results agree to the last bit.
 */
public final class Quantiles {

    private Quantiles() {
    }

    /** {@code np.percentile(values, percent)} for percent in [0, 100]; values are not modified. */
    public static double percentile(double[] values, double percent) {
        if (!(percent >= 0 && percent <= 100)) {
            throw new IllegalArgumentException("percentile must be in [0, 100], got " + percent);
        }
        return quantile(values, percent / 100); // numpy divides by 100 first, too
    }

    /** {@code np.quantile(values, q)} for q in [0, 1]; values are not modified. */
    public static double quantile(double[] values, double q) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return quantileOfSorted(sorted, q);
    }

    /** The q-quantile of values already sorted ascending. */
    public static double quantileOfSorted(double[] sorted, double q) {
        if (!(q >= 0 && q <= 1)) {
            throw new IllegalArgumentException("quantile must be in [0, 1], got " + q);
        }
        int n = sorted.length;
        if (n == 0) {
            throw new IllegalArgumentException("quantile of no values");
        }
        if (Double.isNaN(sorted[n - 1]) || Double.isNaN(sorted[0])) {
            throw new IllegalArgumentException("quantile of values containing NaN");
        }
        double h = q * (n - 1);
        int lo = (int) Math.floor(h);
        int hi = Math.min(lo + 1, n - 1);
        double t = h - lo;
        double a = sorted[lo];
        double b = sorted[hi];
        double diff = b - a;
        return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
    }

    /**
     * One global quantile over every element of all the arrays (Recurrent-KIF's mask threshold over all LoRA
     * scalars, spec §6.2), computed on a sorted float copy.
     */
    public static double quantile(Collection<INDArray> arrays, double q) {
        long total = 0;
        for (INDArray a : arrays) {
            total += a.length();
        }
        if (total > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("too many elements for one quantile: " + total);
        }
        double[] all = new double[(int) total];
        int at = 0;
        for (INDArray a : arrays) {
            for (float x : HostArrays.read(a, null)) {
                all[at++] = x;
            }
        }
        Arrays.sort(all);
        return quantileOfSorted(all, q);
    }
}
