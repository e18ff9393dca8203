package io.kif4j.continual.importance;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Eq. 8, Eq. 9 and the second-order option on hand-computed values (spec §3.1). */
class ImportanceMetricTest {

    // w·g = {0.5·2, −2·0.25, 3·(−1), 0·7} = {1, −0.5, −3, 0}
    static final INDArray W = Nd4j.createFromArray(new float[][]{{0.5f, -2f}, {3f, 0f}});
    static final INDArray G = Nd4j.createFromArray(new float[][]{{2f, 0.25f}, {-1f, 7f}});

    @Test
    void firstOrderIsAbsWeightTimesGradient() {
        check(ImportanceMetric.FIRST_ORDER, new float[]{1f, 0.5f, 3f, 0f});
    }

    @Test
    void fisherIsAbsOfWgMinusHalfWgSquared() {
        // |x − x²/2|: 1 − 0.5 = 0.5; −0.5 − 0.125 = −0.625; −3 − 4.5 = −7.5; 0
        check(ImportanceMetric.FISHER, new float[]{0.5f, 0.625f, 7.5f, 0f});
    }

    @Test
    void secondOrderIsWgSquared() {
        check(ImportanceMetric.SECOND_ORDER, new float[]{1f, 0.25f, 9f, 0f});
    }

    private static void check(ImportanceMetric m, float[] expected) {
        INDArray w0 = W.dup();
        INDArray g0 = G.dup();
        assertArrayEquals(expected, m.element(W, G).reshape(4).toFloatVector(), 1e-6f, m.name());
        float[] w = W.reshape(4).toFloatVector();
        float[] g = G.reshape(4).toFloatVector();
        for (int i = 0; i < 4; i++) {
            assertEquals(expected[i], m.at(w[i], g[i]), 1e-6, m.name() + " element " + i);
        }
        // a transposed (non-C-order) view gives the same values, transposed
        assertEquals(m.element(W, G).transpose(), m.element(W.transpose(), G.transpose()));
        assertEquals(w0, W, "inputs untouched");
        assertEquals(g0, G, "inputs untouched");
    }

    @Test
    void byName() {
        assertSame(ImportanceMetric.FIRST_ORDER, ImportanceMetric.byName("first"));
        assertSame(ImportanceMetric.FISHER, ImportanceMetric.byName("Fisher"));
        assertSame(ImportanceMetric.SECOND_ORDER, ImportanceMetric.byName("second"));
        for (ImportanceMetric m : new ImportanceMetric[]{ImportanceMetric.FIRST_ORDER, ImportanceMetric.FISHER,
                ImportanceMetric.SECOND_ORDER}) {
            assertSame(m, ImportanceMetric.byName(m.name()));
        }
        assertThrows(IllegalArgumentException.class, () -> ImportanceMetric.byName("taylor"));
    }
}
