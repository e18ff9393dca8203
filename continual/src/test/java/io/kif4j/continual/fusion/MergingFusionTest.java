package io.kif4j.continual.fusion;

import io.kif4j.continual.Methods;
import io.kif4j.continual.RunConfig;
import io.kif4j.continual.fusion.MergingFusion.Combination;
import io.kif4j.continual.fusion.MergingFusion.MajoritySign;
import io.kif4j.lora.LoraAdapter;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** PEFT's merging combinations on two hand-made adapters (one module, r = 1, A [1, 4], B [2, 1]), worked by hand. */
class MergingFusionTest {

    static final String A = "m.q.lora_A.weight";
    static final String B = "m.q.lora_B.weight";

    static LoraAdapter adapter(float[] a, float[] b) {
        Map<String, INDArray[]> m = new LinkedHashMap<>();
        m.put("m.q", new INDArray[]{Nd4j.create(a, new long[]{1, a.length}, 'c'), Nd4j.create(b, new long[]{b.length, 1}, 'c')});
        return LoraAdapter.of(TestAdapters.config(1), m);
    }

    static final LoraAdapter PREV = adapter(new float[]{0.4f, -0.2f, 0.1f, -0.8f}, new float[]{1.0f, -0.5f});
    static final LoraAdapter CUR = adapter(new float[]{-0.6f, 0.3f, 0.05f, 0.2f}, new float[]{-0.25f, 0.75f});

    static FusionResult merge(Combination c, double wPrev, double wCur, double density, MajoritySign s) {
        return new MergingFusion(c, new double[]{wPrev, wCur}, density, s, 7).fuse(PREV, CUR, List.of(), Map.of(), Map.of());
    }

    static void assertFused(FusionResult r, float[] a, float[] b) {
        assertArrayEquals(a, r.fused().array(A).reshape(-1).toFloatVector(), 1e-6f, "lora_A");
        assertArrayEquals(b, r.fused().array(B).reshape(-1).toFloatVector(), 1e-6f, "lora_B");
    }

    @Test
    void taskArithmeticScalesEachFactorBySqrtWeight() {
        // √0.25 = 0.5 on the previous, √1 = 1 on the current: A = 0.5·prev + cur, B likewise.
        assertFused(merge(Combination.TASK_ARITHMETIC, 0.25, 1, 0.2, MajoritySign.TOTAL),
                new float[]{-0.4f, 0.2f, 0.1f, -0.2f}, new float[]{0.25f, 0.5f});
    }

    @Test
    void magnitudePruneKeepsTheLargestHalfThenSums() {
        // A: prev keeps 0.4, −0.8; cur keeps −0.6, 0.3. B (k = 1): prev keeps 1.0, cur keeps 0.75.
        assertFused(merge(Combination.MAGNITUDE_PRUNE, 1, 1, 0.5, MajoritySign.TOTAL),
                new float[]{-0.2f, 0.3f, 0f, -0.8f}, new float[]{1.0f, 0.75f});
    }

    @Test
    void tiesTrimsElectsAndAveragesTheAgreeingEntries() {
        // Votes on A (total): 0.4 − 0.6 < 0 → −; 0.3 → +; 0 → +; −0.8 → −. Entry 0 keeps only the current −0.6.
        FusionResult r = merge(Combination.TIES, 1, 1, 0.5, MajoritySign.TOTAL);
        assertFused(r, new float[]{-0.6f, 0.3f, 0f, -0.8f}, new float[]{1.0f, 0.75f});
        assertEquals(1, r.caseCounts().get(MergingFusion.DISAGREEING), "the previous 0.4 is outvoted");
        assertEquals(6, r.caseCounts().get(MergingFusion.KEPT));
        assertEquals(6, r.caseCounts().get(MergingFusion.DROPPED));
        // By count of signs entry 0 ties (+1 − 1 = 0), which PEFT elects as +: the previous 0.4 wins.
        assertFused(merge(Combination.TIES, 1, 1, 0.5, MajoritySign.FREQUENCY),
                new float[]{0.4f, 0.3f, 0f, -0.8f}, new float[]{1.0f, 0.75f});
        // Weights scale the agreeing entries by √w before the average: √0.25·(−0.8) = −0.4, √0.25·1.0 = 0.5.
        assertFused(merge(Combination.TIES, 0.25, 1, 0.5, MajoritySign.TOTAL),
                new float[]{-0.6f, 0.3f, 0f, -0.4f}, new float[]{0.5f, 0.75f});
    }

    @Test
    void dareDropsAtRandomAndRescalesSeeded() {
        LoraAdapter prev = TestAdapters.random(4, 4, 32, 24, 1);
        LoraAdapter cur = TestAdapters.random(4, 4, 32, 24, 2);
        // Weight 0 on the current: every entry is 0 or prev / density, about half of them kept.
        MergingFusion dare = new MergingFusion(Combination.DARE_LINEAR, new double[]{1, 0}, 0.5, MajoritySign.TOTAL, 3);
        LoraAdapter f = dare.fuse(prev, cur, List.of(), Map.of(), Map.of()).fused();
        int kept = 0;
        int total = 0;
        for (String v : prev.variableNames()) {
            float[] got = f.array(v).reshape(-1).toFloatVector();
            float[] want = prev.array(v).reshape(-1).toFloatVector();
            for (int i = 0; i < got.length; i++) {
                assertTrue(got[i] == 0 || Math.abs(got[i] - 2 * want[i]) < 1e-6, v + "[" + i + "]");
                kept += got[i] != 0 ? 1 : 0;
                total++;
            }
        }
        assertTrue(Math.abs(kept / (double) total - 0.5) < 0.05, "kept fraction " + kept / (double) total);
        LoraAdapter again = dare.fuse(prev, cur, List.of(), Map.of(), Map.of()).fused();
        assertEquals(0, TestAdapters.maxAbsDiff(f, again), "same seed, same drop");
        LoraAdapter other = new MergingFusion(Combination.DARE_LINEAR, new double[]{1, 0}, 0.5, MajoritySign.TOTAL, 4)
                .fuse(prev, cur, List.of(), Map.of(), Map.of()).fused();
        assertNotEquals(0, TestAdapters.maxAbsDiff(f, other));
        // DARE-TIES keeps only entries of the elected sign: never larger in magnitude than the rescaled inputs.
        LoraAdapter ties = new MergingFusion(Combination.DARE_TIES, new double[]{1, 1}, 0.5, MajoritySign.TOTAL, 3)
                .fuse(prev, cur, List.of(), Map.of(), Map.of()).fused();
        for (String v : prev.variableNames()) {
            double bound = 2 * Math.max(prev.array(v).amaxNumber().doubleValue(), cur.array(v).amaxNumber().doubleValue());
            assertTrue(ties.array(v).amaxNumber().doubleValue() <= bound + 1e-6, v);
        }
    }

    @Test
    void anAdapterMergedWithItselfComesBackUnderTheDefaultWeights() {
        LoraAdapter a = TestAdapters.random(3, 2, 6, 5, 11);
        for (Combination c : Combination.values()) {
            LoraAdapter f = new MergingFusion(c, c.identityWeights(), 1.0, MajoritySign.TOTAL, 1)
                    .fuse(a, a.copy(), List.of(), Map.of(), Map.of()).fused();
            assertTrue(TestAdapters.maxAbsDiff(a, f) < 1e-6, c.id());
        }
    }

    @Test
    void methodsAndSettings() {
        RunConfig config = new RunConfig();
        for (Combination c : Combination.values()) {
            assertEquals(c.id(), Methods.create(c.id(), config).name());
        }
        config.mergeWeights = List.of(1.0, 2.0, 3.0);
        assertThrows(IllegalArgumentException.class, () -> Methods.create("ties", config));
        config.mergeWeights = null;
        config.mergeMajoritySign = "loudest";
        assertThrows(IllegalArgumentException.class, () -> Methods.create("ties", config));
        assertThrows(IllegalArgumentException.class,
                () -> new MergingFusion(Combination.TIES, new double[]{1, 1}, 1.5, MajoritySign.TOTAL, 0));
    }
}
