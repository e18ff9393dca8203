package io.kif4j.lora.train;

import io.kif4j.lora.Lora;
import io.kif4j.lora.LoraAdapter;
import io.kif4j.lora.LoraConfig;
import io.kif4j.lora.LoraModule;
import io.kif4j.transformer.LanguageModel;
import io.kif4j.transformer.ModelInputs;
import io.kif4j.transformer.Models;
import io.kif4j.transformer.nn.Graph;
import io.kif4j.transformer.testing.Fixture;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Full-parameter training on every fixture model: the gradient of every base weight against central finite
 * differences, against HF's LoRA gradients through the chain rule, and one AdamW step of the trainer.
 */
class FullParameterTest {

    @TestFactory
    Stream<DynamicContainer> llama() {
        return fixtures("llama");
    }

    @TestFactory
    Stream<DynamicContainer> t5() {
        return fixtures("t5");
    }

    private Stream<DynamicContainer> fixtures(String type) {
        return Fixture.all(type).stream().map(f -> DynamicContainer.dynamicContainer(f.name(), List.of(
                DynamicTest.dynamicTest("every weight's gradient vs finite differences", () -> finiteDifferences(f)),
                DynamicTest.dynamicTest("merged LoRA = trained W: loss and chain-rule gradients", () -> mergedLora(f)),
                DynamicTest.dynamicTest("one trainer step moves every weight by AdamW's first step", () -> oneStep(f)))));
    }

    /** An adapter that adapts nothing: the model alone, through the LoRA API. */
    private static LoraAdapter none(LanguageModel model) {
        return LoraAdapter.create(LoraConfig.of(1, 1, 0, List.of(), null), 1);
    }

    private static LanguageModel fullModel(Fixture f, LoraAdapter adapter) {
        LanguageModel model = Models.load(f.dir());
        model.setTrainableWeights(Graph.ALL);
        Lora.attach(model, adapter);
        return model;
    }

    /**
     * Directional derivatives along two unit directions per weight tensor (the gradient's own, and a seeded random
     * one) against central differences (L(W + hD) − L(W − hD)) / 2h, with the loss computed in float32.
     * The error of a central difference is rounding + truncation: each float32 loss is off from the exact one by at
     * most δ, which the fixture measured against float64 ({@code loss_f32_vs_f64_abs}); we allow 10 δ (the fixtures'
     * own safety factor), so rounding ≤ 10 δ / h. Truncation is O(h²), estimated from the same difference at 2h
     * (|FD(2h) − FD(h)| ≈ 3·C h², allowed in full). With ReLU (t5_relu) the loss is only piecewise smooth: a
     * difference that crosses kinks of the feed-forward is off by O(h) in either direction, which the 2h estimate
     * does not bound (measured: wi 0.27 % off at h 1e-2, an attention q 0.38 % off at h 2e-3), so ReLU models get
     * 1 % of the derivative on top; their gradients are held to HF's exactly by {@link #mergedLora}. The gradient
     * direction's derivative is ‖G‖; a tensor counts as tested when ‖G‖ is at least ten times its tolerance, and
     * most of them must be, so a wrong or missing gradient fails.
     */
    static void finiteDifferences(Fixture f) {
        LanguageModel model = fullModel(f, none(null));
        ModelInputs batch = f.inputs().batch();
        Lora.LossAndGradients lg = Lora.lossAndGradients(model, (LoraAdapter) model.adapter(), batch);
        assertEquals(f.at("loss").asDouble(), lg.loss(), 1e-5, f.name() + ": full-parameter graph's loss");
        double delta = Math.max(f.at("observed_float_differences.loss_f32_vs_f64_abs").asDouble(), Math.ulp((float) lg.loss()));
        double h = 2e-3;
        boolean relu = io.kif4j.weights.Json.read(f.dir().resolve("config.json")).path("feed_forward_proj").asText("").equals("relu");
        Map<String, INDArray> weights = model.weights().taken();
        int checked = 0;
        int significant = 0;
        for (var e : weights.entrySet()) {
            INDArray g = lg.gradients().get(e.getKey());
            if (g == null) {
                continue; // an alias the graph does not read (tied lm_head)
            }
            assertEquals(java.util.Arrays.toString(e.getValue().shape()), java.util.Arrays.toString(g.shape()), e.getKey());
            double gNorm = g.norm2Number().doubleValue();
            Nd4j.getRandom().setSeed(e.getKey().hashCode());
            INDArray random = Nd4j.randn(DataType.FLOAT, g.shape());
            List<INDArray> directions = new ArrayList<>();
            if (gNorm > 0) {
                directions.add(g.div(gNorm));
            }
            directions.add(random.div(random.norm2Number()));
            for (int d = 0; d < directions.size(); d++) {
                INDArray dir = directions.get(d);
                double analytic = g.castTo(DataType.DOUBLE).mul(dir.castTo(DataType.DOUBLE)).sumNumber().doubleValue();
                double fd = central(model, batch, e.getValue(), dir, h);
                double fd2 = central(model, batch, e.getValue(), dir, 2 * h);
                double tol = 10 * delta / h + Math.abs(fd2 - fd) + 1e-6 + (relu ? 0.01 * Math.abs(analytic) : 0);
                assertTrue(Math.abs(fd - analytic) <= tol, f.name() + " " + e.getKey() + (d == 0 && gNorm > 0 ? " (gradient direction)" : " (random direction)")
                        + ": finite difference " + fd + " vs gradient " + analytic + ", tolerance " + tol);
                if (d == 0 && gNorm > 10 * tol) {
                    significant++;
                }
            }
            checked++;
        }
        assertTrue(checked >= 5, f.name() + ": only " + checked + " weights have gradients");
        assertTrue(significant * 2 >= checked, f.name() + ": only " + significant + " of " + checked
                + " gradients are large against the finite-difference tolerance");
    }

    private static double central(LanguageModel model, ModelInputs batch, INDArray w, INDArray dir, double h) {
        INDArray saved = w.dup();
        w.addi(dir.mul(h));
        double plus = model.score(batch).loss();
        w.assign(saved).subi(dir.mul(h));
        double minus = model.score(batch).loss();
        w.assign(saved);
        return (plus - minus) / (2 * h);
    }

    /**
     * HF's LoRA loss and gradients (the fixture, checked to 1e-4 in LoraFixtureTest) from the full-parameter path:
     * W' = W + s·B·A as base weights gives the LoRA loss, and with G = dL/dW' the chain rule gives
     * dL/dA = s·Bᵀ·G and dL/dB = s·G·Aᵀ, to the fixtures' LoRA-gradient tolerance (1e-4 × the tensor's max).
     */
    static void mergedLora(Fixture f) {
        LoraAdapter lora = LoraAdapter.load(f.dir().resolve("lora"));
        LanguageModel model = Models.load(f.dir());
        Lora.mergeInPlace(model.weights(), lora, +1); // the weights a full-parameter run would have trained to
        model.setTrainableWeights(Graph.ALL);
        LoraAdapter none = none(model);
        Lora.attach(model, none);
        Lora.LossAndGradients lg = Lora.lossAndGradients(model, none, f.inputs().batch());
        assertEquals(f.at("lora.loss").asDouble(), lg.loss(), 1e-5, f.name() + ": merged weights' loss = LoRA loss");
        double s = lora.scaling();
        for (LoraModule m : lora.modules()) {
            INDArray g = lg.gradients().get(m.path() + ".weight");                  // [out, in]
            assertNotNull(g, m.path());
            INDArray gradA = m.b().transpose().mmul(g).muli(s);                     // [r, in]
            INDArray gradB = g.mmul(m.a().transpose()).muli(s);                     // [out, r]
            check(f, "lora.grad." + m.peftA(), gradA);
            check(f, "lora.grad." + m.peftB(), gradB);
        }
    }

    private static void check(Fixture f, String name, INDArray actual) {
        INDArray e = f.tensor(name);
        double tol = 1e-4 * e.amaxNumber().doubleValue();
        double diff = Fixture.maxAbsDiff(actual, e);
        assertTrue(diff <= tol, f.name() + ": " + name + " via the full gradient differs by " + diff + " (tolerance " + tol + ")");
    }

    /**
     * AdamW's first step is lr·g/(|g| + ε) per element (bias-corrected m̂ = g, v̂ = g²; clipping scales g and
     * cancels): every weight moves by that, so every weight had its gradient and its own optimizer state. Then
     * the trainer hands back a model with frozen graphs that score with the new weights.
     */
    static void oneStep(Fixture f) {
        LoraAdapter none = none(null);
        LanguageModel model = fullModel(f, none);
        ModelInputs batch = f.inputs().batch();
        Map<String, INDArray> grads = Lora.lossAndGradients(model, none, batch).gradients();
        Map<String, INDArray> before = new java.util.LinkedHashMap<>();
        model.weights().taken().forEach((k, v) -> before.put(k, v.dup()));
        double lr = 1e-3;
        TrainConfig config = TrainConfig.defaults(1, lr, 7);
        LoraTrainer trainer = new LoraTrainer(model, none, config).withFullParameters();
        trainer.train(epoch -> List.of(batch), List.of(), StepHook.NONE);
        double sq = 0;
        for (INDArray g : grads.values()) {
            sq += Math.pow(g.norm2Number().doubleValue(), 2);
        }
        double clip = Math.min(1, 1.0 / (Math.sqrt(sq) + 1e-6)); // maxGradNorm 1, as torch's clip_grad_norm_
        int moved = 0;
        for (var e : grads.entrySet()) {
            if (!before.containsKey(e.getKey())) {
                continue; // LoRA variables (none here)
            }
            INDArray g = e.getValue().mul(clip);
            INDArray expected = before.get(e.getKey()).sub(g.div(org.nd4j.linalg.ops.transforms.Transforms.abs(g, true).addi(1e-8)).muli(lr));
            double diff = Fixture.maxAbsDiff(model.weights().taken().get(e.getKey()), expected);
            assertTrue(diff <= 1e-6, f.name() + " " + e.getKey() + ": after one AdamW step off by " + diff);
            moved++;
        }
        assertEquals(grads.size(), moved, "every gradient is a base weight's");
        assertEquals(Graph.FROZEN, model.trainableWeights(), "the trainer leaves the model frozen");
        double after = model.score(batch).loss();
        assertTrue(after < f.at("loss").asDouble(), f.name() + ": one step lowered the loss " + f.at("loss").asDouble() + " -> " + after);
    }
}
