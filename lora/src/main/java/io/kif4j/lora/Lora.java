package io.kif4j.lora;

import io.kif4j.transformer.LanguageModel;
import io.kif4j.transformer.ModelInputs;
import io.kif4j.transformer.nn.Gradients;
import io.kif4j.transformer.nn.Quiet;
import io.kif4j.transformer.nn.SeededRandomOps;
import io.kif4j.transformer.nn.WeightTable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Attaching LoRA to a model, its gradients, and merging it into the base weights. */
public final class Lora {

    private Lora() {
    }

    /**
     * Attaches {@code adapter} to {@code model} in {@code mode}: the one call that decides which adapter a model runs
     * with and whether with dropout. The model's cached graphs are kept when the adapter's layout (modules, ranks,
     * targets, scaling, dropout in this mode) is the graphs', and dropped otherwise; they are built when next needed.
     */
    public static AttachedAdapter use(LanguageModel model, LoraAdapter adapter, AttachedAdapter.Mode mode) {
        boolean training = mode == AttachedAdapter.Mode.TRAIN;
        if (model.adapter() != adapter || adapter.training() != training) {
            adapter.setTraining(training);
            model.setAdapter(adapter);
        }
        return new AttachedAdapter(model, adapter, mode);
    }

    /**
     * Attaches {@code adapter} in the mode it is in, builds the model's graph with it at once and checks that a
     * loaded adapter fits the model exactly (a loaded adapter, a user's own training loop).
     */
    public static void attach(LanguageModel model, LoraAdapter adapter) {
        model.setAdapter(adapter);
        model.trainingGraph();
        adapter.checkAllUsed();
    }

    /**
     * Loss and gradient of every LoRA matrix (by SameDiff variable name) on one batch, and of every base weight
     * that trains (by HF name; see {@link LanguageModel#setTrainableWeights}).
     */
    public record LossAndGradients(double loss, Map<String, INDArray> gradients) {
    }

    /** One forward and backward pass; the model must have {@code adapter} attached. */
    public static LossAndGradients lossAndGradients(LanguageModel model, LoraAdapter adapter, ModelInputs batch) {
        return lossAndGradients(model, adapter, batch, 0);
    }

    /** As above, with LoRA dropout (in training mode) drawn reproducibly from {@code dropoutSeed}. */
    public static LossAndGradients lossAndGradients(LanguageModel model, LoraAdapter adapter, ModelInputs batch,
                                                    long dropoutSeed) {
        SameDiff sd = model.trainingGraph();
        SeededRandomOps seeds = sd.getListeners() == null ? null : sd.getListeners().stream()
                .filter(SeededRandomOps.class::isInstance).map(SeededRandomOps.class::cast).findFirst().orElse(null);
        if (seeds == null) {
            seeds = new SeededRandomOps();
            sd.addListeners(seeds);
        }
        seeds.setSeed(dropoutSeed);
        Map<String, INDArray> ph = model.placeholders(batch);
        List<String> vars = new java.util.ArrayList<>(adapter.variableNames());
        for (String w : model.weights().taken().keySet()) {
            if (sd.hasVariable(w) && io.kif4j.transformer.nn.Graph.trains(sd.getVariable(w))) {
                vars.add(w);
            }
        }
        String loss = sd.getLossVariables().get(0);
        Gradients.Result r = Quiet.call(() -> Gradients.compute(sd, ph, List.of(loss), vars));
        Map<String, INDArray> grads = new LinkedHashMap<>();
        for (String v : vars) {
            grads.put(v, r.gradients().get(v));
        }
        io.kif4j.transformer.nn.NativeMemory.afterStep();
        return new LossAndGradients(r.outputs().get(loss).getDouble(0), grads);
    }

    /** Base weights with scaling·B·A added to every adapted layer: HF name → merged copy. */
    public static Map<String, INDArray> mergedWeights(WeightTable base, LoraAdapter adapter) {
        Map<String, INDArray> merged = new LinkedHashMap<>();
        for (var e : base.taken().entrySet()) {
            merged.put(e.getKey(), e.getValue());
        }
        for (LoraModule m : adapter.modules()) {
            String w = m.path() + ".weight";
            INDArray baseW = base.taken().get(w);
            if (baseW == null) {
                throw new IllegalStateException("no base weight " + w + " for LoRA module " + m.path());
            }
            merged.put(w, baseW.add(m.delta(adapter.scaling())));
        }
        return merged;
    }

    /** Adds (sign +1) or removes (−1) the adapter's update in the base weight arrays, in place. */
    public static void mergeInPlace(WeightTable base, LoraAdapter adapter, int sign) {
        for (LoraModule m : adapter.modules()) {
            base.taken().get(m.path() + ".weight").addi(m.delta(adapter.scaling() * sign));
        }
    }
}
