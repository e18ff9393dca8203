package io.kif4j.continual.methods;

import io.kif4j.continual.RunConfig;
import io.kif4j.continual.TaskContext;
import io.kif4j.continual.TaskOutcome;
import io.kif4j.continual.importance.ImportanceMetric;
import io.kif4j.continual.importance.ImportanceTracker;
import io.kif4j.lora.Lora;
import io.kif4j.lora.LoraAdapter;
import io.kif4j.lora.LoraModule;
import io.kif4j.lora.train.LoraTrainer;
import io.kif4j.lora.train.LossTerm;
import io.kif4j.lora.train.StepHook;
import io.kif4j.lora.train.TrainConfig;
import io.kif4j.transformer.ModelInputs;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.kif4j.continual.methods.MethodLoopMeaningTest.LORA;
import static io.kif4j.continual.methods.MethodLoopMeaningTest.SEED;
import static io.kif4j.continual.methods.MethodLoopMeaningTest.assertClose;
import static io.kif4j.continual.methods.MethodLoopMeaningTest.assertCloseWithin;
import static io.kif4j.continual.methods.MethodLoopMeaningTest.mix;
import static io.kif4j.continual.methods.MethodLoopMeaningTest.norm;
import static io.kif4j.continual.methods.MethodLoopMeaningTest.percentile80;
import static io.kif4j.continual.methods.MethodLoopMeaningTest.staticHard;
import static io.kif4j.continual.methods.MethodLoopMeaningTest.taskBatches;
import static io.kif4j.continual.methods.MethodLoopMeaningTest.train;
import static io.kif4j.continual.methods.MethodLoopMeaningTest.unitScores;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the baseline and memory loops mean (EWC, O-LoRA, IncLoRA, Replay, KIF-M), on three (two for Replay) tiny
 * deterministic tasks of the LLaMA fixture model, as {@link MethodLoopMeaningTest} does for KIF: the expected adapters
 * are trained here with loss terms, freezing and replay written from the spec (§7, §5.3) with plain SameDiff and
 * INDArray ops, sharing with the methods only the trainer step (checked against PyTorch by AdamWGoldenTest). An EWC
 * anchor that is not moved, a Fisher that is not summed, an O-LoRA term on the wrong rows, an earlier pair that
 * trains, a replay that ignores the memory or KIF-M freezing the wrong units make these fail.
 */
class BaselineLoopMeaningTest {

    @TempDir
    Path tmp;

    @BeforeAll
    static void load() {
        MethodLoopMeaningTest.load();
    }

    TaskContext ctx(int t, LoraAdapter previous, List<ModelInputs> memory, List<ModelInputs> joint) {
        return new TaskContext(t, "task" + t, MethodLoopMeaningTest.model, previous, LORA, train(t),
                e -> taskBatches(t), List.of(), memory == null ? null : e -> memory,
                joint == null ? null : e -> joint, tmp.resolve("t" + t), SEED);
    }

    /** The adapter the method starts task t from: a fresh one (ctx.fresh's seed) or a copy of the previous. */
    static LoraAdapter start(int t, LoraAdapter previous) {
        LoraAdapter a = previous == null ? LoraAdapter.create(LORA, SEED * 1_000_003L + t) : previous.copy();
        Lora.attach(MethodLoopMeaningTest.model, a);
        return a;
    }

    static void trainByHand(LoraAdapter a, TrainConfig tc, List<ModelInputs> batches, StepHook hook, LossTerm... terms) {
        LoraTrainer trainer = new LoraTrainer(MethodLoopMeaningTest.model, a, tc);
        for (LossTerm term : terms) {
            trainer.withLossTerm(term);
        }
        trainer.train(e -> batches, List.of(), hook);
    }

    /** Fails unless {@code got} is well away from {@code other}: the mechanism under test changed the result. */
    static void assertFarFrom(LoraAdapter other, LoraAdapter got, String what) {
        double dev = 0;
        double scale = 0;
        for (String v : got.variableNames()) {
            dev = Math.max(dev, other.array(v).sub(got.array(v)).amaxNumber().doubleValue());
            scale = Math.max(scale, got.array(v).amaxNumber().doubleValue());
        }
        assertTrue(dev > 1e-3 * scale, what + ": differs by only " + dev + " (max " + scale + ")");
    }

    // ---- EWC ----

    /**
     * Spec §7: after task j the Fisher F_j (mean of squared gradients of the task loss at θ*_j, over the task's
     * batches) and the anchor θ*_j = the adapter at the end of task j; task t trains with
     * λ/2 Σ_{j<t} Σ_i F_{j,i} (θ_i − θ*_{j,i})². Online: one Fisher γ·F_old + F_new around the last θ* only.
     */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void ewcAnchorsAtEachTasksEndAndSumsTheFishers(boolean online) {
        RunConfig config = new RunConfig();
        config.ewcLambda = 1e4; // large enough for the penalty to steer the tiny model's steps
        config.ewcOnline = online;
        config.ewcGamma = 0.5;
        Ewc method = new Ewc(config);
        List<Map<String, INDArray>> fishers = new ArrayList<>();
        List<Map<String, INDArray>> anchors = new ArrayList<>();
        LoraAdapter got = null;
        LoraAdapter want = null;
        for (int t = 0; t < 3; t++) {
            TaskOutcome outcome = method.learn(ctx(t, got, null, null));

            LoraAdapter cur = start(t, want);
            LoraAdapter plain = cur.copy(); // the same task without the penalty, to show it mattered
            LossTerm[] terms = fishers.isEmpty() ? new LossTerm[0]
                    : new LossTerm[]{ewcPenalty(config.ewcLambda, List.copyOf(fishers), List.copyOf(anchors))};
            trainByHand(cur, train(t), taskBatches(t), StepHook.NONE, terms);
            cur.setTraining(false);
            Lora.attach(MethodLoopMeaningTest.model, cur);
            Map<String, INDArray> f = fisherByHand(cur, taskBatches(t));
            Map<String, INDArray> theta = arrays(cur);
            if (online && !fishers.isEmpty()) {
                Map<String, INDArray> acc = new LinkedHashMap<>();
                fishers.get(0).forEach((k, old) -> acc.put(k, old.mul(config.ewcGamma).add(f.get(k))));
                fishers.set(0, acc);
                anchors.set(0, theta);
            } else {
                fishers.add(f);
                anchors.add(theta);
            }
            want = cur;

            String what = (online ? "online " : "") + "EWC task " + (t + 1);
            // 1e-4: the method's expanded form ΣFθ² − 2ΣFθ*θ + ΣFθ*² loses float bits to cancellation
            assertCloseWithin(want, outcome.adapter(), 1e-4, what);
            if (t == 2) {
                Lora.attach(MethodLoopMeaningTest.model, plain);
                trainByHand(plain, train(t), taskBatches(t), StepHook.NONE);
                assertFarFrom(plain, outcome.adapter(), what + " vs no penalty");
            }
            got = outcome.adapter();
        }
    }

    /** λ/2 Σ_j Σ_vars Σ F_j (θ − θ*_j)², written directly (the method keeps three running sums instead). */
    static LossTerm ewcPenalty(double lambda, List<Map<String, INDArray>> fishers, List<Map<String, INDArray>> anchors) {
        return (SameDiff sd, LoraAdapter adapter) -> {
            SDVariable total = null;
            for (int j = 0; j < fishers.size(); j++) {
                for (String v : adapter.variableNames()) {
                    SDVariable d = sd.getVariable(v).sub(sd.constant(anchors.get(j).get(v)));
                    SDVariable term = sd.sum(sd.constant(fishers.get(j).get(v)).mul(d).mul(d));
                    total = total == null ? term : total.add(term);
                }
            }
            return total.mul(lambda / 2);
        };
    }

    /** The diagonal empirical Fisher: mean over the task's batches of the squared task-loss gradients. */
    static Map<String, INDArray> fisherByHand(LoraAdapter a, List<ModelInputs> batches) {
        Map<String, INDArray> f = new LinkedHashMap<>();
        for (ModelInputs b : batches) {
            Lora.lossAndGradients(MethodLoopMeaningTest.model, a, b).gradients().forEach((k, g) -> {
                INDArray sq = g.mul(g).div(batches.size());
                f.merge(k, sq, INDArray::add);
            });
        }
        return f;
    }

    static Map<String, INDArray> arrays(LoraAdapter a) {
        Map<String, INDArray> m = new LinkedHashMap<>();
        a.variableNames().forEach(v -> m.put(v, a.array(v).dup()));
        return m;
    }

    // ---- O-LoRA and IncLoRA ----

    @Test
    void oLoraTrainsANewPairPerTaskUnderTheOrthogonalityAndL2TermsAndConcatenatesThem() {
        RunConfig config = new RunConfig();
        config.oloraLambda2 = 0.1; // beside the default λ₁ 0.5 (L1)
        checkGrowing(GrowingLoRA.olora(config), config.oloraLambda1, config.oloraLambda2);
    }

    @Test
    void incLoraTrainsANewPairPerTaskAndKeepsTheEarlierOnesFrozenAndSummed() {
        checkGrowing(GrowingLoRA.incLora(), 0, 0);
    }

    /**
     * Spec §7: task t grows every module by a new pair (A_t rows, B_t columns) and trains only it, with
     * λ₁ Σ_modules Σ |A_{<t} A_tᵀ| and λ₂ Σ_modules (‖A_t‖_F + ‖B_t‖_F); inference is W₀ + α/r Σ_i B_i A_i, so the
     * final adapter is the pairs as each task left them, concatenated, at the first task's α/r.
     */
    private void checkGrowing(GrowingLoRA method, double lambda1, double lambda2) {
        int r = LORA.r();
        List<LoraAdapter> after = new ArrayList<>();
        LoraAdapter got = null;
        LoraAdapter want = null;
        for (int t = 0; t < 3; t++) {
            TaskOutcome outcome = method.learn(ctx(t, got, null, null));

            int old = t * r;
            LoraAdapter cur = want == null ? start(0, null) : want.grow(r, SEED * 1_000_003L + t);
            Lora.attach(MethodLoopMeaningTest.model, cur);
            List<LossTerm> terms = new ArrayList<>();
            if (old > 0 && lambda1 > 0) {
                terms.add(orthogonalityL1(lambda1, old));
            }
            if (lambda2 > 0) {
                terms.add(newPairNorms(lambda2, old));
            }
            trainByHand(cur, train(t), taskBatches(t), freezeFirst(old), terms.toArray(LossTerm[]::new));
            want = cur;

            String what = method.name() + " task " + (t + 1);
            assertEquals((t + 1) * r, outcome.adapter().config().r(), what + ": one pair of rank r per task");
            assertEquals(after.isEmpty() ? LORA.scaling() : after.get(0).scaling(), outcome.adapter().scaling(), 1e-12,
                    what + ": every pair keeps the first task's α/r");
            assertClose(want, outcome.adapter(), what);
            after.add(outcome.adapter());
            got = outcome.adapter();
        }
        // the final adapter is the concatenation of the pairs as their own task left them (bit for bit)
        LoraAdapter last = after.get(2);
        for (int i = 0; i < 3; i++) {
            for (LoraModule m : last.modules()) {
                LoraModule own = after.get(i).module(m.path());
                var rows = NDArrayIndex.interval(i * r, (i + 1) * r);
                assertArrayEquals(floats(own.a().get(rows, NDArrayIndex.all())), floats(m.a().get(rows, NDArrayIndex.all())),
                        method.name() + ": pair " + (i + 1) + " of A in " + m.path());
                assertArrayEquals(floats(own.b().get(NDArrayIndex.all(), rows)), floats(m.b().get(NDArrayIndex.all(), rows)),
                        method.name() + ": pair " + (i + 1) + " of B in " + m.path());
            }
        }
        // ... whose update is the sum of the pairs' updates, each at α/r
        for (LoraModule m : last.modules()) {
            INDArray sum = Nd4j.zeros(DataType.FLOAT, m.out(), m.in());
            for (int i = 0; i < 3; i++) {
                LoraModule own = after.get(i).module(m.path());
                var rows = NDArrayIndex.interval(i * r, (i + 1) * r);
                sum.addi(own.b().get(NDArrayIndex.all(), rows).mmul(own.a().get(rows, NDArrayIndex.all())));
            }
            sum.muli(LORA.scaling());
            INDArray delta = m.delta(last.scaling());
            assertTrue(sum.equalsWithEps(delta, 1e-6 * Math.max(1e-6, sum.amaxNumber().doubleValue())),
                    method.name() + ": ΔW of " + m.path() + " is α/r Σ_i B_i A_i");
        }
    }

    /** λ₁ Σ_modules Σ |A_old A_newᵀ|, with the blocks cut out by selection matrices. */
    static LossTerm orthogonalityL1(double lambda1, int old) {
        return (SameDiff sd, LoraAdapter adapter) -> {
            int r = adapter.config().r();
            SDVariable total = null;
            for (LoraModule m : adapter.modules()) {
                SDVariable a = sd.getVariable(m.aName());
                SDVariable aOld = sd.mmul(sd.constant(selection(0, old, r)), a);
                SDVariable aNew = sd.mmul(sd.constant(selection(old, r, r)), a);
                SDVariable term = sd.sum(sd.math.abs(sd.mmul(aOld, aNew, false, true, false)));
                total = total == null ? term : total.add(term);
            }
            return total.mul(lambda1);
        };
    }

    /** λ₂ Σ_modules (‖A_new‖_F + ‖B_new‖_F); 1e-20 under the root keeps the gradient at B_new = 0 at zero, as torch's. */
    static LossTerm newPairNorms(double lambda2, int old) {
        return (SameDiff sd, LoraAdapter adapter) -> {
            int r = adapter.config().r();
            SDVariable total = null;
            for (LoraModule m : adapter.modules()) {
                SDVariable aNew = sd.mmul(sd.constant(selection(old, r, r)), sd.getVariable(m.aName()));
                SDVariable bNew = sd.mmul(sd.getVariable(m.bName()), sd.constant(selection(old, r, r)), false, true, false);
                SDVariable term = sd.math.sqrt(sd.sum(aNew.mul(aNew)).add(1e-20))
                        .add(sd.math.sqrt(sd.sum(bNew.mul(bNew)).add(1e-20)));
                total = total == null ? term : total.add(term);
            }
            return total.mul(lambda2);
        };
    }

    /** The (to − from) × r matrix picking rows from..to−1. */
    static INDArray selection(int from, int to, int r) {
        float[][] s = new float[to - from][r];
        for (int i = from; i < to; i++) {
            s[i - from][i] = 1;
        }
        return Nd4j.createFromArray(s);
    }

    /** Freezes rows < old of every A and columns < old of every B. */
    static StepHook freezeFirst(int old) {
        return new StepHook() {
            @Override
            public void afterStep(int step, Map<String, INDArray> params, Map<String, INDArray> grads, double loss) {
            }

            @Override
            public void markFrozen(Map<String, INDArray> trainable) {
                trainable.forEach((name, mask) -> {
                    for (int i = 0; i < old; i++) {
                        if (name.endsWith("lora_A.weight")) {
                            mask.getRow(i).assign(0);
                        } else {
                            mask.getColumn(i).assign(0);
                        }
                    }
                });
            }
        };
    }

    static float[] floats(INDArray a) {
        return a.dup('c').data().asFloat();
    }

    // ---- Replay ----

    /** Spec §7: SeqLoRA on D_t ∪ M_{<t} shuffled together: the method trains on the joint batches the runner mixes. */
    @Test
    void replayTrainsOnTheTaskAndTheMemoryTogether() {
        Replay method = new Replay();
        TaskOutcome first = method.learn(ctx(0, null, null, taskBatches(0)));
        List<ModelInputs> memory = List.of(MethodLoopMeaningTest.rows.get(0));
        List<ModelInputs> joint = List.of(taskBatches(1).get(0), memory.get(0), taskBatches(1).get(1));
        TaskOutcome second = method.learn(ctx(1, first.adapter(), memory, joint));

        LoraAdapter want = start(0, null);
        trainByHand(want, train(0), taskBatches(0), StepHook.NONE);
        assertClose(want, first.adapter(), "replay task 1");
        LoraAdapter taskOnly = start(1, want);
        trainByHand(taskOnly, train(1), taskBatches(1), StepHook.NONE);
        LoraAdapter mixed = start(1, want);
        trainByHand(mixed, train(1), joint, StepHook.NONE);
        assertClose(mixed, second.adapter(), "replay task 2 on D_2 ∪ M_1");
        assertFarFrom(taskOnly, second.adapter(), "replay task 2 vs D_2 alone");
    }

    // ---- KIF-M ----

    /**
     * Spec §5.3 on KIF (§5.2): train, score, fuse by Eq. 15; then fine-tune θ̃_t on the memory of earlier tasks for
     * replay_epochs with the current task's top-20 % units (c_u > Q_0.8(c)) frozen; the replayed adapter is what the
     * task yields and the next starts from, while the cumulative scores come from the task's training alone.
     */
    @Test
    void kifMFusesThenReplaysTheMemoryWithTheCurrentTopUnitsFrozenAndCarriesTheReplayedAdapter() {
        RunConfig config = new RunConfig();
        KifFamily method = KifFamily.of(KifFamily.Variant.KIF, true, config);
        LoraAdapter got = null;
        LoraAdapter want = null;
        Map<String, Double> cumulative = null;
        for (int t = 0; t < 3; t++) {
            // the memory of tasks < t: one fixture row per earlier task (none for the first task)
            List<ModelInputs> memory = t == 0 ? null : MethodLoopMeaningTest.rows.subList(0, t);
            TaskOutcome outcome = method.learn(ctx(t, got, memory, null));

            LoraAdapter cur = start(t, want);
            ImportanceTracker tracker = ImportanceTracker.kif(ImportanceMetric.FIRST_ORDER);
            trainByHand(cur, train(t), taskBatches(t), tracker);
            Map<String, Double> raw = unitScores(cur, tracker.scores(), false);
            Map<String, Double> c = norm(raw);
            LoraAdapter fused = t == 0 ? cur : staticHard(want, cur, norm(cumulative), c, config.gamma);
            cumulative = t == 0 ? raw : norm(mix(norm(cumulative), c, config.cumulativeBeta));
            if (memory == null) {
                want = fused;
            } else {
                double dc = percentile80(c);
                List<String> frozen = c.keySet().stream().filter(u -> c.get(u) > dc).toList();
                assertTrue(!frozen.isEmpty() && frozen.size() < c.size(), "some units frozen, some trained");
                want = fused.copy();
                Lora.attach(MethodLoopMeaningTest.model, want);
                TrainConfig replay = train(t).toBuilder().epochs(config.replayEpochs).warmupRatio(0).warmupSteps(0)
                        .orthCoefficient(0).evalEvery(0).keepBest(false).seed(SEED * 7 + t).build();
                trainByHand(want, replay, memory, freezeVariables(frozen));
                for (String u : frozen) {
                    assertArrayEquals(floats(fused.array(u)), floats(outcome.adapter().array(u)),
                            "KIF-M task " + (t + 1) + ": frozen unit " + u + " is θ̃_t's, bit for bit");
                }
                assertFarFrom(fused, outcome.adapter(), "KIF-M task " + (t + 1) + " replayed vs fused");
            }
            String what = "KIF-M task " + (t + 1);
            assertClose(want, outcome.adapter(), what);
            for (var e : cumulative.entrySet()) {
                double cum = t == 0 ? norm(raw).get(e.getKey()) : e.getValue();
                assertEquals(cum, outcome.unitScores().get(e.getKey())[2], 1e-6, what + " cumulative " + e.getKey());
            }
            got = outcome.adapter();
        }
    }

    /** Freezes whole variables (KIF's matrix-level units). */
    static StepHook freezeVariables(List<String> names) {
        return new StepHook() {
            @Override
            public void afterStep(int step, Map<String, INDArray> params, Map<String, INDArray> grads, double loss) {
            }

            @Override
            public void markFrozen(Map<String, INDArray> trainable) {
                names.forEach(n -> trainable.get(n).assign(0));
            }
        };
    }
}
