package io.kif4j.continual.methods;

import io.kif4j.continual.ContinualMethod;
import io.kif4j.continual.RunConfig;
import io.kif4j.continual.TaskContext;
import io.kif4j.continual.TaskOutcome;
import io.kif4j.continual.fusion.Quantiles;
import io.kif4j.continual.importance.ImportanceMetric;
import io.kif4j.continual.importance.ImportanceTracker;
import io.kif4j.lora.Lora;
import io.kif4j.lora.LoraAdapter;
import io.kif4j.lora.train.AdamW;
import io.kif4j.lora.train.Progress;
import io.kif4j.lora.train.StepHook;
import io.kif4j.lora.train.TrainConfig;
import io.kif4j.transformer.ModelInputs;
import io.kif4j.weights.CrashPoints;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Recurrent-KIF (spec §6, as the authors' code does it). Task 1 is plain LoRA training. Within each later task,
 * every Q = 8 inner steps on the task are followed by M = 4 outer steps on memory batches and an importance-guided
 * fusion of the two parameter deltas, element by element: with masks m = 1[s > Q_0.8(s)] over all LoRA scalars,
 * (ω_in, ω_out) = (0.4, 0.6) when both are important, (1, 0) or (0, 1) when one is, (0.5, 0.5) when neither;
 * θ ← θ_anchor + ω_in·Δ_in + ω_out·Δ_out. The inner EMA resets each round, the outer EMA is kept.
 *
 * <p>Code quirks reproduced by default (rkif_separate_outer_optimizer = false): the outer steps reuse the inner
 * AdamW at the current scheduled learning rate, do not advance the schedule, and outer_lr is unused. The switch
 * gives the paper's separate outer optimizer with its own learning rate.
 */
public final class RecurrentKif implements ContinualMethod {

    private final RunConfig config;

    public RecurrentKif(RunConfig config) {
        this.config = config;
    }

    @Override
    public String name() {
        return "recurrent-kif";
    }

    @Override
    public boolean usesReplay() {
        return true;
    }

    @Override
    public TaskOutcome learn(TaskContext ctx) {
        LoraAdapter adapter = ctx.start();
        if (ctx.memory() == null) {
            var r = ctx.trainOn(adapter, ctx.trainConfig(), StepHook.NONE);
            return TaskOutcome.of(adapter, r.stepLosses());
        }
        TrainConfig tc = ctx.trainConfig();
        adapter.setTraining(true);
        Lora.attach(ctx.model(), adapter);
        Map<String, INDArray> params = new LinkedHashMap<>();
        for (String v : adapter.variableNames()) {
            params.put(v, adapter.array(v));
        }
        AdamW inner = new AdamW(tc.beta1(), tc.beta2(), tc.epsilon(), tc.weightDecay());
        AdamW outer = config.rkifSeparateOuterOptimizer ? new AdamW(tc.beta1(), tc.beta2(), tc.epsilon(), tc.weightDecay()) : inner;
        ImportanceTracker innerScores = new ImportanceTracker(ImportanceMetric.FIRST_ORDER, 0.85, 0.85,
                ImportanceTracker.LoopOrder.PEFT_LOOP_ORDER, false);
        ImportanceTracker outerScores = new ImportanceTracker(ImportanceMetric.FIRST_ORDER, 0.85, 0.85,
                ImportanceTracker.LoopOrder.PEFT_LOOP_ORDER, false);
        List<ModelInputs> memory = new ArrayList<>();
        for (int e = 0; e < tc.epochs(); e++) {
            memory.addAll(ctx.memory().epoch(e));
        }
        Random pick = new Random(ctx.seed() * 31 + ctx.index());
        int perEpoch = ctx.train().epoch(0).size();
        int total = perEpoch * tc.epochs();
        int q = config.rkifInnerSteps;
        List<Double> losses = new ArrayList<>();
        Map<String, INDArray> anchor = snapshot(params);
        int rounds = 0;
        int step = 0;
        Nd4j.getRandom().setSeed(tc.seed());
        Progress bar = Progress.of("train", total);
        long examples = 0;
        for (int epoch = 0; epoch < tc.epochs(); epoch++) {
            for (ModelInputs batch : ctx.train().epoch(epoch)) {
                double lr = tc.lrAt(step, total);
                step++;
                losses.add(step(ctx, adapter, batch, params, inner, lr, tc.maxGradNorm(), innerScores, step,
                        tc.seed() * 1_000_003L + step));
                examples += batch.batchSize();
                bar.update(step, losses.get(losses.size() - 1), examples);
                if (step % q != 0) {
                    continue;
                }
                Map<String, INDArray> thetaK = snapshot(params);
                for (int m = 0; m < config.rkifOuterSteps; m++) {
                    ModelInputs phi = memory.get(pick.nextInt(memory.size()));
                    double outerLr = config.rkifSeparateOuterOptimizer ? config.rkifOuterLr : lr;
                    step(ctx, adapter, phi, params, outer, outerLr, tc.maxGradNorm(), outerScores, m + 1,
                            tc.seed() * 1_000_003L + 500_000L + (long) step * 16 + m);
                }
                fuseRound(params, anchor, thetaK, innerScores.scores(), outerScores.scores(), config.quantile);
                anchor = snapshot(params);
                innerScores.reset();
                rounds++;
            }
        }
        bar.close();
        adapter.setTraining(false);
        Lora.attach(ctx.model(), adapter);
        return new TaskOutcome(adapter, losses, Map.of(), Map.of("rounds", rounds));
    }

    /** One optimizer step on one batch: gradient, global-norm clipping, AdamW, importance update. */
    private static double step(TaskContext ctx, LoraAdapter adapter, ModelInputs batch, Map<String, INDArray> params,
                               AdamW optimizer, double lr, double maxNorm, ImportanceTracker scores, int step,
                               long seed) {
        Lora.LossAndGradients lg = Lora.lossAndGradients(ctx.model(), adapter, batch, seed);
        Map<String, INDArray> grads = lg.gradients();
        double sq = 0;
        for (INDArray g : grads.values()) {
            double n = g.norm2Number().doubleValue();
            sq += n * n;
        }
        double coef = maxNorm / (Math.sqrt(sq) + 1e-6);
        if (maxNorm > 0 && coef < 1) {
            grads.values().forEach(g -> g.muli(coef));
        }
        optimizer.apply(params, grads, lr);
        scores.afterStep(step, params, grads, lg.loss());
        CrashPoints.pass("train-step");
        return lg.loss();
    }

    private static Map<String, INDArray> snapshot(Map<String, INDArray> params) {
        Map<String, INDArray> s = new LinkedHashMap<>();
        params.forEach((k, v) -> s.put(k, v.dup()));
        return s;
    }

    /**
     * One Recurrent-KIF fusion (spec §6.2), in place on {@code params} (which hold θ after the outer steps):
     * Δ_in = θ_k − θ_anchor, Δ_out = θ − θ_k, global quantile thresholds over all scores of each kind, and
     * θ ← θ_anchor + ω_in·Δ_in + ω_out·Δ_out.
     */
    static void fuseRound(Map<String, INDArray> params, Map<String, INDArray> anchor, Map<String, INDArray> thetaK,
                          Map<String, INDArray> innerScores, Map<String, INDArray> outerScores, double quantile) {
        double qIn = Quantiles.quantile(innerScores.values(), quantile);
        double qOut = Quantiles.quantile(outerScores.values(), quantile);
        for (var e : params.entrySet()) {
            String k = e.getKey();
            INDArray theta = e.getValue();
            INDArray dIn = thetaK.get(k).sub(anchor.get(k));
            INDArray dOut = theta.sub(thetaK.get(k));
            INDArray mIn = innerScores.get(k).gt(qIn).castTo(DataType.FLOAT);
            INDArray mOut = outerScores.get(k).gt(qOut).castTo(DataType.FLOAT);
            INDArray both = mIn.mul(mOut);
            INDArray inOnly = mIn.sub(both);
            INDArray outOnly = mOut.sub(both);
            INDArray neither = Nd4j.onesLike(mIn).subi(mIn).subi(outOnly);
            INDArray wIn = both.mul(0.4).addi(inOnly).addi(neither.mul(0.5));
            INDArray wOut = both.mul(0.6).addi(outOnly).addi(neither.mul(0.5));
            theta.assign(anchor.get(k).add(wIn.muli(dIn)).addi(wOut.muli(dOut)));
        }
    }
}
