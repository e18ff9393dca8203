package io.kif4j.continual.fusion;

import io.kif4j.lora.LoraAdapter;
import io.kif4j.lora.SkillUnit;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The row/column mixing equals mixing through SkillUnit.parts views, for every unit kind. */
class MixerTest {

    static final LoraAdapter PREV = TestAdapters.random(3, 3, 5, 4, 31);
    static final LoraAdapter CUR = TestAdapters.random(3, 3, 5, 4, 32);

    /** The reference: copy cur, then write w·prev + (1 − w)·cur into each unit's parts. */
    private static LoraAdapter viaParts(List<SkillUnit> units, Map<String, Double> w) {
        LoraAdapter fused = CUR.copy();
        Map<String, INDArray> p = new LinkedHashMap<>();
        Map<String, INDArray> c = new LinkedHashMap<>();
        Map<String, INDArray> f = new LinkedHashMap<>();
        for (String v : CUR.variableNames()) {
            p.put(v, PREV.array(v));
            c.put(v, CUR.array(v));
            f.put(v, fused.array(v));
        }
        for (SkillUnit u : units) {
            INDArray[] pp = u.parts(p);
            INDArray[] cp = u.parts(c);
            INDArray[] fp = u.parts(f);
            for (int i = 0; i < fp.length; i++) {
                fp[i].assign(pp[i].mul(w.get(u.id())).addi(cp[i].mul(1 - w.get(u.id()))));
            }
        }
        return fused;
    }

    @Test
    void sameAsPartsForMatrixRankOneAndPartialUnitLists() {
        SplittableRandom rnd = new SplittableRandom(7);
        List<SkillUnit> partial = new ArrayList<>(SkillUnit.rankOne(CUR).subList(1, 4)); // module 0 comps 1-2, module 1 comp 0
        partial.add(SkillUnit.matrixLevel(CUR).get(5)); // B of module 2
        for (List<SkillUnit> units : List.of(SkillUnit.matrixLevel(CUR), SkillUnit.rankOne(CUR), partial)) {
            Map<String, Double> w = new LinkedHashMap<>();
            int k = 0;
            for (SkillUnit u : units) {
                w.put(u.id(), k++ % 3 == 0 ? (k % 2 == 0 ? 0.0 : 1.0) : rnd.nextDouble());
            }
            LoraAdapter ours = Mixer.mix(PREV, CUR, units, w);
            assertEquals(0, TestAdapters.maxAbsDiff(ours, viaParts(units, w)), 1e-6);
            assertEquals(CUR.config(), ours.config());
            assertEquals(CUR.variableNames(), ours.variableNames());
        }
    }

    @Test
    void overlappingUnitsAreRefused() {
        List<SkillUnit> units = List.of(SkillUnit.matrixLevel(CUR).get(0), SkillUnit.rankOne(CUR).get(0));
        Map<String, Double> w = Map.of(units.get(0).id(), 0.5, units.get(1).id(), 0.5);
        assertThrows(IllegalArgumentException.class, () -> Mixer.mix(PREV, CUR, units, w));
    }
}
