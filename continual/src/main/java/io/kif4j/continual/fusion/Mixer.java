package io.kif4j.continual.fusion;

import io.kif4j.continual.tensors.HostArrays;
import io.kif4j.lora.LoraAdapter;
import io.kif4j.lora.LoraModule;
import io.kif4j.lora.SkillUnit;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The element-wise core of the factor-space rules: every skill unit's parameters ← w·prev + (1 − w)·cur, in one
 * pass per LoRA matrix over host copies (see {@link io.kif4j.continual.tensors.HostArrays} for why not per-unit
 * ND4J views). A unit's parameters are those {@link SkillUnit#parts} names: all of A (MATRIX_A), all of B
 * (MATRIX_B), or row i of A and column i of B (RANK_ONE), so a weight per row of A and per column of B expresses
 * any set of units. Parameters outside every unit are taken from {@code cur}.
 */
final class Mixer {

    private Mixer() {
    }

    /**
     * A new adapter (structure and config of {@code cur}) with each unit mixed by its weight on prev: the arithmetic
     * of spec Eq. 15 (θ̃_t^(u) = w·θ̃_{t−1}^(u) + (1 − w)·θ_t^(u), w = γ, 1, 0 or ½ by the unit's case), of Eq. 17
     * (w = α_{t−1}^(u), 1 − w = α_t^(u), on a_u and b_u) and of Eq. 14 (w = λ for every unit). The rules choose w.
     *
     * @param wPrev unit id → weight on the previous model, in [0, 1]; 0 and 1 copy exactly
     */
    static LoraAdapter mix(LoraAdapter prev, LoraAdapter cur, List<SkillUnit> units, Map<String, Double> wPrev) {
        Map<String, double[][]> weights = new HashMap<>(); // module → {per A row, per B column}, UNSET = not in a unit
        for (SkillUnit u : units) {
            LoraModule m = cur.module(u.module());
            if (m == null) {
                throw new IllegalArgumentException("skill unit " + u.id() + " names no module of the adapter");
            }
            double[][] w = weights.computeIfAbsent(u.module(), k -> unsetPair(m.rank()));
            double v = wPrev.get(u.id());
            switch (u.kind()) {
                case MATRIX_A -> setAll(w[0], v, u);
                case MATRIX_B -> setAll(w[1], v, u);
                case RANK_ONE -> {
                    set(w[0], u.index(), v, u);
                    set(w[1], u.index(), v, u);
                }
            }
        }
        Map<String, INDArray[]> out = new LinkedHashMap<>();
        for (LoraModule c : cur.modules()) {
            LoraModule p = prev.module(c.path());
            double[][] w = weights.getOrDefault(c.path(), unsetPair(c.rank()));
            int r = c.rank();
            int in = (int) c.in();
            int outDim = (int) c.out();
            float[] a = HostArrays.read(c.a(), null);
            float[] pa = HostArrays.read(p.a(), null);
            for (int i = 0; i < r; i++) {
                mixRange(a, pa, i * in, (i + 1) * in, 1, w[0][i]); // row i of A [r, in]
            }
            float[] b = HostArrays.read(c.b(), null);
            float[] pb = HostArrays.read(p.b(), null);
            for (int i = 0; i < r; i++) {
                mixRange(b, pb, i, outDim * r, r, w[1][i]);         // column i of B [out, r]
            }
            out.put(c.path(), new INDArray[]{HostArrays.create(a, r, in), HostArrays.create(b, outDim, r)});
        }
        return LoraAdapter.of(cur.config(), out);
    }

    /**
     * cur[k] ← w·prev[k] + (1 − w)·cur[k] for k = from, from + stride, … below to; {@link #UNSET} (no unit) keeps
     * cur, and a NaN weight (NaN scores, as the authors' code gives constant ones) makes the values NaN.
     */
    private static void mixRange(float[] cur, float[] prev, int from, int to, int stride, double w) {
        if (isUnset(w) || w == 0) {
            return;
        }
        for (int k = from; k < to; k += stride) {
            cur[k] = w == 1 ? prev[k] : (float) (w * prev[k] + (1 - w) * cur[k]);
        }
    }

    /** Marks a row or column outside every unit: a NaN with its own bit pattern, so a NaN weight stays apart. */
    private static final double UNSET = Double.longBitsToDouble(0x7ff8_dead_0000_0001L);

    private static boolean isUnset(double w) {
        return Double.doubleToRawLongBits(w) == Double.doubleToRawLongBits(UNSET);
    }

    private static double[][] unsetPair(int r) {
        double[][] w = new double[2][r];
        java.util.Arrays.fill(w[0], UNSET);
        java.util.Arrays.fill(w[1], UNSET);
        return w;
    }

    private static void setAll(double[] w, double v, SkillUnit u) {
        for (int i = 0; i < w.length; i++) {
            set(w, i, v, u);
        }
    }

    private static void set(double[] w, int i, double v, SkillUnit u) {
        if (!isUnset(w[i])) {
            throw new IllegalArgumentException("skill unit " + u.id() + " overlaps another unit of the list");
        }
        w[i] = v;
    }
}
