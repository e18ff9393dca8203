package io.kif4j.continual.importance;

import io.kif4j.continual.importance.ImportanceTracker.LoopOrder;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Eq. 10–12 over three steps, worked by hand (spec §3.2). */
class ImportanceTrackerTest {

    /*
     * One element, β1 = β2 = 0.5 (easy by hand), instantaneous importance I = |w·g| = 2, 4, 1:
     *   s1: Ī = 0.5·0 + 0.5·2 = 1;     U = |2 − 1| = 1;     Ū = 0.5·0 + 0.5·1 = 0.5
     *   s2: Ī = 0.5·1 + 0.5·4 = 2.5;   U = |4 − 2.5| = 1.5; Ū = 0.25 + 0.75 = 1.0
     *   s3: Ī = 1.25 + 0.5 = 1.75;     U = |1 − 1.75| = .75; Ū = 0.5 + 0.375 = 0.875
     *   s = Ī·Ū = 1.53125
     * (Using the old Ī in U would give U = 2, 3, 1.5 instead.)
     */
    static final float[] I_STEPS = {2f, 4f, 1f};

    private static Map<String, INDArray> map(float v) {
        Map<String, INDArray> m = new LinkedHashMap<>();
        m.put("x.lora_A.weight", Nd4j.createFromArray(new float[][]{{v}}));
        return m;
    }

    private static float only(Map<String, INDArray> m) {
        return m.get("x.lora_A.weight").getFloat(0);
    }

    @Test
    void emaOverThreeStepsUsesTheUpdatedSensitivity() {
        ImportanceTracker t = new ImportanceTracker(ImportanceMetric.FIRST_ORDER, 0.5, 0.5,
                LoopOrder.PEFT_LOOP_ORDER, false);
        float[][] expected = {{1f, 0.5f}, {2.5f, 1f}, {1.75f, 0.875f}};
        for (int s = 0; s < 3; s++) {
            t.afterStep(s + 1, map(1f), map(I_STEPS[s]), 0);
            assertEquals(expected[s][0], only(t.sensitivity()), 1e-6, "Ibar step " + (s + 1));
            assertEquals(expected[s][1], only(t.uncertainty()), 1e-6, "Ubar step " + (s + 1));
            assertEquals(I_STEPS[s], only(t.lastImportance()), 1e-6);
        }
        assertEquals(1.53125, only(t.scores()), 1e-6);
        assertEquals(3, t.updates());
    }

    @Test
    void papersBetaOverThreeSteps() {
        // β = 0.85, I = 2, 4, 1: Ī = 0.3, 0.855, 0.87675; U = 1.7, 3.145, 0.12325;
        // Ū = 0.255, 0.68850, 0.6037125; s = 0.87675 · 0.6037125 = 0.529305...
        ImportanceTracker t = new ImportanceTracker(ImportanceMetric.FIRST_ORDER, 0.85, 0.85,
                LoopOrder.PEFT_LOOP_ORDER, false);
        for (int s = 0; s < 3; s++) {
            t.afterStep(s + 1, map(-1f), map(-I_STEPS[s]), 0); // signs cancel in |w·g|
        }
        assertEquals(0.87675, only(t.sensitivity()), 1e-6);
        assertEquals(0.6037125, only(t.uncertainty()), 1e-6);
        assertEquals(0.87675 * 0.6037125, only(t.scores()), 1e-6);
    }

    @Test
    void skipFirstStepStartsAtStepTwo() {
        ImportanceTracker t = new ImportanceTracker(ImportanceMetric.FIRST_ORDER, 0.5, 0.5,
                LoopOrder.PEFT_LOOP_ORDER, true);
        t.afterStep(1, map(1f), map(100f), 0);
        assertEquals(0f, only(t.scores()), "skipped step leaves zeros of the right shape");
        assertEquals(0, t.updates());
        for (int s = 0; s < 3; s++) {
            t.afterStep(s + 2, map(1f), map(I_STEPS[s]), 0);
        }
        assertEquals(1.53125, only(t.scores()), 1e-6);
    }

    @Test
    void loopOrderPicksTheHook() {
        ImportanceTracker main = new ImportanceTracker(ImportanceMetric.FIRST_ORDER, 0.5, 0.5, LoopOrder.MAIN, false);
        ImportanceTracker peft = new ImportanceTracker(ImportanceMetric.FIRST_ORDER, 0.5, 0.5,
                LoopOrder.PEFT_LOOP_ORDER, false);
        Map<String, INDArray> before = map(1f);
        Map<String, INDArray> after = map(3f);
        Map<String, INDArray> g = map(2f);
        for (ImportanceTracker t : List.of(main, peft)) {
            t.beforeStep(1, before, g);
            t.afterStep(1, after, g, 0);
        }
        assertEquals(2f, only(main.lastImportance()), "MAIN: |w_t·g_t|");
        assertEquals(6f, only(peft.lastImportance()), "PEFT loop order: |w_{t+1}·g_t|");
        assertEquals(1, main.updates());
        assertEquals(1, peft.updates());
    }

    @Test
    void fisherMetricFeedsTheEma() {
        ImportanceTracker t = new ImportanceTracker(ImportanceMetric.FISHER, 0.5, 0.5, LoopOrder.MAIN, false);
        t.beforeStep(1, map(1f), map(3f)); // |3 − 4.5| = 1.5 → Ī = 0.75, Ū = 0.5·|1.5 − 0.75| = 0.375
        assertEquals(0.75f, only(t.sensitivity()), 1e-6);
        assertEquals(0.375f, only(t.uncertainty()), 1e-6);
    }

    @Test
    void stateRestoreAndReset() {
        ImportanceTracker t = new ImportanceTracker(ImportanceMetric.FIRST_ORDER, 0.5, 0.5,
                LoopOrder.PEFT_LOOP_ORDER, false);
        t.afterStep(1, map(1f), map(I_STEPS[0]), 0);
        Map<String, INDArray> saved = t.state();
        assertEquals(2, saved.size());
        ImportanceTracker resumed = new ImportanceTracker(ImportanceMetric.FIRST_ORDER, 0.5, 0.5,
                LoopOrder.PEFT_LOOP_ORDER, false);
        resumed.restore(saved, 1);
        saved.values().forEach(a -> a.assign(99)); // the restored state is a copy
        for (int s = 1; s < 3; s++) {
            t.afterStep(s + 1, map(1f), map(I_STEPS[s]), 0);
            resumed.afterStep(s + 1, map(1f), map(I_STEPS[s]), 0);
        }
        assertEquals(1.53125, only(resumed.scores()), 1e-6);
        assertEquals(3, resumed.updates());
        t.reset();
        assertEquals(0, t.scores().size());
        assertEquals(0, t.updates());
        assertThrows(IllegalArgumentException.class, () -> t.restore(Map.of("Ibar.x", Nd4j.zeros(2))));
    }

    @Test
    void scoresAreShapedLikeTheParameters() {
        ImportanceTracker t = new ImportanceTracker(ImportanceMetric.FIRST_ORDER, 0.85, 0.85,
                LoopOrder.PEFT_LOOP_ORDER, false);
        Map<String, INDArray> p = new LinkedHashMap<>();
        p.put("m.lora_A.weight", Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 2, 5));
        p.put("m.lora_B.weight", Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 3, 2));
        Map<String, INDArray> g = new LinkedHashMap<>();
        p.forEach((k, v) -> g.put(k, v.mul(2)));
        t.afterStep(1, p, g, 0);
        assertArrayEquals(new long[]{2, 5}, t.scores().get("m.lora_A.weight").shape());
        assertArrayEquals(new long[]{3, 2}, t.scores().get("m.lora_B.weight").shape());
        // step 1 from zero states: Ī = 0.15·I, Ū = 0.15·0.85·I, s = 0.019125·I²
        INDArray i = p.get("m.lora_B.weight").mul(p.get("m.lora_B.weight")).muli(2);
        INDArray expected = i.mul(i).muli(0.15 * 0.15 * 0.85);
        assertEquals(0, t.scores().get("m.lora_B.weight").sub(expected).amaxNumber().doubleValue(), 1e-6);
        Map<String, INDArray> missing = new LinkedHashMap<>(g);
        missing.remove("m.lora_A.weight");
        assertThrows(IllegalArgumentException.class, () -> t.afterStep(2, p, missing, 0));
    }
}
