package io.kif4j.continual.importance;

import com.fasterxml.jackson.databind.JsonNode;
import io.kif4j.continual.importance.ImportanceTracker.LoopOrder;
import io.kif4j.lora.Lora;
import io.kif4j.lora.LoraAdapter;
import io.kif4j.lora.LoraModule;
import io.kif4j.lora.SkillUnit;
import io.kif4j.transformer.LanguageModel;
import io.kif4j.transformer.ModelInputs;
import io.kif4j.transformer.Models;
import io.kif4j.transformer.testing.Fixture;
import io.kif4j.common.Json;
import io.kif4j.weights.safetensors.SafetensorsFile;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The importance reference of ../shared/fixtures/README.md §6 and §8, for every fixture folder: 3 plain SGD steps
 * (lr 0.01) on the LoRA matrices feeding two trackers (main and PEFT loop order, no skipped step), then the
 * per-step losses, the step-3 element tensors and final weights (main), the unit aggregates of every step (both
 * variants) and the product of means from the element scores.
 */
class ImportanceFixtureTest {

    private static final Logger LOG = LoggerFactory.getLogger(ImportanceFixtureTest.class);
    private static final double LR = 0.01;

    @TestFactory
    Stream<DynamicContainer> llama() {
        return Fixture.all("llama").stream().map(ImportanceFixtureTest::container);
    }

    /** Separate so that it reports on its own while the T5 model is merged from another branch. */
    @TestFactory
    Stream<DynamicContainer> t5() {
        return Fixture.all("t5").stream().map(ImportanceFixtureTest::container);
    }

    private static DynamicContainer container(Fixture f) {
        return DynamicContainer.dynamicContainer(f.name(), List.of(
                DynamicTest.dynamicTest("3 SGD steps against expected_importance", () -> run(f))));
    }

    /** What one run leaves for the checks. */
    private record Run(List<Double> losses, Map<String, INDArray> grad3, ImportanceTracker main,
                       ImportanceTracker peft, List<Map<String, INDArray>> mainScores,
                       List<Map<String, INDArray>> peftScores, LoraAdapter adapter) {
    }

    static void run(Fixture f) {
        LanguageModel model = Models.load(f.dir());
        LoraAdapter adapter = LoraAdapter.load(f.dir().resolve("lora"));
        Lora.attach(model, adapter);
        Run r = steps(model, adapter, f.inputs().batch());
        JsonNode ref = Json.read(f.dir().resolve("expected_importance.json"));
        SafetensorsFile tensors = SafetensorsFile.open(f.dir().resolve("expected_importance.safetensors"));
        assertEquals(3, ref.get("steps").asInt());
        assertEquals(0.85, ref.get("beta1").asDouble());
        assertEquals(LR, ref.get("lr").asDouble());
        for (String variant : List.of("main", "peft_loop_order")) {
            JsonNode losses = ref.get(variant).get("losses_per_step");
            for (int t = 0; t < 3; t++) {
                assertEquals(losses.get(t).asDouble(), r.losses.get(t), 1e-5, f.name() + " loss before step " + (t + 1));
            }
        }
        double worstElement = elements(f, r, tensors);
        double worstUnit = 0;
        worstUnit = Math.max(worstUnit, units(f, r.adapter, ref.get("main"), r.mainScores, "main"));
        worstUnit = Math.max(worstUnit, units(f, r.adapter, ref.get("peft_loop_order"), r.peftScores, "peft"));
        double worstProduct = productOfMeans(f, r, tensors);
        LOG.info("{}: max relative diff — element tensors {}, unit aggregates {}, product of means {}",
                f.name(), worstElement, worstUnit, worstProduct);
    }

    private static Run steps(LanguageModel model, LoraAdapter adapter, ModelInputs batch) {
        ImportanceTracker main = new ImportanceTracker(ImportanceMetric.FIRST_ORDER, 0.85, 0.85, LoopOrder.MAIN, false);
        ImportanceTracker peft = new ImportanceTracker(ImportanceMetric.FIRST_ORDER, 0.85, 0.85,
                LoopOrder.PEFT_LOOP_ORDER, false);
        Map<String, INDArray> params = new LinkedHashMap<>();
        for (String v : adapter.variableNames()) {
            params.put(v, adapter.array(v));
        }
        List<Double> losses = new ArrayList<>();
        List<Map<String, INDArray>> mainScores = new ArrayList<>();
        List<Map<String, INDArray>> peftScores = new ArrayList<>();
        Map<String, INDArray> grad3 = null;
        for (int step = 1; step <= 3; step++) {
            Lora.LossAndGradients lg = Lora.lossAndGradients(model, adapter, batch);
            losses.add(lg.loss());
            Map<String, INDArray> grads = lg.gradients();
            main.beforeStep(step, params, grads); // MAIN updates here, with w_t
            peft.beforeStep(step, params, grads); // PEFT_LOOP_ORDER ignores it
            for (String v : params.keySet()) {
                params.get(v).subi(grads.get(v).mul(LR)); // plain SGD, in place on the adapter's arrays
            }
            main.afterStep(step, params, grads, lg.loss()); // MAIN ignores it
            peft.afterStep(step, params, grads, lg.loss());
            mainScores.add(main.scores());
            peftScores.add(peft.scores());
            if (step == 3) {
                grad3 = new LinkedHashMap<>();
                for (var e : grads.entrySet()) {
                    grad3.put(e.getKey(), e.getValue().dup());
                }
            }
        }
        assertEquals(3, main.updates());
        assertEquals(3, peft.updates());
        return new Run(losses, grad3, main, peft, mainScores, peftScores, adapter);
    }

    /** step3.{grad,I,Ibar,Ubar,S} and final_weight (main variant): element tolerance 1e-3 × tensor max. */
    private static double elements(Fixture f, Run r, SafetensorsFile t) {
        Map<String, Map<String, INDArray>> ours = new LinkedHashMap<>();
        ours.put("grad", r.grad3);
        ours.put("I", r.main.lastImportance());
        ours.put("Ibar", r.main.sensitivity());
        ours.put("Ubar", r.main.uncertainty());
        ours.put("S", r.main.scores());
        double worst = 0;
        int checked = 0;
        for (LoraModule m : r.adapter.modules()) {
            for (String[] v : List.of(new String[]{m.aName(), m.peftA()}, new String[]{m.bName(), m.peftB()})) {
                for (var e : ours.entrySet()) {
                    INDArray expected = t.load("step3." + e.getKey() + "." + v[1]);
                    INDArray actual = e.getValue().get(v[0]);
                    double max = expected.amaxNumber().doubleValue();
                    double diff = Fixture.maxAbsDiff(actual, expected);
                    assertTrue(diff <= 1e-3 * max, f.name() + ": step3." + e.getKey() + "." + v[1] + " differs by "
                            + diff + " (tensor max " + max + ")");
                    worst = Math.max(worst, diff / max);
                    checked++;
                }
                INDArray w = t.load("final_weight." + v[1]);
                double diff = Fixture.maxAbsDiff(r.adapter.array(v[0]), w);
                assertTrue(diff <= 1e-6, f.name() + ": final_weight." + v[1] + " differs by " + diff);
            }
        }
        assertEquals(t.names().stream().filter(n -> n.startsWith("step3.")).count(), checked,
                f.name() + ": every step3 tensor is checked");
        return worst;
    }

    /** sum_of_means and pooled_mean of every module and step: 1e-3 × the module's largest unit score. */
    private static double units(Fixture f, LoraAdapter adapter, JsonNode variant,
                                List<Map<String, INDArray>> perStep, String label) {
        List<SkillUnit> units = SkillUnit.rankOne(adapter);
        double worst = 0;
        JsonNode steps = variant.get("unit_scores_per_step");
        assertEquals(3, steps.size());
        for (int t = 0; t < 3; t++) {
            Map<String, Double> sum = UnitScores.aggregate(units, perStep.get(t), Aggregation.SUM_OF_MEANS);
            Map<String, Double> pooled = UnitScores.aggregate(units, perStep.get(t), Aggregation.POOLED_MEAN);
            int modules = 0;
            for (var it = steps.get(t).fields(); it.hasNext(); ) {
                var e = it.next();
                if (e.getKey().startsWith("_")) {
                    continue; // global rankings, not a module
                }
                modules++;
                String path = e.getKey().substring(LoraModule.PEFT_PREFIX.length());
                for (var agg : List.of(Map.entry("sum_of_means", sum), Map.entry("pooled_mean", pooled))) {
                    JsonNode exp = e.getValue().get(agg.getKey());
                    double max = 0;
                    for (JsonNode x : exp) {
                        max = Math.max(max, Math.abs(x.asDouble()));
                    }
                    assertEquals(adapter.module(path).rank(), exp.size());
                    for (int i = 0; i < exp.size(); i++) {
                        double ours = agg.getValue().get(path + "|||" + i);
                        double diff = Math.abs(ours - exp.get(i).asDouble());
                        assertTrue(diff <= 1e-3 * max, f.name() + " " + label + " step " + (t + 1) + " "
                                + agg.getKey() + " " + path + " unit " + i + ": " + ours + " vs " + exp.get(i));
                        worst = Math.max(worst, diff / max);
                    }
                }
            }
            assertEquals(adapter.modules().size(), modules, f.name() + ": every module has reference scores");
        }
        return worst;
    }

    /** Spec §3.3's product of means, from the reference element scores step3.S, against our aggregate (main). */
    private static double productOfMeans(Fixture f, Run r, SafetensorsFile t) {
        Map<String, Double> ours = UnitScores.aggregate(SkillUnit.rankOne(r.adapter), r.main.scores(),
                Aggregation.PRODUCT_OF_MEANS);
        double worst = 0;
        for (LoraModule m : r.adapter.modules()) {
            double[][] sa = t.load("step3.S." + m.peftA()).castTo(DataType.DOUBLE).toDoubleMatrix(); // [r, in]
            double[][] sb = t.load("step3.S." + m.peftB()).castTo(DataType.DOUBLE).toDoubleMatrix(); // [out, r]
            double[] expected = new double[m.rank()];
            double max = 0;
            for (int i = 0; i < m.rank(); i++) {
                double meanA = 0;
                for (double x : sa[i]) {
                    meanA += x / sa[i].length;
                }
                double meanB = 0;
                for (double[] row : sb) {
                    meanB += row[i] / sb.length;
                }
                expected[i] = meanA * meanB;
                max = Math.max(max, expected[i]);
            }
            for (int i = 0; i < m.rank(); i++) {
                double diff = Math.abs(ours.get(m.path() + "|||" + i) - expected[i]);
                assertTrue(diff <= 1e-3 * max, f.name() + ": product of means " + m.path() + " unit " + i);
                worst = Math.max(worst, diff / max);
            }
        }
        return worst;
    }
}
