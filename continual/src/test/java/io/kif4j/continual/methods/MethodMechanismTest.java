package io.kif4j.continual.methods;

import io.kif4j.continual.ContinualRunner;
import io.kif4j.continual.RunConfig;
import io.kif4j.continual.TinyRuns;
import io.kif4j.lora.Lora;
import io.kif4j.lora.LoraAdapter;
import io.kif4j.lora.LoraConfig;
import io.kif4j.lora.SkillUnit;
import io.kif4j.transformer.LanguageModel;
import io.kif4j.transformer.Models;
import io.kif4j.transformer.testing.Fixture;
import io.kif4j.datasets.ReplayMemory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The mechanism of each baseline and memory method, on tiny two-task runs and hand-computed cases. */
class MethodMechanismTest {

    @TempDir
    Path tmp;

    static RunConfig tiny(String method) {
        // 4 training and 2 test examples per task, batch 2, prompts <= 40 and targets <= 6 tokens, seed 3
        RunConfig c = TinyRuns.twoTasks(method, 4, 2, 2, 40, 6, 3L);
        c.memoryRatio = 0.5; // 2 of 4 examples per task, so the memory holds something to replay
        return c;
    }

    Path run(String method) {
        return run(tiny(method));
    }

    Path run(RunConfig c) {
        Path out = tmp.resolve(c.method);
        new ContinualRunner(c, Fixture.shared(), s -> { }).run(out);
        return out;
    }

    /** Weight decay large enough to move every trained entry: frozen ones must still not move (spec §7, §5.3). */
    static RunConfig withWeightDecay(String method) {
        RunConfig c = tiny(method);
        c.weightDecay = 0.5;
        return c;
    }

    /** INDArray.equals allows 1e-5; frozen means every bit. */
    static boolean bitIdentical(INDArray want, INDArray got) {
        return java.util.Arrays.equals(want.dup('c').data().asFloat(), got.dup('c').data().asFloat())
                && java.util.Arrays.equals(want.shape(), got.shape());
    }

    static void assertBitIdentical(INDArray want, INDArray got, String what) {
        assertTrue(bitIdentical(want, got), what + " moved by " + want.sub(got).amaxNumber());
    }

    static LoraAdapter adapter(Path run, String task) {
        return LoraAdapter.load(run.resolve("tasks").resolve(task).resolve("adapter"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"inclora", "olora"})
    void earlierPairsStayBitIdenticalUnderWeightDecay(String m) {
        Path run = run(withWeightDecay(m));
        LoraAdapter first = adapter(run, "01-dbpedia");
        LoraAdapter second = adapter(run, "02-agnews");
        assertEquals(2 * first.config().r(), second.config().r(), m + ": one new pair per task");
        assertEquals(first.scaling(), second.scaling(), 1e-12, m + ": the per-pair scaling α/r is kept");
        int r = first.config().r();
        boolean newPartMoved = false;
        for (var mod : first.modules()) {
            var grown = second.module(mod.path());
            assertBitIdentical(mod.a(), grown.a().get(NDArrayIndex.interval(0, r), NDArrayIndex.all()), m + " " + mod.path());
            assertBitIdentical(mod.b(), grown.b().get(NDArrayIndex.all(), NDArrayIndex.interval(0, r)), m + " " + mod.path());
            newPartMoved |= grown.b().get(NDArrayIndex.all(), NDArrayIndex.interval(r, 2 * r)).amaxNumber().doubleValue() > 0;
        }
        assertTrue(newPartMoved, m + ": the new pair trained");
    }

    @Test
    void kifMLeavesTheFrozenUnitsBitIdenticalUnderWeightDecayAndReplaysTheMemory() throws Exception {
        Path run = run(withWeightDecay("kif-m"));
        Path task2 = run.resolve("tasks/02-agnews");
        LoraAdapter before = LoraAdapter.load(task2.resolve("fused-before-replay"));
        LoraAdapter after = adapter(run, "02-agnews");
        List<String> frozen = Files.readAllLines(task2.resolve("replay_frozen_units.txt")).stream()
                .filter(s -> !s.isBlank()).toList();
        assertFalse(frozen.isEmpty());
        Map<String, INDArray> b = new HashMap<>();
        Map<String, INDArray> a = new HashMap<>();
        for (String v : before.variableNames()) {
            b.put(v, before.array(v));
            a.put(v, after.array(v));
        }
        int changed = 0;
        for (SkillUnit u : SkillUnit.matrixLevel(before)) {
            boolean same = bitIdentical(u.parts(b)[0], u.parts(a)[0]);
            if (frozen.contains(u.id())) {
                assertTrue(same, "frozen unit " + u.id() + " changed");
            } else if (!same) {
                changed++;
            }
        }
        assertTrue(changed > 0, "the replay stage trained the other units");
        ReplayMemory memory = ReplayMemory.load(task2.resolve("memory.json"));
        assertEquals(2, memory.examplesOf("dbpedia").size(), "memory follows the ratio: 0.5 × 4");
        assertEquals(2, memory.examplesOf("agnews").size());
    }

    @Test
    void oLoraPenaltyMatchesAHandComputedCase() {
        RunConfig c = tiny("olora");
        GrowingLoRA l1 = GrowingLoRA.olora(c);
        // A = [[1, 2], [3, -1], [0, 2]] with the first row old: A_old·A_newᵀ = [1·3 + 2·(−1), 1·0 + 2·2] = [1, 4]
        INDArray a = Nd4j.createFromArray(new float[][]{{1, 2}, {3, -1}, {0, 2}});
        assertEquals(0.5 * (1 + 4), l1.penaltyValue(List.of(a), 1), 1e-9, "λ₁ Σ|·| with λ₁ = 0.5");
        c.oloraPenalty = "squared";
        assertEquals(0.5 * (1 + 16), GrowingLoRA.olora(c).penaltyValue(List.of(a), 1), 1e-9, "paper's squared form");

        // the in-graph term equals the direct computation
        LoraAdapter adapter = LoraAdapter.of(new LoraConfig(3, 6, 0, List.of("x"), null, "none", false, null, null),
                Map.of("x", new INDArray[]{a, Nd4j.zeros(DataType.FLOAT, 4, 3)}));
        SameDiff sd = SameDiff.create();
        sd.var("x.lora_A.weight", a);
        sd.var("x.lora_B.weight", adapter.array("x.lora_B.weight"));
        var term = l1.penalty(1).build(sd, adapter);
        assertEquals(2.5, sd.outputSingle(Map.of(), term.name()).getDouble(0), 1e-6);

        // λ₂ Σ (‖A_t‖_F + ‖B_t‖_F) over the new pair (rows 1-2 of A, columns 1-2 of B; B = 0 here):
        // ‖[[3, −1], [0, 2]]‖_F = √14
        c.oloraLambda2 = 0.1;
        var norms = GrowingLoRA.olora(c).newPairNorms(1).build(sd, adapter);
        assertEquals(0.1 * Math.sqrt(14), sd.outputSingle(Map.of(), norms.name()).getDouble(0), 1e-6);
    }

    @Test
    void ewcFisherIsTheMeanOfSquaredGradients() {
        var f = Fixture.all("llama").get(0);
        LanguageModel model = Models.load(f.dir());
        LoraAdapter adapter = LoraAdapter.load(f.dir().resolve("lora"));
        Lora.attach(model, adapter);
        var batch = f.inputs().batch();
        var half = new io.kif4j.transformer.ModelInputs(new int[][]{batch.inputIds()[0]},
                new int[][]{batch.attentionMask()[0]}, new int[][]{batch.labels()[0]}, null, null);
        var g1 = Lora.lossAndGradients(model, adapter, batch).gradients();
        var g2 = Lora.lossAndGradients(model, adapter, half).gradients();
        var ctx = new io.kif4j.continual.TaskContext(0, "t", model, null, adapter.config(), null, null, List.of(),
                null, null, tmp, 1);
        Map<String, INDArray> fisher = Ewc.fisher(ctx, adapter, List.of(batch, half));
        for (String v : adapter.variableNames()) {
            INDArray expected = g1.get(v).mul(g1.get(v)).add(g2.get(v).mul(g2.get(v))).div(2);
            assertTrue(expected.equalsWithEps(fisher.get(v), 1e-7), v);
        }
    }

    @Test
    void recurrentKifFusionFollowsTheMasksAndWeights() {
        // one tensor of 5 scalars; inner scores make elements 0,1 important (> Q_0.8), outer scores elements 1,2
        INDArray anchor = Nd4j.createFromArray(0f, 0f, 0f, 0f, 0f);
        INDArray thetaK = Nd4j.createFromArray(1f, 1f, 1f, 1f, 1f);  // Δ_in = 1
        INDArray theta = Nd4j.createFromArray(3f, 3f, 3f, 3f, 3f);   // Δ_out = 2
        Map<String, INDArray> params = new LinkedHashMap<>(Map.of("w", theta));
        Map<String, INDArray> sIn = Map.of("w", Nd4j.createFromArray(10f, 10f, 1f, 1f, 1f));
        Map<String, INDArray> sOut = Map.of("w", Nd4j.createFromArray(1f, 10f, 10f, 1f, 1f));
        // Q_0.8 of {1,1,1,10,10} = 10 with numpy's linear interpolation, so a strict ">" marks nothing;
        // use 0.5 (median 1): elements with 10 are important.
        RecurrentKif.fuseRound(params, Map.of("w", anchor), Map.of("w", thetaK), sIn, sOut, 0.5);
        // element 0: in only → 1·1 + 0·2 = 1; element 1: both → 0.4·1 + 0.6·2 = 1.6;
        // element 2: out only → 0 + 1·2 = 2; elements 3, 4: neither → 0.5·1 + 0.5·2 = 1.5
        assertTrue(Nd4j.createFromArray(1f, 1.6f, 2f, 1.5f, 1.5f).equalsWithEps(params.get("w"), 1e-6), params.get("w").toString());
    }

    @Test
    void theRegistryHasEveryMethodOfThePapersTables() {
        List<String> all = new ArrayList<>(io.kif4j.continual.Methods.names());
        assertTrue(all.containsAll(List.of("seqlora", "inclora", "replay", "ewc", "olora", "kif", "kiflora", "kif-m",
                "kiflora-m", "recurrent-kif", "weight-ensemble", "ema")));
    }
}
