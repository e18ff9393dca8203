package io.kif4j.continual.fusion;

import io.kif4j.continual.importance.ImportanceMetric;
import io.kif4j.continual.importance.ImportanceTracker;
import io.kif4j.continual.importance.UnitScores;
import io.kif4j.lora.LoraAdapter;
import io.kif4j.lora.SkillUnit;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Times fusion and the importance tracker on a T5-large-sized adapter (144 modules, r = 8, A 8×1024, B 1024×8;
 * spec §2.1). Not a unit test: run it by hand and read the numbers, e.g.
 * {@code java -cp <test classpath> io.kif4j.continual.fusion.FusionBenchmark [repeats]}.
 * The requirement is adaptive fusion in factor space under 1 s.
 */
public final class FusionBenchmark {

    private FusionBenchmark() {
    }

    public static void main(String[] args) {
        int repeats = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        LoraAdapter prev = TestAdapters.random(144, 8, 1024, 1024, 1);
        LoraAdapter cur = TestAdapters.random(144, 8, 1024, 1024, 2);
        List<SkillUnit> rankOne = SkillUnit.rankOne(cur);
        List<SkillUnit> matrix = SkillUnit.matrixLevel(cur);
        SplittableRandom rnd = new SplittableRandom(3);
        Map<String, Double> p = UnitScores.normalize(randomScores(rankOne, rnd));
        Map<String, Double> c = UnitScores.normalize(randomScores(rankOne, rnd));
        Map<String, Double> pm = UnitScores.normalize(randomScores(matrix, rnd));
        Map<String, Double> cm = UnitScores.normalize(randomScores(matrix, rnd));
        System.out.printf("T5-large-sized adapter: %d modules, %d rank-one units, %d matrix units%n",
                cur.modules().size(), rankOne.size(), matrix.size());
        time("adaptive fusion, FACTORS (tau 0.15)", repeats,
                () -> new AdaptiveSoftMaskFusion(0.15, FusionSpace.FACTORS).fuse(prev, cur, rankOne, p, c));
        time("adaptive fusion, DELTA (tau 0.15)", repeats,
                () -> new AdaptiveSoftMaskFusion(0.15, FusionSpace.DELTA).fuse(prev, cur, rankOne, p, c));
        time("static fusion, matrix units", repeats,
                () -> new StaticHardMaskFusion().fuse(prev, cur, matrix, pm, cm));
        time("rank-one unit aggregation (product of means)", repeats,
                () -> UnitScores.aggregate(rankOne, arrays(cur)));

        ImportanceTracker tracker = ImportanceTracker.kif(ImportanceMetric.FISHER);
        Map<String, INDArray> params = arrays(cur);
        Map<String, INDArray> grads = arrays(prev);
        int[] step = {1};
        int updates = 50;
        time("importance tracker, " + updates + " optimizer steps (Fisher)", Math.max(1, repeats / 2), () -> {
            for (int i = 0; i < updates; i++) {
                tracker.afterStep(step[0]++, params, grads, 0);
            }
        });
    }

    private static Map<String, Double> randomScores(List<SkillUnit> units, SplittableRandom rnd) {
        Map<String, Double> s = new LinkedHashMap<>();
        for (SkillUnit u : units) {
            s.put(u.id(), rnd.nextDouble() * 1e-6);
        }
        return s;
    }

    private static Map<String, INDArray> arrays(LoraAdapter a) {
        return FusionStep.variables(a);
    }

    private static void time(String what, int repeats, Runnable r) {
        long first = 0;
        long best = Long.MAX_VALUE;
        for (int i = 0; i < repeats; i++) {
            long t0 = System.nanoTime();
            r.run();
            long dt = System.nanoTime() - t0;
            if (i == 0) {
                first = dt;
            }
            best = Math.min(best, dt);
        }
        System.out.printf("%-50s first %8.1f ms, best of %d %8.1f ms%n", what, first / 1e6, repeats, best / 1e6);
    }
}
