package io.kif4j.continual.fusion;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** numpy's linear-interpolation percentile (the default method), worked by hand. */
class QuantilesTest {

    @Test
    void percentileInterpolatesLinearly() {
        // h = 0.8·4 = 3.2 → 4 + 0.2·(10 − 4) = 5.2 (numpy prints 5.200000000000001)
        assertEquals(5.200000000000001, Quantiles.percentile(new double[]{1, 2, 3, 4, 10}, 80), 0);
        // unsorted input; h = 3.6 → from the upper end: 10 − 0.4·6 = 7.6 (numpy: 7.6000000000000005)
        assertEquals(7.6000000000000005, Quantiles.percentile(new double[]{10, 4, 3, 2, 1}, 90), 0);
        // h = 0.8·3 = 2.4 → 3.4 (numpy: 3.4000000000000004)
        assertEquals(3.4000000000000004, Quantiles.percentile(new double[]{1, 2, 3, 4}, 80), 0);
        // the static-fusion test's scores: h = 7.2 between 0.6 and 0.9 → 0.66
        assertEquals(0.66, Quantiles.percentile(new double[]{1, .9, .1, .2, .3, 0, .4, .5, .6, .05}, 80), 1e-15);
    }

    @Test
    void endsAndSingleValues() {
        double[] v = {3, -1, 2};
        assertEquals(-1, Quantiles.percentile(v, 0), 0);
        assertEquals(3, Quantiles.percentile(v, 100), 0);
        assertEquals(2, Quantiles.percentile(v, 50), 0);
        assertEquals(5, Quantiles.percentile(new double[]{5}, 80), 0);
        assertEquals(3, v[0], 0, "input not sorted in place");
        assertThrows(IllegalArgumentException.class, () -> Quantiles.percentile(new double[0], 80));
        assertThrows(IllegalArgumentException.class, () -> Quantiles.percentile(v, 101));
        assertThrows(IllegalArgumentException.class, () -> Quantiles.quantile(new double[]{1, Double.NaN}, .5));
    }

    @Test
    void lastBitAgreesWithNumpysLerp() {
        // np.percentile(v, 70) printed 7.043453837051473; a + (b − a)·t alone gives ...472 here.
        double[] v = {0.06647435216084674, 54.8798761388153, 77.58376499599652, 0.3747030205016403,
                0.0006637578048439807, 7.784426150001458, 0.08399515404794744, 0.0004896935204622583};
        assertEquals(7.043453837051473, Quantiles.percentile(v, 70), 0);
    }

    @Test
    void globalQuantileOverArrays() {
        var a = Nd4j.createFromArray(new float[][]{{1, 10}, {3, 4}});
        var b = Nd4j.createFromArray(new float[]{2});
        // all values {1, 2, 3, 4, 10}: the 0.8 quantile is 5.2; a column view works too
        assertEquals(5.2, Quantiles.quantile(List.of(a, b), 0.8), 1e-12);
        assertEquals(7, Quantiles.quantile(List.of(a.getColumn(1)), 0.5), 1e-12);
    }
}
