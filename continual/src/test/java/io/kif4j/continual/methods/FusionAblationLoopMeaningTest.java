package io.kif4j.continual.methods;

import io.kif4j.continual.RunConfig;
import io.kif4j.continual.TaskContext;
import io.kif4j.continual.TaskOutcome;
import io.kif4j.continual.fusion.MergingFusion;
import io.kif4j.lora.Lora;
import io.kif4j.lora.LoraAdapter;
import io.kif4j.lora.train.StepHook;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.function.BiFunction;

import static io.kif4j.continual.methods.BaselineLoopMeaningTest.start;
import static io.kif4j.continual.methods.BaselineLoopMeaningTest.trainByHand;
import static io.kif4j.continual.methods.MethodLoopMeaningTest.LORA;
import static io.kif4j.continual.methods.MethodLoopMeaningTest.SEED;
import static io.kif4j.continual.methods.MethodLoopMeaningTest.assertClose;
import static io.kif4j.continual.methods.MethodLoopMeaningTest.flat;
import static io.kif4j.continual.methods.MethodLoopMeaningTest.taskBatches;
import static io.kif4j.continual.methods.MethodLoopMeaningTest.train;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the fusion ablations and merging baselines mean over two tiny deterministic tasks of the LLaMA fixture: the
 * adapter after task 2 is the rule applied by hand to θ̃_1 and θ_2 (trained here), entry by entry: Eq. 14's weight
 * ensemble, the per-step EMA (§4.1) carried from task to task, and PEFT's task arithmetic, magnitude prune, TIES
 * (both sign elections) and DARE (linear and TIES), matrix by matrix in factor space with √w on each factor. The
 * weights are unequal so that swapping θ̃_{t−1} and θ_t fails; DARE's random drop is recovered from the result and
 * must be a keep-or-drop of each entry, rescaled by 1/density, at about the density's rate.
 */
class FusionAblationLoopMeaningTest {

    static LoraAdapter theta1; // θ_1 = θ̃_1: task 1 trained from the fresh adapter
    static LoraAdapter theta2; // θ_2: task 2 trained from θ̃_1

    @TempDir
    Path tmp;

    @BeforeAll
    static void trainTheTwoTasksByHand() {
        MethodLoopMeaningTest.load();
        theta1 = start(0, null);
        trainByHand(theta1, train(0), taskBatches(0), StepHook.NONE);
        theta2 = start(1, theta1);
        trainByHand(theta2, train(1), taskBatches(1), StepHook.NONE);
    }

    TaskContext ctx(int t, LoraAdapter previous) {
        return new TaskContext(t, "task" + t, MethodLoopMeaningTest.model, previous, LORA, train(t),
                e -> taskBatches(t), List.of(), null, null, tmp.resolve("t" + t), SEED);
    }

    /** Task 1 then task 2 through the method; task 1's adapter is θ_1 (no fusion yet). */
    LoraAdapter twoTasks(FusionAblation method) {
        TaskOutcome first = method.learn(ctx(0, null));
        assertClose(theta1, first.adapter(), method.name() + " task 1");
        return method.learn(ctx(1, first.adapter())).adapter();
    }

    /** Applies {@code rule}(previous matrix, current matrix) to every lora_A and lora_B. */
    static LoraAdapter byHand(BiFunction<double[], double[], double[]> rule) {
        LoraAdapter out = theta2.copy();
        for (String v : theta2.variableNames()) {
            double[] fused = rule.apply(flat(theta1.array(v)), flat(theta2.array(v)));
            float[] f = new float[fused.length];
            for (int i = 0; i < f.length; i++) {
                f[i] = (float) fused[i];
            }
            out.array(v).assign(Nd4j.create(f, theta2.array(v).shape(), 'c'));
        }
        return out;
    }

    // ---- the paper's ablations ----

    @Test
    void weightEnsembleIsEq14WithLambdaOnThePreviousAdapter() {
        RunConfig config = new RunConfig();
        config.ensembleLambda = 0.3;
        LoraAdapter got = twoTasks(FusionAblation.weightEnsemble(config));
        assertClose(byHand((p, c) -> combine(p, c, (x, y) -> 0.3 * x + 0.7 * y)), got, "weight ensemble");
    }

    /** §4.1: θ_ema ← μ θ_ema + (1−μ) θ after every step, from the task's start; the next task starts from θ_ema. */
    @Test
    void emaAveragesEveryStepAndCarriesTheAverageToTheNextTask() {
        RunConfig config = new RunConfig();
        config.emaMu = 0.6; // few steps: a μ this low moves the average visibly
        FusionAblation method = FusionAblation.ema(config);
        LoraAdapter got = null;
        LoraAdapter want = null;
        for (int t = 0; t < 2; t++) {
            TaskOutcome outcome = method.learn(ctx(t, got));
            LoraAdapter cur = start(t, want);
            LoraAdapter ema = cur.copy();
            int[] steps = {0};
            trainByHand(cur, train(t), taskBatches(t), (step, params, grads, loss) -> {
                for (String v : ema.variableNames()) {
                    double[] avg = flat(ema.array(v));
                    double[] theta = flat(params.get(v));
                    float[] next = new float[avg.length];
                    for (int i = 0; i < avg.length; i++) {
                        next[i] = (float) (0.6 * avg[i] + 0.4 * theta[i]);
                    }
                    ema.array(v).assign(Nd4j.create(next, ema.array(v).shape(), 'c'));
                }
                steps[0]++;
            });
            assertEquals(steps[0], outcome.notes().get("ema_steps"), "every optimizer step is averaged");
            want = ema;
            assertClose(want, outcome.adapter(), "ema task " + (t + 1));
            BaselineLoopMeaningTest.assertFarFrom(cur, outcome.adapter(), "ema task " + (t + 1) + " vs last step");
            got = outcome.adapter();
        }
    }

    // ---- PEFT's merging baselines ----

    @Test
    void taskArithmeticSumsTheFactorsEachScaledByTheRootOfItsWeight() {
        RunConfig config = merging(0.16, 0.64, 0.2, "total");
        LoraAdapter got = twoTasks(FusionAblation.merging(config, MergingFusion.Combination.TASK_ARITHMETIC));
        assertClose(byHand((p, c) -> combine(p, c, (x, y) -> 0.4 * x + 0.8 * y)), got, "task arithmetic");
    }

    @Test
    void magnitudePruneKeepsEachTensorsLargestEntriesThenSums() {
        RunConfig config = merging(0.16, 0.64, 0.3, "total");
        LoraAdapter got = twoTasks(FusionAblation.merging(config, MergingFusion.Combination.MAGNITUDE_PRUNE));
        assertClose(byHand((p, c) -> combine(trim(p, 0.3), trim(c, 0.3), (x, y) -> 0.4 * x + 0.8 * y)), got,
                "magnitude prune");
    }

    @ParameterizedTest
    @CsvSource({"total", "frequency"})
    void tiesTrimsElectsTheSignAndAveragesTheAgreeingWeightedEntries(String sign) {
        RunConfig config = merging(0.25, 1.0, 0.5, sign);
        LoraAdapter got = twoTasks(FusionAblation.merging(config, MergingFusion.Combination.TIES));
        LoraAdapter want = byHand((p, c) -> ties(trim(p, 0.5), trim(c, 0.5), 0.5, 1.0, sign));
        assertClose(want, got, "ties (" + sign + ")");
    }

    @Test
    void dareLinearKeepsOrDropsEachEntryRescaledByOneOverDensityThenSums() {
        double density = 0.5;
        RunConfig config = merging(0.16, 0.64, density, "total");
        LoraAdapter got = twoTasks(FusionAblation.merging(config, MergingFusion.Combination.DARE_LINEAR));
        long kept = 0;
        long total = 0;
        for (String v : theta2.variableNames()) {
            double[] p = flat(theta1.array(v));
            double[] c = flat(theta2.array(v));
            double[] g = flat(got.array(v));
            for (int k = 0; k < g.length; k++) {
                int[] masks = dareMasks(g[k], p[k], c[k], density, (x, y) -> 0.4 * x + 0.8 * y);
                assertTrue(masks != null, "dare-linear " + v + "[" + k + "] = " + g[k] + " is no keep/drop of "
                        + p[k] + ", " + c[k]);
                kept += masks[0] + masks[1];
                total += 2;
            }
        }
        assertKeptAtTheDensity(kept, total, density, "dare-linear");
    }

    @Test
    void dareTiesDropsAndRescalesThenElectsTheSignAndAveragesTheAgreeingEntries() {
        double density = 0.5;
        RunConfig config = merging(0.25, 1.0, density, "total");
        LoraAdapter got = twoTasks(FusionAblation.merging(config, MergingFusion.Combination.DARE_TIES));
        for (String v : theta2.variableNames()) {
            double[] p = flat(theta1.array(v));
            double[] c = flat(theta2.array(v));
            double[] g = flat(got.array(v));
            for (int k = 0; k < g.length; k++) {
                int[] masks = dareMasks(g[k], p[k], c[k], density,
                        (x, y) -> ties(new double[]{x}, new double[]{y}, 0.5, 1.0, "total")[0]);
                assertTrue(masks != null, "dare-ties " + v + "[" + k + "] = " + g[k] + " is no keep/drop of "
                        + p[k] + ", " + c[k]);
            }
        }
    }

    static RunConfig merging(double wPrev, double wCur, double density, String sign) {
        RunConfig config = new RunConfig();
        config.mergeWeights = List.of(wPrev, wCur);
        config.mergeDensity = density;
        config.mergeMajoritySign = sign;
        return config;
    }

    static double[] combine(double[] p, double[] c, java.util.function.DoubleBinaryOperator f) {
        double[] out = new double[p.length];
        for (int i = 0; i < p.length; i++) {
            out[i] = f.applyAsDouble(p[i], c[i]);
        }
        return out;
    }

    /** PEFT's magnitude prune: the ⌊density·n⌋ entries of largest |x| stay (trained floats have no ties). */
    static double[] trim(double[] x, double density) {
        int k = (int) (density * x.length);
        double[] sorted = Arrays.stream(x).map(Math::abs).sorted().toArray();
        double threshold = sorted[x.length - k]; // the k-th largest magnitude
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = Math.abs(x[i]) >= threshold ? x[i] : 0;
        }
        return out;
    }

    /**
     * TIES on two trimmed tensors with factor weights √w: elect each entry's sign from the unweighted trimmed
     * entries (total: sign of their sum; frequency: of their count of signs; 0 counts as +), then the mean of the
     * weighted entries carrying that sign (0 when none does).
     */
    static double[] ties(double[] p, double[] c, double sqrtWPrev, double sqrtWCur, String sign) {
        double[] out = new double[p.length];
        for (int i = 0; i < p.length; i++) {
            double vote = sign.equals("total") ? p[i] + c[i] : Math.signum(p[i]) + Math.signum(c[i]);
            double elected = vote >= 0 ? 1 : -1;
            double sum = 0;
            int n = 0;
            if (Math.signum(p[i]) == elected) {
                sum += sqrtWPrev * p[i];
                n++;
            }
            if (Math.signum(c[i]) == elected) {
                sum += sqrtWCur * c[i];
                n++;
            }
            out[i] = n == 0 ? 0 : sum / n;
        }
        return out;
    }

    /** The (keep previous, keep current) pair under which {@code merge} of the rescaled entries gives {@code got}. */
    static int[] dareMasks(double got, double p, double c, double density, java.util.function.DoubleBinaryOperator merge) {
        for (int mp = 0; mp <= 1; mp++) {
            for (int mc = 0; mc <= 1; mc++) {
                double want = merge.applyAsDouble(mp * p / density, mc * c / density);
                if (Math.abs(want - got) <= 1e-6 * Math.max(1e-3, Math.abs(want))) {
                    return new int[]{mp, mc};
                }
            }
        }
        return null;
    }

    /** The kept fraction within 5 binomial standard deviations of the density. */
    static void assertKeptAtTheDensity(long kept, long total, double density, String what) {
        double sd = Math.sqrt(total * density * (1 - density));
        assertTrue(Math.abs(kept - density * total) <= 5 * sd,
                what + ": kept " + kept + " of " + total + " entries, density " + density);
    }
}
