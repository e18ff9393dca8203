package io.kif4j.continual.importance;

import io.kif4j.continual.tensors.HostArrays;
import io.kif4j.lora.train.StepHook;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Knowledge identification during one task's training (spec §3.2, Eq. 10–12; Algorithm 1 of §5.1): per LoRA
 * element, the sensitivity EMA Ī and the uncertainty EMA Ū of the instantaneous importance I from an
 * {@link ImportanceMetric}, and the score s = Ī·Ū. Attach it to the task's trainer as its {@link StepHook}.
 *
 * <p>States start at 0, there is no bias correction, and Ū uses the already updated Ī (as AdaLoRA's
 * {@code update_ipt}). The states are float arrays on the Java heap, like PyTorch's float32 buffers; a step
 * copies each weight and gradient out once and updates I, Ī and Ū in a single loop, allocating nothing, so its
 * cost is a small fraction of a training step.
 */
public final class ImportanceTracker implements StepHook {

    /** Which weight the step's gradient is paired with. */
    public enum LoopOrder {
        /**
         * I_t = |w_{t+1}·g_t|: the post-step weight with that step's accumulated, clipped gradient, updated from
         * {@link StepHook#afterStep}. This is what TaSL's trainer (and PEFT's AdaLoRA loop) does: the KIF default.
         */
        PEFT_LOOP_ORDER,
        /** I_t = |w_t·g_t|: the textbook pairing with the weight the gradient was taken at, from beforeStep. */
        MAIN
    }

    private final ImportanceMetric metric;
    private final double beta1;
    private final double beta2;
    private final LoopOrder order;
    private final boolean skipFirstStep;
    private final Map<String, State> states = new LinkedHashMap<>();
    private int updates;

    /** Per LoRA variable, all in C order: the EMAs, the last I, and reusable copies of w and g. */
    private record State(long[] shape, float[] iBar, float[] uBar, float[] instant, float[] w, float[] g) {
        static State zeros(long[] shape, int n) {
            return new State(shape.clone(), new float[n], new float[n], new float[n], new float[n], new float[n]);
        }

        INDArray array(float[] values) {
            return HostArrays.create(values.clone(), shape);
        }
    }

    /**
     * @param beta1         Ī's EMA coefficient (0.85 in the papers)
     * @param beta2         Ū's EMA coefficient (0.85)
     * @param skipFirstStep update only from optimizer step 2 on, as TaSL's {@code 0 < global_step} guard does; the
     *                      fixtures of ../shared/fixtures §6 update from step 1 (false)
     */
    public ImportanceTracker(ImportanceMetric metric, double beta1, double beta2, LoopOrder order,
                             boolean skipFirstStep) {
        if (!(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1)) {
            throw new IllegalArgumentException("beta1 and beta2 must be in [0, 1), got " + beta1 + ", " + beta2);
        }
        this.metric = metric;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.order = order;
        this.skipFirstStep = skipFirstStep;
    }

    /** KIF's code settings: β1 = β2 = 0.85, PEFT loop order, first step skipped. */
    public static ImportanceTracker kif(ImportanceMetric metric) {
        return new ImportanceTracker(metric, 0.85, 0.85, LoopOrder.PEFT_LOOP_ORDER, true);
    }

    public ImportanceMetric metric() {
        return metric;
    }

    public LoopOrder order() {
        return order;
    }

    /** How many optimizer steps have updated the EMAs since construction or {@link #reset}. */
    public int updates() {
        return updates;
    }

    @Override
    public void beforeStep(int step, Map<String, INDArray> params, Map<String, INDArray> grads) {
        if (order == LoopOrder.MAIN) {
            update(step, params, grads);
        }
    }

    @Override
    public void afterStep(int step, Map<String, INDArray> params, Map<String, INDArray> grads, double loss) {
        if (order == LoopOrder.PEFT_LOOP_ORDER) {
            update(step, params, grads);
        }
    }

    /**
     * One EMA update (Eq. 10–11) from weights and gradients by LoRA variable name; {@code step} is the 1-based
     * optimizer step. The states exist (as zeros) from the first call on, skipped or not, so {@link #scores()}
     * always has every variable's shape.
     */
    public void update(int step, Map<String, INDArray> params, Map<String, INDArray> grads) {
        for (var e : params.entrySet()) {
            State s = states.get(e.getKey());
            if (s == null) {
                states.put(e.getKey(), State.zeros(e.getValue().shape(), (int) e.getValue().length()));
            } else if (!Arrays.equals(s.shape, e.getValue().shape())) {
                throw new IllegalArgumentException(e.getKey() + " has shape " + Arrays.toString(e.getValue().shape())
                        + " but its importance state " + Arrays.toString(s.shape));
            }
            if (!grads.containsKey(e.getKey())) {
                throw new IllegalArgumentException("no gradient for LoRA variable " + e.getKey());
            }
        }
        if (skipFirstStep && step <= 1) {
            return;
        }
        double keep1 = beta1;
        double keep2 = beta2;
        for (var e : params.entrySet()) {
            State s = states.get(e.getKey());
            float[] w = HostArrays.read(e.getValue(), s.w);
            float[] g = HostArrays.read(grads.get(e.getKey()), s.g);
            float[] iBar = s.iBar;
            float[] uBar = s.uBar;
            float[] inst = s.instant;
            for (int k = 0; k < w.length; k++) {
                float i = (float) metric.at(w[k], g[k]);                        // Eq. 7–9
                float ib = (float) (keep1 * iBar[k] + (1 - keep1) * i);         // Eq. 10
                float u = Math.abs(i - ib);                                     // |I − Ī| with the new Ī
                uBar[k] = (float) (keep2 * uBar[k] + (1 - keep2) * u);          // Eq. 11
                iBar[k] = ib;
                inst[k] = i;
            }
        }
        updates++;
    }

    /** Eq. 12: s = Ī·Ū per LoRA variable name (new arrays shaped like A and B), in the order first seen. */
    public Map<String, INDArray> scores() {
        Map<String, INDArray> out = new LinkedHashMap<>();
        states.forEach((k, s) -> {
            float[] v = new float[s.iBar.length];
            for (int i = 0; i < v.length; i++) {
                v[i] = s.iBar[i] * s.uBar[i];
            }
            out.put(k, HostArrays.create(v, s.shape));
        });
        return out;
    }

    /** Copies of Ī per variable. */
    public Map<String, INDArray> sensitivity() {
        Map<String, INDArray> out = new LinkedHashMap<>();
        states.forEach((k, s) -> out.put(k, s.array(s.iBar)));
        return out;
    }

    /** Copies of Ū per variable. */
    public Map<String, INDArray> uncertainty() {
        Map<String, INDArray> out = new LinkedHashMap<>();
        states.forEach((k, s) -> out.put(k, s.array(s.uBar)));
        return out;
    }

    /** Copies of the instantaneous importance I of the last update (zeros before the first). */
    public Map<String, INDArray> lastImportance() {
        Map<String, INDArray> out = new LinkedHashMap<>();
        states.forEach((k, s) -> out.put(k, s.array(s.instant)));
        return out;
    }

    /** Forgets everything: a fresh EMA, as every task starts with (spec §3.2). */
    public void reset() {
        states.clear();
        updates = 0;
    }

    /** Copies of the EMA state for a checkpoint: {@code Ibar.<variable>} and {@code Ubar.<variable>}. */
    public Map<String, INDArray> state() {
        Map<String, INDArray> out = new LinkedHashMap<>();
        states.forEach((k, s) -> {
            out.put("Ibar." + k, s.array(s.iBar));
            out.put("Ubar." + k, s.array(s.uBar));
        });
        return out;
    }

    /** Replaces the state with one from {@link #state()} (copied); {@code updates} is the count to resume at. */
    public void restore(Map<String, INDArray> state, int updates) {
        Map<String, State> restored = new LinkedHashMap<>();
        for (var e : state.entrySet()) {
            if (!e.getKey().startsWith("Ibar.")) {
                continue;
            }
            String name = e.getKey().substring("Ibar.".length());
            INDArray u = state.get("Ubar." + name);
            if (u == null || !Arrays.equals(u.shape(), e.getValue().shape())) {
                throw new IllegalArgumentException("importance state has Ibar." + name + " but no matching Ubar");
            }
            State s = State.zeros(e.getValue().shape(), (int) e.getValue().length());
            HostArrays.read(e.getValue(), s.iBar);
            HostArrays.read(u, s.uBar);
            restored.put(name, s);
        }
        if (restored.size() * 2 != state.size()) {
            throw new IllegalArgumentException("importance state has entries other than Ibar.* / Ubar.* pairs");
        }
        states.clear();
        states.putAll(restored);
        this.updates = updates;
    }

    /** Same as {@link #restore(Map, int)} with the update count unknown (0). */
    public void restore(Map<String, INDArray> state) {
        restore(state, 0);
    }
}
