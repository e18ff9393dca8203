package io.kif4j.lora.train;

import io.kif4j.lora.AttachedAdapter;
import io.kif4j.lora.Lora;
import io.kif4j.lora.LoraAdapter;
import io.kif4j.lora.Orthogonality;
import io.kif4j.transformer.LanguageModel;
import io.kif4j.transformer.ModelInputs;
import io.kif4j.transformer.nn.Gradients;
import io.kif4j.transformer.nn.NativeMemory;
import io.kif4j.transformer.nn.Graph;
import io.kif4j.transformer.nn.Quiet;
import io.kif4j.transformer.nn.SeededRandomOps;
import io.kif4j.common.CrashPoints;
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
 * accumulation, step hooks, validation loss every N steps and optionally keep-best. Every continual method trains
 * through this class, and every optimizer step of kif4j is {@link #step}: a method with its own schedule
 * (Recurrent-KIF's outer steps) runs its extra steps through it from an {@link Interleave}.
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

    /**
     * Work a method does between optimizer steps, after the step hooks and before validation: Recurrent-KIF's
     * outer steps and fusion every Q inner steps.
     */
    @FunctionalInterface
    public interface Interleave {
        /**
         * @param step 1-based optimizer step just taken
         * @param lr   the learning rate that step used
         */
        void afterStep(int step, double lr);

        Interleave NONE = (s, lr) -> {
        };
    }

    /** What a training run leaves behind. */
    public record Result(List<Double> stepLosses, List<double[]> validation, double bestValidationLoss, int steps) {
    }

    private final LanguageModel model;
    private final LoraAdapter adapter;
    private final TrainConfig config;
    private final AdamW optimizer;
    private final List<LossTerm> lossTerms = new ArrayList<>();
    private final Map<String, INDArray> params = new LinkedHashMap<>();
    /** Trainable masks of the parameters with frozen entries (see {@link StepHook#markFrozen}). */
    private final Map<String, INDArray> trainable = new LinkedHashMap<>();
    private final List<TrainingListener> listeners = new ArrayList<>();
    /** The global gradient norm of the last step, before clipping (for the listeners). */
    private double lastGradNorm = Double.NaN;
    private boolean fullParameters;

    /** A trainer of the adapter {@code attached} for training ({@link Lora#use} with mode TRAIN). */
    public LoraTrainer(AttachedAdapter attached, TrainConfig config) {
        this(attached.model(), attached.adapter(), config);
        if (attached.mode() != AttachedAdapter.Mode.TRAIN) {
            throw new IllegalArgumentException("a trainer takes an adapter attached for training, not " + attached.mode());
        }
    }

    public LoraTrainer(LanguageModel model, LoraAdapter adapter, TrainConfig config) {
        this.model = model;
        this.adapter = adapter;
        this.config = config;
        this.optimizer = AdamW.of(config);
    }

    /** Adds a term to the training loss (EWC's penalty, O-LoRA's orthogonality, ...). */
    public LoraTrainer withLossTerm(LossTerm term) {
        lossTerms.add(term);
        return this;
    }

    /** Adds a listener told of every step (loss, learning rate, gradient norm) and epoch boundary. */
    public LoraTrainer withListener(TrainingListener listener) {
        listeners.add(listener);
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

    public TrainConfig config() {
        return config;
    }

    /** The adapter's arrays by variable name, updated in place by every step. */
    public Map<String, INDArray> params() {
        graph();
        return params;
    }

    /** The training graph: the adapter in training mode (dropout on) plus the orthogonality term when asked. */
    private SameDiff graph() {
        Lora.use(model, adapter, AttachedAdapter.Mode.TRAIN);
        SameDiff sd = model.trainingGraph();
        boolean extending = (config.orthCoefficient() > 0 && !sd.hasVariable(Orthogonality.TOTAL_LOSS))
                || (!lossTerms.isEmpty() && !sd.hasVariable(LossTerm.TOTAL));
        if (extending && sd.getFunction("grad") != null) { // a gradient function made before would miss the new terms
            model.rebuildGraphs();
            sd = model.trainingGraph();
        }
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
        if (params.isEmpty()) { // a fresh adapter makes its arrays when the graph is first built
            for (String v : adapter.variableNames()) {
                params.put(v, adapter.array(v));
            }
        }
        return sd;
    }

    private static SeededRandomOps dropoutSeeds(SameDiff sd) {
        if (sd.getListeners() != null) {
            for (var l : sd.getListeners()) {
                if (l instanceof SeededRandomOps s) {
                    return s;
                }
            }
        }
        SeededRandomOps s = new SeededRandomOps();
        sd.addListeners(s);
        return s;
    }

    /** Optimizer steps of a run over {@code batchesPerEpoch} micro-batches per epoch. */
    public int totalSteps(int batchesPerEpoch) {
        return stepsPerEpoch(batchesPerEpoch) * config.epochs();
    }

    private int stepsPerEpoch(int batchesPerEpoch) {
        return (batchesPerEpoch + config.gradAccumulation() - 1) / config.gradAccumulation();
    }

    public Result train(Batches train, List<ModelInputs> validation, StepHook hook) {
        return train(train, validation, hook, Interleave.NONE);
    }

    /** Trains for the configured epochs; {@code interleave} runs after each step's hooks, before validation. */
    public Result train(Batches train, List<ModelInputs> validation, StepHook hook, Interleave interleave) {
        List<ModelInputs> first = train.epoch(0);
        int stepsPerEpoch = stepsPerEpoch(first.size());
        int total = stepsPerEpoch * config.epochs();
        Nd4j.getRandom().setSeed(config.seed());
        // A clean training graph in train mode: graph() extends its loss with this trainer's own terms.
        Lora.use(model, adapter, AttachedAdapter.Mode.TRAIN).rebuilt();
        if (fullParameters) {
            model.setTrainableWeights(Graph.ALL);
        }
        SameDiff sd = graph();
        Map<String, INDArray> baseWeights = fullParameters ? baseWeightsOf(sd) : Map.of();
        params.putAll(baseWeights);
        markFrozen(hook);
        Map<String, INDArray> bestBase = null;
        List<Double> losses = new ArrayList<>();
        List<double[]> val = new ArrayList<>();
        double best = Double.POSITIVE_INFINITY;
        LoraAdapter bestAdapter = null;
        int step = 0;
        try (Progress bar = Progress.of("train", total)) {
            long examples = 0;
            for (int epoch = 0; epoch < config.epochs(); epoch++) {
                List<ModelInputs> batches = epoch == 0 ? first : train.epoch(epoch);
                for (TrainingListener l : listeners) {
                    l.onEpochStart(epoch);
                }
                int epochFirstStep = step;
                for (int start = 0; start < batches.size(); start += config.gradAccumulation()) {
                    List<ModelInputs> micro = batches.subList(start, Math.min(batches.size(), start + config.gradAccumulation()));
                    double lr = config.lrAt(step, total);
                    double stepLoss = step(step + 1, micro, lr, optimizer, hook,
                            config.seed() * 1_000_003L + (long) step * 1009);
                    step++;
                    losses.add(stepLoss);
                    int stepExamples = 0;
                    for (ModelInputs b : micro) {
                        stepExamples += b.inputIds().length;
                    }
                    examples += stepExamples;
                    for (TrainingListener l : listeners) {
                        l.iterationDone(new TrainingListener.Iteration(step, total, epoch, stepLoss, lr, lastGradNorm, stepExamples));
                    }
                    interleave.afterStep(step, lr);
                    bar.update(step, stepLoss, examples);
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
                double epochMean = losses.subList(epochFirstStep, step).stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
                for (TrainingListener l : listeners) {
                    l.onEpochEnd(epoch, epochMean);
                }
            }
        }
        if (config.keepBest() && bestAdapter != null) {
            for (String v : adapter.variableNames()) {
                adapter.array(v).assign(bestAdapter.array(v));
            }
            bestBase.forEach((name, w) -> baseWeights.get(name).assign(w));
        }
        if (fullParameters) {
            model.setTrainableWeights(Graph.FROZEN); // evaluation graphs take the frozen-op shortcuts again
        }
        Lora.use(model, adapter, AttachedAdapter.Mode.EVAL);
        return new Result(losses, val, best, step);
    }

    /** Asks the hook which entries it freezes; keeps a mask only for parameters with frozen entries. */
    private void markFrozen(StepHook hook) {
        Map<String, INDArray> masks = new LinkedHashMap<>();
        params.forEach((k, p) -> masks.put(k, Nd4j.onesLike(p)));
        hook.markFrozen(masks);
        trainable.clear();
        masks.forEach((k, m) -> {
            if (m.minNumber().doubleValue() < 1) {
                trainable.put(k, m);
            }
        });
    }

    /**
     * The one optimizer step: the mean gradient over {@code micro} (one or more accumulated micro-batches), the
     * non-finite guard, frozen entries zeroed, global-norm clipping (torch.nn.utils.clip_grad_norm_), the step
     * hooks, {@code opt} at {@code lr}. Micro-batch i's dropout is drawn from {@code dropoutSeed} + i.
     *
     * @param step 1-based step number handed to the hooks
     * @return the step's training loss (mean over its micro-batches)
     * @throws NonFiniteLossException when the loss or the gradient norm is not finite; the adapter is unchanged
     */
    public double step(int step, List<ModelInputs> micro, double lr, AdamW opt, StepHook hook, long dropoutSeed) {
        SameDiff sd = graph();
        SeededRandomOps seeds = dropoutSeeds(sd);
        String lossName = sd.getLossVariables().get(0);
        List<String> vars = new ArrayList<>(params.keySet());
        Map<String, INDArray> grads = new LinkedHashMap<>();
        double loss = 0;
        int n = micro.size();
        for (int i = 0; i < n; i++) {
            seeds.setSeed(dropoutSeed + i);
            Map<String, INDArray> ph = model.placeholders(micro.get(i));
            Gradients.Result r = Quiet.call(() -> Gradients.compute(sd, ph, List.of(lossName), vars));
            double l = r.outputs().get(lossName).getDouble(0);
            if (!Double.isFinite(l)) {
                throw new NonFiniteLossException("the training loss became " + l + " at step " + step
                        + "; the adapter keeps its last good state");
            }
            loss += l / n;
            for (String v : vars) {
                INDArray g = r.gradients().get(v).div(n); // a copy: the hooks and clipping edit it
                grads.merge(v, g, INDArray::addi);
            }
        }
        hook.onGradients(step, grads);
        trainable.forEach((k, m) -> grads.get(k).muli(m));
        lastGradNorm = clip(grads, step);
        hook.beforeStep(step, params, grads);
        opt.apply(params, grads, lr, trainable);
        CrashPoints.pass("train-step");
        hook.afterStep(step, params, grads, loss);
        NativeMemory.afterStep();
        return loss;

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
        AttachedAdapter.Mode was = adapter.training() ? AttachedAdapter.Mode.TRAIN : AttachedAdapter.Mode.EVAL;
        Lora.use(model, adapter, AttachedAdapter.Mode.EVAL);
        double sum = 0;
        for (ModelInputs b : batches) {
            sum += model.score(b).loss();
        }
        Lora.use(model, adapter, was);
        return sum / batches.size();
    }

    /** Clips to the configured global norm in place; returns the norm before clipping. */
    private double clip(Map<String, INDArray> grads, int step) {
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
            return norm;
        }
        double coef = config.maxGradNorm() / (norm + 1e-6); // torch.nn.utils.clip_grad_norm_
        if (coef < 1) {
            for (INDArray g : grads.values()) {
                g.muli(coef);
            }
        }
        return norm;
    }

    /** The loss went NaN or infinite; the task stops with the adapter as it was after the last good step. */
    public static final class NonFiniteLossException extends RuntimeException {
        public NonFiniteLossException(String message) {
            super(message);
        }
    }
}
