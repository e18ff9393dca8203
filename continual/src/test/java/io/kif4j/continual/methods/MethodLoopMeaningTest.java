package io.kif4j.continual.methods;

import io.kif4j.continual.RunConfig;
import io.kif4j.continual.TaskContext;
import io.kif4j.continual.TaskOutcome;
import io.kif4j.continual.importance.ImportanceMetric;
import io.kif4j.continual.importance.ImportanceTracker;
import io.kif4j.lora.Lora;
import io.kif4j.lora.LoraAdapter;
import io.kif4j.lora.LoraConfig;
import io.kif4j.lora.LoraModule;
import io.kif4j.lora.train.LoraTrainer;
import io.kif4j.lora.train.TrainConfig;
import io.kif4j.transformer.LanguageModel;
import io.kif4j.transformer.ModelInputs;
import io.kif4j.transformer.Models;
import io.kif4j.transformer.testing.Fixture;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What each method loop means, on three (KIF, KIFLoRA) or two (Recurrent-KIF) tiny deterministic tasks of a LLaMA
 * fixture model: the expected adapters and scores are recomputed here from the spec with plain loops (unit scores
 * Eq. 6, Norm and the cumulative score Eq. 13, fusion Eq. 15 / Eq. 16–17, Recurrent-KIF's rounds §6.2), sharing with
 * the methods only the trainer step (checked against PyTorch by AdamWGoldenTest) and the importance EMA (checked
 * against the fixtures by ImportanceFixtureTest). Swapping p and c, dropping the cumulative carry-over, miscounting
 * the rounds or resetting the inner scores at another point makes these fail.
 */
class MethodLoopMeaningTest {

    static LanguageModel model;
    static List<ModelInputs> rows;
    static final LoraConfig LORA = LoraConfig.of(4, 8, 0.0, List.of("q_proj", "v_proj"), "CAUSAL_LM");
    static final long SEED = 11;

    @TempDir
    Path tmp;

    @BeforeAll
    static void load() {
        var f = Fixture.all("llama").get(0);
        model = Models.load(f.dir());
        ModelInputs b = f.inputs().batch();
        rows = new ArrayList<>();
        for (int i = 0; i < b.inputIds().length; i++) {
            rows.add(new ModelInputs(new int[][]{b.inputIds()[i]}, new int[][]{b.attentionMask()[i]},
                    new int[][]{b.labels()[i]}, null, null));
        }
    }

    /** Task t trains on two batches per epoch: fixture rows t and t+1 (mod rows). */
    static List<ModelInputs> taskBatches(int t) {
        return List.of(rows.get(t % rows.size()), rows.get((t + 1) % rows.size()));
    }

    static TrainConfig train(int t) {
        return TrainConfig.defaults(2, 1e-2, SEED * 31 + t);
    }

    TaskContext ctx(int t, LoraAdapter previous, List<ModelInputs> memory) {
        return new TaskContext(t, "task" + t, model, previous, LORA, train(t), e -> taskBatches(t), List.of(),
                memory == null ? null : e -> memory, null, tmp.resolve("t" + t), SEED);
    }

    // ---- KIF and KIFLoRA ----

    @Test
    void kifFusesByThePreviousCumulativeAndTheCurrentScoresAndCarriesEq13() {
        checkKifFamily(KifFamily.Variant.KIF);
    }

    @Test
    void kifLoraFusesByThePreviousCumulativeAndTheCurrentScoresAndCarriesEq13() {
        checkKifFamily(KifFamily.Variant.KIFLORA);
    }

    private void checkKifFamily(KifFamily.Variant variant) {
        RunConfig config = new RunConfig();
        KifFamily method = KifFamily.of(variant, false, config);
        boolean rankOne = variant == KifFamily.Variant.KIFLORA;
        ImportanceMetric metric = rankOne ? ImportanceMetric.FISHER : ImportanceMetric.FIRST_ORDER;
        double orth = rankOne ? 0.1 : 0;

        LoraAdapter got = null;
        LoraAdapter want = null;
        Map<String, Double> cumulative = null; // I(U≤t−1) by hand: raw after task 1, Norm(0.7p + 0.3c) after
        for (int t = 0; t < 3; t++) {
            TaskOutcome outcome = method.learn(ctx(t, got, null));

            // θ_t: the same training from θ̃_{t−1} (a fresh adapter for the first task)
            LoraAdapter cur = t == 0 ? LoraAdapter.create(LORA, SEED * 1_000_003L) : want.copy();
            Lora.attach(model, cur);
            ImportanceTracker tracker = ImportanceTracker.kif(metric);
            int task = t;
            new LoraTrainer(model, cur, train(t).withOrthogonality(orth)).train(e -> taskBatches(task), List.of(), tracker);
            Map<String, Double> raw = unitScores(cur, tracker.scores(), rankOne);
            Map<String, Double> c = norm(raw);

            if (t == 0) {
                want = cur;
            } else {
                Map<String, Double> p = norm(cumulative);
                want = rankOne ? adaptive(want, cur, p, c, config.tau) : staticHard(want, cur, p, c, config.gamma);
            }
            cumulative = t == 0 ? raw : norm(mix(norm(cumulative), c, config.cumulativeBeta));

            String what = variant + " task " + (t + 1);
            assertClose(want, outcome.adapter(), what);
            for (var e : raw.entrySet()) {
                double[] row = outcome.unitScores().get(e.getKey());
                assertEquals(e.getValue(), row[0], 1e-6 * Math.abs(e.getValue()) + 1e-12, what + " raw " + e.getKey());
                double cum = t == 0 ? norm(raw).get(e.getKey()) : cumulative.get(e.getKey());
                assertEquals(cum, row[2], 1e-6, what + " cumulative (Eq. 13) " + e.getKey());
            }
            got = outcome.adapter();
        }
    }

    /** Eq. 6: mean over a matrix unit, or mean over B's column × mean over A's row for a rank-one unit. */
    static Map<String, Double> unitScores(LoraAdapter a, Map<String, INDArray> s, boolean rankOne) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (LoraModule m : a.modules()) {
            double[][] sa = rows(s.get(m.aName()));
            double[][] sb = rows(s.get(m.bName()));
            if (!rankOne) {
                out.put(m.aName(), mean(sa));
                out.put(m.bName(), mean(sb));
                continue;
            }
            for (int i = 0; i < m.rank(); i++) {
                double ma = Arrays.stream(sa[i]).average().orElseThrow();
                int col = i;
                double mb = Arrays.stream(sb).mapToDouble(r -> r[col]).average().orElseThrow();
                out.put(m.path() + "|||" + i, ma * mb);
            }
        }
        return out;
    }

    /** Eq. 15 on matrix units with np.percentile(·, 80) thresholds. */
    static LoraAdapter staticHard(LoraAdapter prev, LoraAdapter cur, Map<String, Double> p, Map<String, Double> c,
                                  double gamma) {
        double dp = percentile80(p);
        double dc = percentile80(c);
        LoraAdapter out = cur.copy();
        for (String v : cur.variableNames()) {
            boolean hp = p.get(v) > dp;
            boolean hc = c.get(v) > dc;
            double wPrev = hp && hc ? gamma : hp ? 1 : hc ? 0 : 0.5;
            out.array(v).assign(mixArrays(prev.array(v), cur.array(v), wPrev));
        }
        return out;
    }

    /** Eq. 16–17: a two-way softmax at temperature τ per rank-one unit, on row i of A and column i of B. */
    static LoraAdapter adaptive(LoraAdapter prev, LoraAdapter cur, Map<String, Double> p, Map<String, Double> c,
                                double tau) {
        LoraAdapter out = cur.copy();
        for (LoraModule m : cur.modules()) {
            double[][] a = mixRows(prev.array(m.aName()), cur.array(m.aName()), p, c, m.path(), tau, false);
            double[][] b = mixRows(prev.array(m.bName()), cur.array(m.bName()), p, c, m.path(), tau, true);
            out.array(m.aName()).assign(Nd4j.createFromArray(toFloat(a)));
            out.array(m.bName()).assign(Nd4j.createFromArray(toFloat(b)));
        }
        return out;
    }

    private static double[][] mixRows(INDArray prev, INDArray cur, Map<String, Double> p, Map<String, Double> c,
                                      String module, double tau, boolean columns) {
        double[][] pr = rows(prev);
        double[][] cr = rows(cur);
        double[][] out = new double[cr.length][cr[0].length];
        for (int r = 0; r < cr.length; r++) {
            for (int k = 0; k < cr[0].length; k++) {
                int unit = columns ? k : r;
                double ep = Math.exp(p.get(module + "|||" + unit) / tau);
                double ec = Math.exp(c.get(module + "|||" + unit) / tau);
                out[r][k] = ec / (ep + ec) * cr[r][k] + ep / (ep + ec) * pr[r][k];
            }
        }
        return out;
    }

    // ---- Recurrent-KIF ----

    @Test
    void recurrentKifRunsFloorStepsOverQRoundsWithAFreshInnerScorePerRound() {
        RunConfig config = new RunConfig();
        config.rkifInnerSteps = 3;
        config.rkifOuterSteps = 2;
        RecurrentKif method = new RecurrentKif(config);
        TaskOutcome first = method.learn(ctx(0, null, null));
        List<ModelInputs> memory = List.of(rows.get(2));
        // Task 2: 2 epochs × 4 batches = 8 inner steps, Q = 3 → rounds after steps 3 and 6: ⌊8/3⌋ = 2.
        List<ModelInputs> batches = List.of(rows.get(0), rows.get(1), rows.get(1), rows.get(0));
        TaskContext c2 = new TaskContext(1, "task1", model, first.adapter(), LORA, train(1), e -> batches, List.of(),
                e -> memory, null, tmp.resolve("t1"), SEED);
        TaskOutcome outcome = method.learn(c2);
        assertEquals(2, outcome.notes().get("rounds"), "⌊inner steps / Q⌋ rounds");

        // By hand (spec §6.2): Q inner steps, then M outer steps on memory with the same AdamW at the step's lr,
        // then the element-wise fusion; the inner EMA restarts after each fusion, the outer EMA never does.
        LoraAdapter want = first.adapter().copy();
        Lora.attach(model, want);
        TrainConfig tc = train(1);
        LoraTrainer trainer = new LoraTrainer(model, want, tc);
        ImportanceTracker inner = tracker();
        ImportanceTracker outer = tracker();
        Map<String, INDArray> anchor = snapshot(trainer.params());
        int total = 8;
        int rounds = 0;
        for (int s = 1; s <= total; s++) {
            double lr = tc.lrAt(s - 1, total);
            trainer.step(s, List.of(batches.get((s - 1) % 4)), lr, trainer.optimizer(), inner, 0);
            if (s % 3 != 0) {
                continue;
            }
            Map<String, INDArray> thetaK = snapshot(trainer.params());
            for (int m = 1; m <= 2; m++) {
                trainer.step(m, memory, lr, trainer.optimizer(), outer, 0);
            }
            fuseByHand(trainer.params(), anchor, thetaK, inner.scores(), outer.scores(), config.quantile);
            anchor = snapshot(trainer.params());
            inner = tracker(); // the inner EMA restarts; the outer one carries on
            rounds++;
        }
        assertEquals(2, rounds);
        assertClose(want, outcome.adapter(), "recurrent-kif task 2");
    }

    private static ImportanceTracker tracker() {
        return new ImportanceTracker(ImportanceMetric.FIRST_ORDER, 0.85, 0.85,
                ImportanceTracker.LoopOrder.PEFT_LOOP_ORDER, false);
    }

    /** θ ← θ_anchor + ω_in Δ_in + ω_out Δ_out with global 0.8 quantile masks (torch.quantile, linear). */
    private static void fuseByHand(Map<String, INDArray> params, Map<String, INDArray> anchor,
                                   Map<String, INDArray> thetaK, Map<String, INDArray> sIn, Map<String, INDArray> sOut,
                                   double q) {
        double qIn = quantile(sIn.values(), q);
        double qOut = quantile(sOut.values(), q);
        for (String k : params.keySet()) {
            double[] theta = flat(params.get(k));
            double[] a = flat(anchor.get(k));
            double[] tk = flat(thetaK.get(k));
            double[] si = flat(sIn.get(k));
            double[] so = flat(sOut.get(k));
            float[] out = new float[theta.length];
            for (int j = 0; j < theta.length; j++) {
                boolean mi = si[j] > qIn;
                boolean mo = so[j] > qOut;
                double wIn = mi && mo ? 0.4 : mi ? 1 : mo ? 0 : 0.5;
                double wOut = mi && mo ? 0.6 : mi ? 0 : mo ? 1 : 0.5;
                out[j] = (float) (a[j] + wIn * (tk[j] - a[j]) + wOut * (theta[j] - tk[j]));
            }
            params.get(k).assign(Nd4j.create(out, params.get(k).shape(), 'c'));
        }
    }

    // ---- plain helpers, independent of the code under test ----

    static Map<String, Double> norm(Map<String, Double> v) {
        double lo = v.values().stream().mapToDouble(Double::doubleValue).min().orElseThrow();
        double hi = v.values().stream().mapToDouble(Double::doubleValue).max().orElseThrow();
        Map<String, Double> out = new LinkedHashMap<>();
        v.forEach((k, x) -> out.put(k, hi > lo ? (x - lo) / (hi - lo) : 0.0));
        return out;
    }

    static Map<String, Double> mix(Map<String, Double> p, Map<String, Double> c, double beta) {
        Map<String, Double> out = new LinkedHashMap<>();
        p.forEach((k, x) -> out.put(k, beta * x + (1 - beta) * c.get(k)));
        return out;
    }

    static double percentile80(Map<String, Double> v) {
        return quantileOfSorted(v.values().stream().mapToDouble(Double::doubleValue).sorted().toArray(), 0.8);
    }

    static double quantile(java.util.Collection<INDArray> arrays, double q) {
        return quantileOfSorted(arrays.stream().flatMapToDouble(a -> Arrays.stream(flat(a))).sorted().toArray(), q);
    }

    static double quantileOfSorted(double[] s, double q) {
        double pos = q * (s.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(lo + 1, s.length - 1);
        return s[lo] + (pos - lo) * (s[hi] - s[lo]);
    }

    static INDArray mixArrays(INDArray prev, INDArray cur, double wPrev) {
        double[] p = flat(prev);
        double[] c = flat(cur);
        float[] out = new float[p.length];
        for (int i = 0; i < p.length; i++) {
            out[i] = (float) (wPrev * p[i] + (1 - wPrev) * c[i]);
        }
        return Nd4j.create(out, cur.shape(), 'c');
    }

    static double[] flat(INDArray a) {
        return a.dup('c').castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE).data().asDouble();
    }

    static double[][] rows(INDArray a) {
        double[] f = flat(a);
        int r = (int) a.size(0);
        int c = (int) a.size(1);
        double[][] out = new double[r][c];
        for (int i = 0; i < r; i++) {
            System.arraycopy(f, i * c, out[i], 0, c);
        }
        return out;
    }

    static double mean(double[][] m) {
        return Arrays.stream(m).flatMapToDouble(Arrays::stream).average().orElseThrow();
    }

    static float[][] toFloat(double[][] m) {
        float[][] out = new float[m.length][];
        for (int i = 0; i < m.length; i++) {
            out[i] = new float[m[i].length];
            for (int j = 0; j < m[i].length; j++) {
                out[i][j] = (float) m[i][j];
            }
        }
        return out;
    }

    static Map<String, INDArray> snapshot(Map<String, INDArray> params) {
        Map<String, INDArray> s = new LinkedHashMap<>();
        params.forEach((k, v) -> s.put(k, v.dup()));
        return s;
    }

    static void assertClose(LoraAdapter want, LoraAdapter got, String what) {
        assertCloseWithin(want, got, 1e-5, what);
    }

    /** Every variable within {@code relative} of its largest entry (at least 1e-3). */
    static void assertCloseWithin(LoraAdapter want, LoraAdapter got, double relative, String what) {
        assertEquals(want.variableNames(), got.variableNames(), what);
        for (String v : want.variableNames()) {
            double scale = Math.max(1e-3, want.array(v).amaxNumber().doubleValue());
            double dev = want.array(v).sub(got.array(v)).amaxNumber().doubleValue();
            assertTrue(dev <= relative * scale, what + " " + v + ": off by " + dev + " (max " + scale + ")");
        }
    }
}
