package io.kif4j.continual.fusion;

import io.kif4j.lora.LoraAdapter;
import io.kif4j.lora.LoraModule;
import io.kif4j.lora.SkillUnit;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** Checks and lookups shared by the fusion rules. */
final class FusionInputs {

    private FusionInputs() {
    }

    /** Both adapters must have the same rank, scaling, modules and shapes: fusion is element-wise. */
    static void checkCompatible(LoraAdapter previous, LoraAdapter current) {
        if (previous.config().r() != current.config().r() || previous.scaling() != current.scaling()) {
            throw new IllegalArgumentException("cannot fuse adapters with different rank or scaling: r "
                    + previous.config().r() + " vs " + current.config().r() + ", scaling " + previous.scaling()
                    + " vs " + current.scaling());
        }
        List<LoraModule> pm = previous.modules();
        List<LoraModule> cm = current.modules();
        if (pm.size() != cm.size()) {
            throw new IllegalArgumentException("cannot fuse adapters with " + pm.size() + " and " + cm.size()
                    + " modules");
        }
        for (LoraModule c : cm) {
            LoraModule p = previous.module(c.path());
            if (p == null) {
                throw new IllegalArgumentException("the previous adapter has no module " + c.path());
            }
            if (!Arrays.equals(p.a().shape(), c.a().shape()) || !Arrays.equals(p.b().shape(), c.b().shape())) {
                throw new IllegalArgumentException("module " + c.path() + " has different shapes in the two adapters");
            }
        }
    }

    /**
     * Every unit must have a score in both maps, finite or NaN (NaN is what Norm gives constant scores under
     * {@link io.kif4j.continual.importance.UnitScores.ConstantScores#NAN}, the authors' code's behaviour).
     */
    static void checkScores(List<SkillUnit> units, Map<String, Double> p, Map<String, Double> c) {
        for (SkillUnit u : units) {
            for (Map<String, Double> m : List.of(p, c)) {
                Double v = m.get(u.id());
                if (v == null || Double.isInfinite(v)) {
                    throw new IllegalArgumentException("skill unit " + u.id() + " has no finite score in the "
                            + (m == p ? "previous" : "current") + " scores");
                }
            }
        }
    }

    static double[] values(List<SkillUnit> units, Map<String, Double> scores) {
        double[] v = new double[units.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = scores.get(units.get(i).id());
        }
        return v;
    }
}
