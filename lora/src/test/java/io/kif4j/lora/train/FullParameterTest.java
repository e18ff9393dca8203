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
 * Full-parameter training on every fixture model: the gradient of every base weight against float64 central
 * finite differences, against HF's LoRA gradients through the chain rule, and one AdamW step of the trainer.
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
        return fullModel(f, adapter, DataType.FLOAT);
    }

    private static LanguageModel fullModel(Fixture f, LoraAdapter adapter, DataType dataType) {
        LanguageModel model = Models.load(f.dir(), dataType);
        model.setTrainableWeights(Graph.ALL);
        Lora.attach(model, adapter);
        return model;
    }

    /**
     * Every weight's gradient against central finite differences of the loss in float64: the model is loaded a
     * second time with float64 weights and graphs ({@code Models.load(dir, DOUBLE)}), and both its analytic
     * gradient G64 and the float32 one G32 (the one training uses) are checked.
     *
     * <p>Along two unit directions per weight tensor (G64's own, and a seeded random one) the derivative is
     * estimated by Richardson's combination of two central differences, FD = (4·D(h) − D(2h)) / 3 with
     * D(h) = (L(W + hD) − L(W − hD)) / 2h, whose truncation error is O(h⁴) instead of O(h²). Its error bound:
     * <ul>
     *   <li>rounding: each float64 loss is off by at most δ = 100 ulp(L) (≈ 9e-14 at L ≈ 6; the float64
     *       rounding the differences themselves show at h = 1e-5 is about 1 ulp), which FD turns into at most
     *       (4·δ/h + δ/2h) / 3 = 1.5 δ/h ≈ 1.3e-9 at h = 1e-4;</li>
     *   <li>truncation: the O(h⁴) remainder, bounded by 1 % of the O(h²) term it removed, |D(2h) − D(h)|
     *       (measured over all fixtures at h = 1e-4: at most 1.2e-6 of it; the largest FD error was 1.6e-10).</li>
     * </ul>
     * G64·D must match FD within that bound: about 1e-9, a million times tighter than float32 finite differences
     * allow (10 δ32/h ≈ 5e-3 at h = 2e-3), so a gradient term off by one part in 10⁸ of ‖G‖ fails.
     *
     * <p>G32 is G64 plus float32 rounding. The fixtures measured that rounding on HF's float32 LoRA gradients as
     * ρ = {@code lora_grad_f32_vs_f64_max_rel_to_tensor_max} (1.2e-6 to 3.5e-6) of the tensor's largest entry; as
     * the fixtures do, we allow ten times the noise: elementwise max|G32 − G64| ≤ 10 ρ·max|G64| (measured here
     * up to 3.0e-6 of the max), and along each direction |G32·D − FD| ≤ 10 ρ·‖G64‖ + the FD bound (measured up
     * to 1.1e-6 ‖G64‖). With ReLU (t5_relu) the loss is only piecewise smooth: a difference that crosses a kink
     * of the feed-forward is off by O(h), which |D(2h) − D(h)| does not bound, so ReLU models get 1 % of the
     * derivative on top (no crossing at these fixtures and h; their gradients are also held to HF's by
     * {@link #mergedLora}). The float64 loss is checked against HF's float64 loss to the fixture's loss tolerance
     * only: the label weights 1/count reach the graph as float32, which alone moves it by up to 2⁻²⁴ relative.
     * A tensor counts as tested when ‖G64‖ is at least ten times its FD tolerance, and most of them must be.
     */
    static void finiteDifferences(Fixture f) {
        ModelInputs batch = f.inputs().batch();
        LanguageModel model32 = fullModel(f, none(null));
        Lora.LossAndGradients lg32 = Lora.lossAndGradients(model32, (LoraAdapter) model32.adapter(), batch);
        assertEquals(f.at("loss").asDouble(), lg32.loss(), 1e-5, f.name() + ": full-parameter graph's loss");
        LanguageModel model = fullModel(f, none(null), DataType.DOUBLE);
        Lora.LossAndGradients lg = Lora.lossAndGradients(model, (LoraAdapter) model.adapter(), batch);
        assertEquals(f.at("loss_f64").asDouble(), lg.loss(), 1e-5, f.name() + ": float64 graph's loss");
        double delta = 100 * Math.ulp(lg.loss());
        double h = 1e-4;
        double rho = 10 * f.at("observed_float_differences.lora_grad_f32_vs_f64_max_rel_to_tensor_max").asDouble();
        boolean relu = io.kif4j.common.Json.read(f.dir().resolve("config.json")).path("feed_forward_proj").asText("").equals("relu");
        int checked = 0;
        int significant = 0;
        for (var e : model.weights().taken().entrySet()) {
            String name = e.getKey();
            INDArray g = lg.gradients().get(name);
            if (g == null) {
                continue; // an alias the graph does not read (tied lm_head)
            }
            assertEquals(DataType.DOUBLE, g.dataType(), name);
            assertEquals(java.util.Arrays.toString(e.getValue().shape()), java.util.Arrays.toString(g.shape()), name);
            INDArray g32 = lg32.gradients().get(name).castTo(DataType.DOUBLE);
            double gMax = g.amaxNumber().doubleValue();
            double elementDiff = Fixture.maxAbsDiff(g32, g);
            assertTrue(elementDiff <= rho * gMax, f.name() + " " + name + ": float32 gradient differs from float64's by "
                    + elementDiff + " (tolerance " + rho * gMax + ")");
            double gNorm = g.norm2Number().doubleValue();
            Nd4j.getRandom().setSeed(name.hashCode());
            INDArray random = Nd4j.randn(DataType.DOUBLE, g.shape());
            List<INDArray> directions = new ArrayList<>();
            if (gNorm > 0) {
                directions.add(g.div(gNorm));
            }
            directions.add(random.div(random.norm2Number()));
            for (int d = 0; d < directions.size(); d++) {
                INDArray dir = directions.get(d);
                double analytic = g.mul(dir).sumNumber().doubleValue();
                double analytic32 = g32.mul(dir).sumNumber().doubleValue();
                double fdH = central(model, batch, e.getValue(), dir, h);
                double fd2H = central(model, batch, e.getValue(), dir, 2 * h);
                double fd = (4 * fdH - fd2H) / 3;
                double tol = 1.5 * delta / h + 0.01 * Math.abs(fd2H - fdH) + (relu ? 0.01 * Math.abs(analytic) : 0);
                String what = f.name() + " " + name + (d == 0 && gNorm > 0 ? " (gradient direction)" : " (random direction)");
                assertTrue(Math.abs(fd - analytic) <= tol, what + ": float64 finite difference " + fd
                        + " vs float64 gradient " + analytic + ", tolerance " + tol);
                assertTrue(Math.abs(fd - analytic32) <= tol + rho * gNorm, what + ": float64 finite difference " + fd
                        + " vs float32 gradient " + analytic32 + ", tolerance " + (tol + rho * gNorm));
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
