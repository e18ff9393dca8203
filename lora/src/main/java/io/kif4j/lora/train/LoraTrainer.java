package io.kif4j.lora.train;

import io.kif4j.lora.Lora;
import io.kif4j.lora.LoraAdapter;
import io.kif4j.lora.Orthogonality;
import io.kif4j.transformer.LanguageModel;
import io.kif4j.transformer.ModelInputs;
import io.kif4j.transformer.nn.Gradients;
import io.kif4j.transformer.nn.Graph;
import io.kif4j.transformer.nn.Quiet;
import io.kif4j.transformer.nn.SeededRandomOps;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Fine-tunes a LoRA adapter on one task: AdamW, HF's linear warm-up/decay, global-norm clipping, gradient
 * accumulation, a post-step hook with the step's gradients, validation loss every N steps and optionally
 * keep-best. Every continual method trains its tasks through this class.
 *
 * <p>With {@link #withFullParameters()} every base weight trains too (full-parameter fine-tuning): each is a
 * variable of the training graph with its own gradient and AdamW state, under its HF name, and the step updates the
 * model's weight arrays in place. An adapter without modules makes that plain full fine-tuning.
 */
public final class LoraTrainer {

    private static final Logger LOG = LoggerFactory.getLogger(LoraTrainer.class);

    /** Supplies the batches of one epoch (the caller shuffles them, deterministically from its seed). */
    @FunctionalInterface
    public interface Batches {
        List<ModelInputs> epoch(int epoch);
    }

    /** What a training run leaves behind. */
    public record Result(List<Double> stepLosses, List<double[]> validation, double bestValidationLoss, int steps) {
    }

    private final LanguageModel model;
    private final LoraAdapter adapter;
    private final TrainConfig config;
    private final AdamW optimizer;
    private final List<LossTerm> lossTerms = new ArrayList<>();
    private boolean fullParameters;

    public LoraTrainer(LanguageModel model, LoraAdapter adapter, TrainConfig config) {
        this.model = model;
        this.adapter = adapter;
        this.config = config;
        this.optimizer = new AdamW(config.beta1(), config.beta2(), config.epsilon(), config.weightDecay());
    }

    /** Adds a term to the training loss (EWC's penalty, O-LoRA's orthogonality, ...). */
    public LoraTrainer withLossTerm(LossTerm term) {
        lossTerms.add(term);
        return this;
    }

    /** Trains every base weight of the model as well as the adapter (full-parameter fine-tuning). */
    public LoraTrainer withFullParameters() {
        fullParameters = true;
        return this;
    }

    public AdamW optimizer() {
        return optimizer;
    }

    /** The training graph: the adapter in training mode (dropout on) plus the orthogonality term when asked. */
    private SameDiff graph() {
        adapter.setTraining(true);
        if (model.adapter() != adapter) {
            Lora.attach(model, adapter);
        }
        SameDiff sd = model.trainingGraph();
        if (config.orthCoefficient() > 0) {
            Orthogonality.addToLoss(sd, adapter, config.orthCoefficient());
        }
        if (!lossTerms.isEmpty() && !sd.hasVariable(LossTerm.TOTAL)) {
            SDVariable total = sd.getVariable(sd.getLossVariables().get(0));
            for (LossTerm t : lossTerms) {
                total = total.add(t.build(sd, adapter));
            }
            sd.setLossVariables(sd.identity(LossTerm.TOTAL, total));
        }
        return sd;
    }

    public Result train(Batches train, List<ModelInputs> validation, StepHook hook) {
        int perEpoch = train.epoch(0).size();
        int stepsPerEpoch = (perEpoch + config.gradAccumulation() - 1) / config.gradAccumulation();
        int total = stepsPerEpoch * config.epochs();
        Nd4j.getRandom().setSeed(config.seed());
        // SameDiff builds a graph once per adapter state: model.setAdapter resets it, so train mode is set first.
        adapter.setTraining(true);
        model.setAdapter(adapter);
        if (fullParameters) {
            model.setTrainableWeights(Graph.ALL);
        }
        SameDiff sd = graph();
        SeededRandomOps dropoutSeeds = new SeededRandomOps();
        sd.addListeners(dropoutSeeds);
        String lossName = sd.getLossVariables().get(0);
        Map<String, INDArray> params = new LinkedHashMap<>();
        for (String v : adapter.variableNames()) {
            params.put(v, adapter.array(v));
        }
        Map<String, INDArray> baseWeights = fullParameters ? baseWeightsOf(sd) : Map.of();
        params.putAll(baseWeights);
        List<String> vars = List.copyOf(params.keySet());
        Map<String, INDArray> bestBase = null;
        List<Double> losses = new ArrayList<>();
        List<double[]> val = new ArrayList<>();
        double best = Double.POSITIVE_INFINITY;
        LoraAdapter bestAdapter = null;
        int step = 0;
        try (Progress bar = Progress.of("train", total)) {
            long tokens = 0;
            for (int epoch = 0; epoch < config.epochs(); epoch++) {
                List<ModelInputs> batches = epoch == 0 ? train.epoch(0) : train.epoch(epoch);
                for (int start = 0; start < batches.size(); start += config.gradAccumulation()) {
                    int end = Math.min(batches.size(), start + config.gradAccumulation());
                    Map<String, INDArray> grads = new LinkedHashMap<>();
                    double stepLoss = 0;
                    for (int i = start; i < end; i++) {
                        dropoutSeeds.setSeed(config.seed() * 1_000_003L + (long) step * 1009 + i - start);
                        ModelInputs b = batches.get(i);
                        Map<String, INDArray> ph = model.placeholders(b);
                        Gradients.Result r = Quiet.call(() -> Gradients.compute(sd, ph, List.of(lossName), vars));
                        double l = r.outputs().get(lossName).getDouble(0);
                        if (!Double.isFinite(l)) {
                            throw new NonFiniteLossException("the training loss became " + l + " at step " + (step + 1)
                                    + "; the adapter keeps its last good state");
                        }
                        stepLoss += l / (end - start);
                        for (String v : vars) {
                            INDArray g = r.gradients().get(v).div(end - start);
                            grads.merge(v, g, INDArray::addi);
                        }
                        tokens += countTokens(b);
                    }
                    hook.onGradients(step + 1, grads);
                    clip(grads, step + 1);
                    double lr = config.lrAt(step, total);
                    hook.beforeStep(step + 1, params, grads);
                    optimizer.apply(params, grads, lr);
                    step++;
                    io.kif4j.weights.CrashPoints.pass("train-step");
                    losses.add(stepLoss);
                    hook.afterStep(step, params, grads, stepLoss);
                    io.kif4j.transformer.nn.NativeMemory.afterStep();
                    bar.update(step, stepLoss, tokens);
                    boolean evalNow = !validation.isEmpty() && ((config.evalEvery() > 0 && step % config.evalEvery() == 0)
                            || (config.evalEvery() == 0 && step % stepsPerEpoch == 0));
                    if (evalNow) {
                        double v = validationLoss(validation);
                        val.add(new double[]{step, v});
                        LOG.info("step {} validation loss {}", step, v);
                        if (v < best) {
                            best = v;
                            if (config.keepBest()) {
                                bestAdapter = adapter.copy();
                                bestBase = copies(baseWeights);
                            }
                        }
                    }
                }
            }
        }
        if (config.keepBest() && bestAdapter != null) {
            for (String v : adapter.variableNames()) {
                adapter.array(v).assign(bestAdapter.array(v));
            }
            bestBase.forEach((name, w) -> baseWeights.get(name).assign(w));
        }
        adapter.setTraining(false);
        if (fullParameters) {
            model.setTrainableWeights(Graph.FROZEN); // evaluation graphs take the frozen-op shortcuts again
        }
        model.setAdapter(adapter);
        return new Result(losses, val, best, step);
    }

    /**
     * The training graph's trainable base weights by HF name. They must be the model's own arrays, or a step
     * would train a copy: checked, since SameDiff's variable holders decide that.
     */
    private Map<String, INDArray> baseWeightsOf(SameDiff sd) {
        Map<String, INDArray> base = new LinkedHashMap<>();
        for (var e : model.weights().taken().entrySet()) {
            if (!sd.hasVariable(e.getKey()) || !Graph.trains(sd.getVariable(e.getKey()))) {
                continue; // a weight the graph does not use (e.g. a tied lm_head alias)
            }
            INDArray inGraph = sd.getVariable(e.getKey()).getArr();
            if (inGraph != e.getValue()) {
                throw new IllegalStateException("the training graph holds a copy of " + e.getKey());
            }
            base.put(e.getKey(), e.getValue());
        }
        return base;
    }

    private static Map<String, INDArray> copies(Map<String, INDArray> arrays) {
        Map<String, INDArray> c = new LinkedHashMap<>();
        arrays.forEach((k, v) -> c.put(k, v.dup()));
        return c;
    }

    /** Mean task loss over batches, in eval mode (no dropout), with the training graph's parameters. */
    public double validationLoss(List<ModelInputs> batches) {
        boolean wasTraining = adapter.training();
        adapter.setTraining(false);
        model.setAdapter(adapter);
        double sum = 0;
        for (ModelInputs b : batches) {
            sum += model.score(b).loss();
        }
        adapter.setTraining(wasTraining);
        model.setAdapter(adapter);
        if (wasTraining) {
            graph();
        }
        return sum / batches.size();
    }

    private void clip(Map<String, INDArray> grads, int step) {
        double sq = 0;
        for (INDArray g : grads.values()) {
            double n = g.norm2Number().doubleValue();
            sq += n * n;
        }
        double norm = Math.sqrt(sq);
        if (!Double.isFinite(norm)) {
            throw new NonFiniteLossException("the gradient norm became " + norm + " at step " + step
                    + "; the adapter keeps its last good state");
        }
        if (config.maxGradNorm() <= 0) {
            return;
        }
        double coef = config.maxGradNorm() / (norm + 1e-6); // torch.nn.utils.clip_grad_norm_
        if (coef < 1) {
            for (INDArray g : grads.values()) {
                g.muli(coef);
            }
        }
    }

    private static long countTokens(ModelInputs b) {
        long n = 0;
        for (int[] row : b.attentionMask()) {
            for (int x : row) {
                n += x;
            }
        }
        if (b.decoderInputIds() != null) {
            n += (long) b.decoderInputIds().length * b.decoderInputIds()[0].length;
        }
        return n;
    }

    /** The loss went NaN or infinite; the task stops with the adapter as it was after the last good step. */
    public static final class NonFiniteLossException extends RuntimeException {
        public NonFiniteLossException(String message) {
            super(message);
        }
    }
}
