package io.kif4j.continual.importance;

import io.kif4j.lora.SkillUnit;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Eq. 6 aggregations, Norm and Eq. 13 on hand-computed cases (spec §3.3–3.4). */
class UnitScoresTest {

    static final double EPS = 1e-12;

    /*
     * Module "m": element scores of A [2, 3] and B [4, 2].
     *   A rows: {1,2,3} mean 2 sum 6;  {4,5,6} mean 5 sum 15;  whole A mean 3.5
     *   B cols: {1,2,3,6} mean 3 sum 12;  {10,20,30,40} mean 25 sum 100;  whole B mean 14
     */
    static Map<String, INDArray> scores() {
        Map<String, INDArray> s = new LinkedHashMap<>();
        s.put("m.lora_A.weight", Nd4j.createFromArray(new float[][]{{1, 2, 3}, {4, 5, 6}}));
        s.put("m.lora_B.weight", Nd4j.createFromArray(new float[][]{{1, 10}, {2, 20}, {3, 30}, {6, 40}}));
        return s;
    }

    static final List<SkillUnit> RANK_ONE = List.of(
            new SkillUnit("m|||0", "m", SkillUnit.Kind.RANK_ONE, 0),
            new SkillUnit("m|||1", "m", SkillUnit.Kind.RANK_ONE, 1));
    static final List<SkillUnit> MATRIX = List.of(
            new SkillUnit("m.lora_A.weight", "m", SkillUnit.Kind.MATRIX_A, -1),
            new SkillUnit("m.lora_B.weight", "m", SkillUnit.Kind.MATRIX_B, -1));

    private static double[] agg(List<SkillUnit> units, Aggregation a) {
        return UnitScores.aggregate(units, scores(), a).values().stream().mapToDouble(Double::doubleValue).toArray();
    }

    @Test
    void rankOneAggregations() {
        assertArrayEquals(new double[]{3 * 2, 25 * 5}, agg(RANK_ONE, Aggregation.PRODUCT_OF_MEANS), EPS);
        assertArrayEquals(new double[]{2 + 3, 5 + 25}, agg(RANK_ONE, Aggregation.SUM_OF_MEANS), EPS);
        assertArrayEquals(new double[]{18.0 / 7, 115.0 / 7}, agg(RANK_ONE, Aggregation.POOLED_MEAN), EPS);
        assertArrayEquals(new double[]{18.0 / 7, 115.0 / 7}, agg(RANK_ONE, Aggregation.MEAN), EPS);
        assertArrayEquals(new double[]{6, 125}, agg(RANK_ONE, null), EPS, "default: product of means");
        assertEquals(List.of("m|||0", "m|||1"), List.copyOf(UnitScores.aggregate(RANK_ONE, scores()).keySet()));
    }

    @Test
    void matrixUnitsAreMeansWhateverTheAggregation() {
        for (Aggregation a : Aggregation.values()) {
            assertArrayEquals(new double[]{3.5, 14}, agg(MATRIX, a), EPS, a.name());
        }
        assertArrayEquals(new double[]{3.5, 14}, agg(MATRIX, null), EPS);
    }

    @Test
    void missingScoresAreAnError() {
        Map<String, INDArray> s = scores();
        s.remove("m.lora_B.weight");
        assertThrows(IllegalArgumentException.class, () -> UnitScores.aggregate(RANK_ONE, s));
    }

    private static Map<String, Double> m(double... v) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (int i = 0; i < v.length; i++) {
            out.put("u" + i, v[i]);
        }
        return out;
    }

    private static double[] arr(Map<String, Double> m) {
        return m.values().stream().mapToDouble(Double::doubleValue).toArray();
    }

    @Test
    void normIsGlobalMinMax() {
        assertArrayEquals(new double[]{2, 10}, UnitScores.minMax(m(4, 2, 10)), EPS);
        assertArrayEquals(new double[]{0.25, 0, 1}, arr(UnitScores.normalize(m(4, 2, 10))), EPS);
        assertArrayEquals(new double[]{0.5, 1, 0}, arr(UnitScores.normalize(m(-1, 0, -2))), EPS);
        assertEquals(List.of("u0", "u1", "u2"), List.copyOf(UnitScores.normalize(m(4, 2, 10)).keySet()));
    }

    @Test
    void degenerateNormIsAllZero() {
        assertArrayEquals(new double[]{0, 0, 0}, arr(UnitScores.normalize(m(3, 3, 3))), EPS);
        assertArrayEquals(new double[]{0}, arr(UnitScores.normalize(m(7))), EPS);
        assertEquals(0, UnitScores.normalize(m()).size());
        assertThrows(IllegalArgumentException.class, () -> UnitScores.normalize(m(1, Double.NaN)));
        assertThrows(IllegalArgumentException.class, () -> UnitScores.minMax(m()));
    }

    @Test
    void cumulativeOverThreeTasks() {
        // Task 1: stored raw.
        Map<String, Double> c1 = UnitScores.cumulative(null, m(1, 3, 5), 0.7);
        assertArrayEquals(new double[]{1, 3, 5}, arr(c1), EPS);
        // Task 2: Norm(prev) = {0, .5, 1}, Norm(cur {10, 0, 5}) = {1, 0, .5};
        // 0.7·p + 0.3·c = {.3, .35, .85} → Norm = {0, .05/.55 = 1/11, 1}
        Map<String, Double> c2 = UnitScores.cumulative(c1, m(10, 0, 5), 0.7);
        assertArrayEquals(new double[]{0, 1.0 / 11, 1}, arr(c2), EPS);
        // Task 3: Norm(cur {0, 4, 2}) = {0, 1, .5}; mix = {0, .7/11 + .3 = 4/11, .7 + .15 = .85} → {0, (4/11)/.85, 1}
        Map<String, Double> c3 = UnitScores.cumulative(c2, m(0, 4, 2), 0.7);
        assertArrayEquals(new double[]{0, (4.0 / 11) / 0.85, 1}, arr(c3), EPS);
        assertThrows(IllegalArgumentException.class, () -> UnitScores.cumulative(c1, m(1, 2), 0.7));
    }
}
