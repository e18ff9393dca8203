package io.kif4j.report;

import org.apache.commons.math3.distribution.TDistribution;

import java.util.List;

/**
 * A paired comparison of a method against a baseline over matched runs (same order and seed): the mean of the
 * differences d_j = method_j − baseline_j, its 95 % Student-t interval mean ± t_{0.975, n−1}·s/√n, and the
 * two-sided paired t-test's p-value 2·(1 − F_{n−1}(|mean| / (s/√n))), with s the sample std of the d_j.
 * Undefined (NaN) for fewer than two pairs. When every difference is the same (s = 0) the interval is that
 * value and p is 1 if it is 0, else 0.
 *
 * @param n the number of pairs
 */
public record Paired(int n, double diff, double ciLow, double ciHigh, double pValue) {

    static final Paired NONE = new Paired(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN);

    public static Paired of(List<Double> differences) {
        int n = differences.size();
        if (n == 0) {
            return NONE;
        }
        double mean = differences.stream().mapToDouble(Double::doubleValue).sum() / n;
        if (n < 2) {
            return new Paired(1, mean, Double.NaN, Double.NaN, Double.NaN);
        }
        double ss = 0;
        for (double d : differences) {
            ss += (d - mean) * (d - mean);
        }
        double se = Math.sqrt(ss / (n - 1)) / Math.sqrt(n);
        if (se == 0) {
            return new Paired(n, mean, mean, mean, mean == 0 ? 1 : 0);
        }
        TDistribution t = new TDistribution(null, n - 1); // no RNG needed: cdf and quantile only
        double half = t.inverseCumulativeProbability(0.975) * se;
        double p = 2 * (1 - t.cumulativeProbability(Math.abs(mean) / se));
        return new Paired(n, mean, mean - half, mean + half, p);
    }

    /** "+1.23 [−0.40, 2.86] p 0.12", "–" for no pairs. */
    String text() {
        if (n == 0) {
            return Html.NONE;
        }
        if (n == 1) {
            return signed(diff) + " (1 pair)";
        }
        return signed(diff) + " [" + Html.fmt(ciLow) + ", " + Html.fmt(ciHigh) + "] p " + pText();
    }

    private String pText() {
        return pValue < 0.001 ? "< 0.001" : String.format(java.util.Locale.ROOT, "%.3f", pValue);
    }

    private static String signed(double v) {
        return (v > 0 ? "+" : "") + Html.fmt(v);
    }
}
