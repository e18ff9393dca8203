package io.kif4j.continual.fusion;

import io.kif4j.lora.LoraAdapter;
import io.kif4j.lora.SkillUnit;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Eq. 16–17 in factor space at τ = 0.15 / 0.25 and τ → 0, and the delta-space variant (spec §4.3). */
class AdaptiveSoftMaskFusionTest {

    static final LoraAdapter PREV = TestAdapters.random(2, 2, 3, 4, 11);
    static final LoraAdapter CUR = TestAdapters.random(2, 2, 3, 4, 12);
    static final List<SkillUnit> UNITS = SkillUnit.rankOne(CUR); // layers.{0,1}.q|||{0,1}
    static final String A0 = "layers.0.q.lora_A.weight";
    static final String B0 = "layers.0.q.lora_B.weight";

    /** p and c for the four units: (.8, .2), (.1, .7), (.5, .5), (1, 0). */
    static Map<String, Double> p() {
        return scores(0.8, 0.1, 0.5, 1.0);
    }

    static Map<String, Double> c() {
        return scores(0.2, 0.7, 0.5, 0.0);
    }

    static Map<String, Double> scores(double... v) {
        Map<String, Double> m = new LinkedHashMap<>();
        for (int i = 0; i < v.length; i++) {
            m.put(UNITS.get(i).id(), v[i]);
        }
        return m;
    }

    /** Unit u of module 0 or 1: row u%2 of A and column u%2 of B must be a·prev + (1 − a)·cur. */
    private static void expectMix(LoraAdapter fused, int unit, double a) {
        String mod = "layers." + unit / 2 + ".q";
        int i = unit % 2;
        for (String[] v : List.of(new String[]{mod + ".lora_A.weight", "row"}, new String[]{mod + ".lora_B.weight", "col"})) {
            INDArray f = part(fused.array(v[0]), v[1], i);
            INDArray expected = part(PREV.array(v[0]), v[1], i).mul(a).addi(part(CUR.array(v[0]), v[1], i).mul(1 - a));
            assertEquals(0, f.sub(expected).amaxNumber().doubleValue(), 1e-6, v[0] + " " + v[1] + " " + i);
            assertFalse(f.isNaN().any(), "no NaN");
        }
    }

    private static INDArray part(INDArray x, String kind, int i) {
        return kind.equals("row") ? x.getRow(i) : x.getColumn(i);
    }

    @Test
    void softmaxWeightsByHand() {
        // α_{t−1} = 1 / (1 + e^{(c − p)/τ}); c − p = −.6: τ .15 → 1/(1 + e^−4), τ .25 → 1/(1 + e^−2.4)
        assertEquals(0.9820137900379085, AdaptiveSoftMaskFusion.previousWeight(0.8, 0.2, 0.15), 1e-15);
        assertEquals(0.017986209962091555, AdaptiveSoftMaskFusion.previousWeight(0.2, 0.8, 0.15), 1e-15);
        assertEquals(0.9168273035060777, AdaptiveSoftMaskFusion.previousWeight(0.8, 0.2, 0.25), 1e-15);
        assertEquals(0.08317269649392238, AdaptiveSoftMaskFusion.previousWeight(0.3, 0.9, 0.25), 1e-15);
        assertEquals(0.5, AdaptiveSoftMaskFusion.previousWeight(0.4, 0.4, 0.15));
    }

    @Test
    void factorsAtPaperAndCodeTemperatures() {
        double[][] expected = {
                {0.9820137900379085, 0.017986209962091555, 0.5, 1 / (1 + Math.exp(-1 / 0.15))},
                {0.9168273035060777, 1 / (1 + Math.exp(0.6 / 0.25)), 0.5, 1 / (1 + Math.exp(-1 / 0.25))}};
        double[] taus = {AdaptiveSoftMaskFusion.PAPER_TAU, AdaptiveSoftMaskFusion.CODE_TAU};
        for (int t = 0; t < 2; t++) {
            LoraAdapter prevBefore = PREV.copy();
            FusionResult r = new AdaptiveSoftMaskFusion(taus[t], FusionSpace.FACTORS).fuse(PREV, CUR, UNITS, p(), c());
            for (int u = 0; u < 4; u++) {
                expectMix(r.fused(), u, expected[t][u]);
            }
            assertEquals(Map.of("previous", 2, "current", 1, "even", 1), r.caseCounts());
            assertEquals(Double.NaN, r.truncationError());
            assertEquals(0, TestAdapters.maxAbsDiff(prevBefore, PREV), "previous untouched");
        }
    }

    @Test
    void zeroTemperatureLimitIsTheHardCases() {
        // The larger score takes the unit outright, a tie averages; no NaN for τ = 0 or denormal τ.
        for (double tau : new double[]{1e-3, 1e-300, Double.MIN_VALUE, 0}) {
            FusionResult r = new AdaptiveSoftMaskFusion(tau, FusionSpace.FACTORS).fuse(PREV, CUR, UNITS, p(), c());
            expectMix(r.fused(), 0, 1);
            expectMix(r.fused(), 1, 0);
            expectMix(r.fused(), 2, 0.5);
            expectMix(r.fused(), 3, 1);
            assertEquals(PREV.array(A0).getRow(0), r.fused().array(A0).getRow(0), "exact copy, tau " + tau);
            assertEquals(CUR.array(B0).getColumn(1), r.fused().array(B0).getColumn(1), "exact copy, tau " + tau);
        }
    }

    @Test
    void rawScoresAreRefused() {
        AdaptiveSoftMaskFusion rule = new AdaptiveSoftMaskFusion(0.15, FusionSpace.FACTORS);
        assertThrows(IllegalArgumentException.class, () -> rule.fuse(PREV, CUR, UNITS, scores(3, 0, 0, 0), c()));
        assertThrows(IllegalArgumentException.class, () -> new AdaptiveSoftMaskFusion(-1, FusionSpace.FACTORS));
    }

    // ---- delta space ----

    /** ΔW of module {@code mod} as Eq. 17's weights mix the rank-one updates (no cross terms), in double. */
    private static INDArray mixedDelta(LoraAdapter prev, LoraAdapter cur, String mod, double[] alphaPrev) {
        INDArray d = Nd4j.zeros(DataType.DOUBLE, cur.module(mod).out(), cur.module(mod).in());
        for (int i = 0; i < alphaPrev.length; i++) {
            for (LoraAdapter x : List.of(prev, cur)) {
                double w = x == prev ? alphaPrev[i] : 1 - alphaPrev[i];
                INDArray b = x.module(mod).b().getColumn(i).castTo(DataType.DOUBLE).reshape(-1, 1);
                INDArray a = x.module(mod).a().getRow(i).castTo(DataType.DOUBLE).reshape(1, -1);
                d.addi(b.mmul(a).muli(w));
            }
        }
        return d;
    }

    private static double relDiff(INDArray x, INDArray y) {
        return x.sub(y).norm2Number().doubleValue() / y.norm2Number().doubleValue();
    }

    @Test
    void deltaSpaceIsExactWhenTheTrueRankIsAtMostR() {
        // prev and cur share A: ΔW = (B_t·diag(α_t) + B̃·diag(α_{t−1}))·A has rank ≤ r = 2.
        LoraAdapter prev = CUR.copy();
        for (String v : prev.variableNames()) {
            if (v.endsWith("lora_B.weight")) {
                prev.array(v).assign(PREV.array(v));
            }
        }
        FusionResult r = new AdaptiveSoftMaskFusion(0.15, FusionSpace.DELTA).fuse(prev, CUR, UNITS, p(), c());
        double[][] alpha = {{0.9820137900379085, 0.017986209962091555}, {0.5, 1 / (1 + Math.exp(-1 / 0.15))}};
        for (int m = 0; m < 2; m++) {
            String mod = "layers." + m + ".q";
            INDArray expected = mixedDelta(prev, CUR, mod, alpha[m]);
            assertTrue(relDiff(TestAdapters.product(r.fused(), mod), expected) < 1e-6, mod);
            assertTrue(r.moduleTruncationErrors().get(mod) < 1e-7, "error " + r.moduleTruncationErrors());
        }
        assertTrue(r.truncationError() < 1e-7);
    }

    @Test
    void deltaSpaceTruncatesLikeADenseSvd() {
        FusionResult r = new AdaptiveSoftMaskFusion(0.25, FusionSpace.DELTA).fuse(PREV, CUR, UNITS, p(), c());
        double[][] alpha = {{0.9168273035060777, 1 / (1 + Math.exp(0.6 / 0.25))}, {0.5, 1 / (1 + Math.exp(-1 / 0.25))}};
        double max = 0;
        for (int m = 0; m < 2; m++) {
            String mod = "layers." + m + ".q";
            INDArray dense = mixedDelta(PREV, CUR, mod, alpha[m]); // [4, 3], rank 3 > r = 2
            int rows = (int) dense.rows();
            int cols = (int) dense.columns();
            int k = Math.min(rows, cols);
            INDArray s = Nd4j.create(DataType.DOUBLE, k);
            INDArray u = Nd4j.create(DataType.DOUBLE, new long[]{rows, rows}, 'f');
            INDArray vt = Nd4j.create(DataType.DOUBLE, new long[]{cols, cols}, 'f');
            Nd4j.getBlasWrapper().lapack().gesvd(dense.dup('f'), s, u, vt);
            double total = s.mul(s).sumNumber().doubleValue();
            double tail = 0;
            for (int j = 2; j < k; j++) {
                tail += s.getDouble(j) * s.getDouble(j);
            }
            assertTrue(Math.sqrt(tail / total) > 1e-3, "the test needs a real truncation");
            assertEquals(Math.sqrt(tail / total), r.moduleTruncationErrors().get(mod), 1e-6, mod);
            // Eckart–Young: B'A' is the dense rank-2 truncation U_2 Σ_2 V_2ᵀ
            INDArray best = u.get(NDArrayIndex.all(), NDArrayIndex.interval(0, 2))
                    .mulRowVector(s.get(NDArrayIndex.interval(0, 2)))
                    .mmul(vt.get(NDArrayIndex.interval(0, 2), NDArrayIndex.all()));
            INDArray ours = TestAdapters.product(r.fused(), mod);
            assertTrue(relDiff(ours, best) < 1e-6, mod + ": " + relDiff(ours, best));
            assertEquals(Math.sqrt(tail / total), relDiff(ours, dense), 1e-6, "error as measured on the dense ΔW");
            max = Math.max(max, Math.sqrt(tail / total));
        }
        assertEquals(max, r.truncationError(), 1e-6);
    }

    @Test
    void deltaSpaceHardLimitAndZeroUpdate() {
        // τ = 0 with p > c everywhere: ΔW = B̃Ã exactly (the previous model's rank-r update).
        Map<String, Double> hi = scores(1, 1, 1, 1);
        Map<String, Double> lo = scores(0, 0, 0, 0);
        FusionResult r = new AdaptiveSoftMaskFusion(0, FusionSpace.DELTA).fuse(PREV, CUR, UNITS, hi, lo);
        for (String mod : List.of("layers.0.q", "layers.1.q")) {
            assertTrue(relDiff(TestAdapters.product(r.fused(), mod), TestAdapters.product(PREV, mod)) < 1e-6);
        }
        assertTrue(r.truncationError() < 1e-7);
        // Both updates zero (B = 0): B' = 0 and A keeps orthonormal rows, so training can restart from it.
        LoraAdapter zp = PREV.copy();
        LoraAdapter zc = CUR.copy();
        for (LoraAdapter z : List.of(zp, zc)) {
            z.modules().forEach(m -> m.b().assign(0));
        }
        FusionResult z = new AdaptiveSoftMaskFusion(0.15, FusionSpace.DELTA).fuse(zp, zc, UNITS, p(), c());
        assertEquals(0, z.truncationError());
        for (var m : z.fused().modules()) {
            assertEquals(0, m.b().amaxNumber().doubleValue());
            INDArray aat = m.a().mmul(m.a().transpose());
            assertEquals(0, aat.sub(Nd4j.eye(2).castTo(DataType.FLOAT)).amaxNumber().doubleValue(), 1e-6);
        }
    }

    @Test
    void deltaSpaceNeedsRankOneUnits() {
        List<SkillUnit> matrix = SkillUnit.matrixLevel(CUR);
        Map<String, Double> s = new LinkedHashMap<>();
        matrix.forEach(u -> s.put(u.id(), 0.5));
        assertThrows(IllegalArgumentException.class,
                () -> new AdaptiveSoftMaskFusion(0.15, FusionSpace.DELTA).fuse(PREV, CUR, matrix, s, s));
    }
}
