package io.kif4j.continual.fusion;

import io.kif4j.lora.LoraAdapter;
import io.kif4j.lora.SkillUnit;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Eq. 15: the four cases, the separate 80th percentiles and the strict comparisons (spec §4.2). */
class StaticHardMaskFusionTest {

    static final LoraAdapter PREV = TestAdapters.random(5, 2, 3, 4, 1);
    static final LoraAdapter CUR = TestAdapters.random(5, 2, 3, 4, 2);

    private static Map<String, Double> scores(List<SkillUnit> units, double... v) {
        Map<String, Double> m = new LinkedHashMap<>();
        for (int i = 0; i < v.length; i++) {
            m.put(units.get(i).id(), v[i]);
        }
        return m;
    }

    /** Checks every unit's arrays against w·prev + (1 − w)·cur with the expected weight on prev. */
    private static void expectWeights(LoraAdapter fused, List<SkillUnit> units, double... wPrev) {
        for (int i = 0; i < units.size(); i++) {
            String v = units.get(i).id(); // matrix units are named like their variable
            INDArray expected = PREV.array(v).mul(wPrev[i]).addi(CUR.array(v).mul(1 - wPrev[i]));
            double diff = fused.array(v).sub(expected).amaxNumber().doubleValue();
            assertEquals(0, diff, 1e-6, v + " should be " + wPrev[i] + "·prev + " + (1 - wPrev[i]) + "·cur");
        }
    }

    @Test
    void theFourCases() {
        List<SkillUnit> units = SkillUnit.matrixLevel(CUR); // A0 B0 A1 B1 ... A4 B4
        // p sorted: 0 .05 .1 .2 .3 .4 .5 .6 .9 1 → δp = .6 + .2·(.9 − .6) = .66: A0 and B0 are old-important.
        Map<String, Double> p = scores(units, 1.0, 0.9, 0.1, 0.2, 0.3, 0.0, 0.4, 0.5, 0.6, 0.05);
        // c sorted: 0 .05 .1 .2 .3 .4 .5 .6 .95 1 → δc = .6 + .2·(.95 − .6) = .67: A0 and A1 are new-important.
        Map<String, Double> c = scores(units, 0.95, 0.1, 1.0, 0.2, 0.3, 0.0, 0.4, 0.5, 0.6, 0.05);
        StaticHardMaskFusion rule = new StaticHardMaskFusion(0.7, 0.8);
        assertArrayEquals(new double[]{0.66, 0.67}, rule.thresholds(units, p, c), 1e-12);
        LoraAdapter prevBefore = PREV.copy();
        LoraAdapter curBefore = CUR.copy();
        FusionResult r = rule.fuse(PREV, CUR, units, p, c);
        // A0 shared (γ = .7 on prev), B0 old-specific (prev), A1 new-specific (cur), the rest low relevance (½)
        expectWeights(r.fused(), units, 0.7, 1, 0, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5);
        assertEquals(Map.of("shared", 1, "old_specific", 1, "new_specific", 1, "low_relevance", 7), r.caseCounts());
        assertEquals(Double.NaN, r.truncationError());
        assertEquals(0, TestAdapters.maxAbsDiff(prevBefore, PREV), "previous untouched");
        assertEquals(0, TestAdapters.maxAbsDiff(curBefore, CUR), "current untouched");
        assertNotSame(CUR.array(units.get(0).id()), r.fused().array(units.get(0).id()));
    }

    @Test
    void comparisonsAreStrict() {
        List<SkillUnit> units = SkillUnit.matrixLevel(CUR).subList(0, 5);
        // quantile .75 of {0, .25, .5, .75, 1} is exactly .75: the unit AT the threshold is not important.
        // c is constant: its threshold is that constant and no unit is above it.
        Map<String, Double> p = scores(units, 0, 0.25, 0.5, 0.75, 1);
        Map<String, Double> c = scores(units, 0, 0, 0, 0, 0);
        FusionResult r = new StaticHardMaskFusion(0.7, 0.75).fuse(PREV, CUR, units, p, c);
        expectWeights(r.fused(), units, 0.5, 0.5, 0.5, 0.5, 1);
        // parameters outside the units come from the current model
        for (SkillUnit u : SkillUnit.matrixLevel(CUR).subList(5, 10)) {
            assertEquals(CUR.array(u.id()), r.fused().array(u.id()));
        }
    }

    @Test
    void rankOneUnitsMixRowsAndColumns() {
        List<SkillUnit> units = SkillUnit.rankOne(CUR).subList(0, 2); // module 0, components 0 and 1
        FusionResult r = new StaticHardMaskFusion(0.7, 0.8).fuse(PREV, CUR, units,
                Map.of(units.get(0).id(), 1.0, units.get(1).id(), 0.0),
                Map.of(units.get(0).id(), 0.0, units.get(1).id(), 1.0));
        String a = "layers.0.q.lora_A.weight";
        String b = "layers.0.q.lora_B.weight";
        // δ = .8 of {0, 1} = .8: unit 0 old-specific, unit 1 new-specific
        assertEquals(PREV.array(a).getRow(0), r.fused().array(a).getRow(0));
        assertEquals(PREV.array(b).getColumn(0), r.fused().array(b).getColumn(0));
        assertEquals(CUR.array(a).getRow(1), r.fused().array(a).getRow(1));
        assertEquals(CUR.array(b).getColumn(1), r.fused().array(b).getColumn(1));
    }

    @Test
    void missingScoresOrMismatchedAdaptersAreErrors() {
        List<SkillUnit> units = SkillUnit.matrixLevel(CUR);
        StaticHardMaskFusion rule = new StaticHardMaskFusion();
        assertThrows(IllegalArgumentException.class, () -> rule.fuse(PREV, CUR, units, Map.of(), Map.of()));
        LoraAdapter other = TestAdapters.random(4, 2, 3, 4, 3);
        Map<String, Double> zeros = new LinkedHashMap<>();
        units.forEach(u -> zeros.put(u.id(), 0.0));
        assertThrows(IllegalArgumentException.class, () -> rule.fuse(other, CUR, units, zeros, zeros));
    }
}
