package io.kif4j.continual.importance;

import io.kif4j.lora.LoraKeys;
import io.kif4j.lora.SkillUnit;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Unit scores from element scores (spec §3.3), their global min–max normalisation (§3.4) and the cumulative
 * score over tasks (Eq. 13). Score maps are keyed by {@link SkillUnit#id()} and keep the units' order.
 */
public final class UnitScores {

    private UnitScores() {
    }

    /** Eq. 6 with each unit's default aggregation ({@link Aggregation#defaultFor}). */
    public static LinkedHashMap<String, Double> aggregate(List<SkillUnit> units, Map<String, INDArray> elementScores) {
        return aggregate(units, elementScores, null);
    }

    /**
     * Eq. 6: one score per unit from the element scores s(w) (keyed by LoRA variable name, shaped like A and B,
     * e.g. {@link ImportanceTracker#scores()}).
     *
     * @param a the aggregation for every unit, or null for each unit's {@link Aggregation#defaultFor default}
     */
    public static LinkedHashMap<String, Double> aggregate(List<SkillUnit> units, Map<String, INDArray> elementScores,
                                                          Aggregation a) {
        LinkedHashMap<String, Double> out = new LinkedHashMap<>();
        for (SkillUnit u : units) {
            for (String v : List.of(LoraKeys.a(u.module()), LoraKeys.b(u.module()))) {
                boolean needed = u.kind() == SkillUnit.Kind.RANK_ONE
                        || (u.kind() == SkillUnit.Kind.MATRIX_A) == LoraKeys.isA(v);
                if (needed && elementScores.get(v) == null) {
                    throw new IllegalArgumentException("no element scores " + v + " for skill unit " + u.id());
                }
            }
            INDArray[] parts = u.parts(elementScores);
            Aggregation agg = a != null ? a : Aggregation.defaultFor(u.kind());
            if (out.put(u.id(), aggregate(parts, agg)) != null) {
                throw new IllegalArgumentException("duplicate skill unit " + u.id());
            }
        }
        return out;
    }

    private static double aggregate(INDArray[] parts, Aggregation a) {
        double sum = 0;
        long count = 0;
        double product = 1;
        double sumOfMeans = 0;
        for (INDArray p : parts) {
            // Sum in double: a 1024-element float sum of tiny scores would otherwise round at ~1e-7.
            double s = p.castTo(DataType.DOUBLE).sumNumber().doubleValue();
            double mean = s / p.length();
            sum += s;
            count += p.length();
            product *= mean;
            sumOfMeans += mean;
        }
        return switch (a) {
            case MEAN, POOLED_MEAN -> sum / count;
            case PRODUCT_OF_MEANS -> product;
            case SUM_OF_MEANS -> sumOfMeans;
        };
    }

    /** {min, max} over all values; they must be finite and there must be at least one. */
    public static double[] minMax(Map<String, Double> scores) {
        if (scores.isEmpty()) {
            throw new IllegalArgumentException("no unit scores");
        }
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (var e : scores.entrySet()) {
            double v = e.getValue();
            if (!Double.isFinite(v)) {
                throw new IllegalArgumentException("unit " + e.getKey() + " has a non-finite score " + v);
            }
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        return new double[]{min, max};
    }

    /**
     * What Norm does with constant scores (max == min: one unit, or all equal, e.g. all 0 when nothing was
     * updated), where (v − min) / (max − min) is 0/0.
     */
    public enum ConstantScores {
        /**
         * Every unit gets 0, read as "no unit stands out" (kif4j's default). It does not change Eq. 13 (a constant
         * is removed by the outer Norm) nor Eq. 15 (no unit is above a percentile of a constant vector); in Eq. 16
         * it lets the other score vector decide.
         */
        ZERO,
        /** Every unit gets NaN, as the authors' code (pandas 0/0) does; NaN then flows into Eq. 13 and Eq. 16. */
        NAN
    }

    /** Norm with constant scores mapped to 0 ({@link ConstantScores#ZERO}). */
    public static LinkedHashMap<String, Double> normalize(Map<String, Double> scores) {
        return normalize(scores, ConstantScores.ZERO);
    }

    /**
     * Norm (spec §3.4): global min–max scaling over all units, (v − min) / (max − min), so the least important
     * unit gets 0 and the most important 1; constant scores as {@code constant} says.
     */
    public static LinkedHashMap<String, Double> normalize(Map<String, Double> scores, ConstantScores constant) {
        LinkedHashMap<String, Double> out = new LinkedHashMap<>();
        if (scores.isEmpty()) {
            return out;
        }
        double[] mm = minMax(scores);
        double range = mm[1] - mm[0];
        double degenerate = constant == ConstantScores.NAN ? Double.NaN : 0.0;
        for (var e : scores.entrySet()) {
            out.put(e.getKey(), range > 0 ? (e.getValue() - mm[0]) / range : degenerate);
        }
        return out;
    }

    /**
     * Eq. 13, the cumulative score I(U≤t) = Norm(β·Norm(I(U≤t−1)) + (1−β)·Norm(I(U_t))), β on history (0.7 in
     * the papers). For the first task ({@code previousOrNull} null) it is the raw current score, stored raw and
     * normalised by whoever reads it (spec §3.4); later results are already normalised.
     */
    public static LinkedHashMap<String, Double> cumulative(Map<String, Double> previousOrNull,
                                                           Map<String, Double> current, double beta) {
        return cumulative(previousOrNull, current, beta, ConstantScores.ZERO);
    }

    /**
     * Eq. 13 with the given treatment of constant scores in every Norm. With {@link ConstantScores#NAN} a
     * constant input makes every result NaN, as in the authors' {@code get_lora_ipt}.
     */
    public static LinkedHashMap<String, Double> cumulative(Map<String, Double> previousOrNull,
                                                           Map<String, Double> current, double beta,
                                                           ConstantScores constant) {
        if (!(beta >= 0 && beta <= 1)) {
            throw new IllegalArgumentException("beta must be in [0, 1], got " + beta);
        }
        if (previousOrNull == null) {
            minMax(current); // the same finiteness check as later tasks get
            return new LinkedHashMap<>(current);
        }
        if (!previousOrNull.keySet().equals(current.keySet())) {
            throw new IllegalArgumentException("the cumulative and current scores cover different skill units ("
                    + previousOrNull.size() + " vs " + current.size() + ")");
        }
        Map<String, Double> p = normalize(previousOrNull, constant);
        Map<String, Double> c = normalize(current, constant);
        // 1 − β as the decimal it stands for (0.3 for 0.7, where 1 − 0.7 is 0.30000000000000004 in binary), so
        // the result is the authors' 0.3·c + 0.7·p to the last bit.
        double rest = java.math.BigDecimal.ONE.subtract(new java.math.BigDecimal(Double.toString(beta))).doubleValue();
        LinkedHashMap<String, Double> mixed = new LinkedHashMap<>();
        for (String k : current.keySet()) {
            mixed.put(k, rest * c.get(k) + beta * p.get(k));
        }
        if (mixed.values().stream().anyMatch(v -> v.isNaN())) {
            mixed.replaceAll((k, v) -> Double.NaN); // min/max of a list with NaN is NaN: every entry becomes NaN
            return mixed;
        }
        return normalize(mixed, constant);
    }
}
