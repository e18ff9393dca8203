package io.kif4j.continual.methods;

import io.kif4j.continual.ContinualMethod;
import io.kif4j.continual.RunConfig;
import io.kif4j.continual.TaskContext;
import io.kif4j.continual.TaskOutcome;
import io.kif4j.continual.TaskTimings;
import io.kif4j.continual.fusion.RecurrentFusion;
import io.kif4j.continual.importance.ImportanceMetric;
import io.kif4j.continual.importance.ImportanceTracker;
import io.kif4j.lora.LoraAdapter;
import io.kif4j.lora.train.AdamW;
import io.kif4j.lora.train.LoraTrainer;
import io.kif4j.lora.train.StepHook;
import io.kif4j.lora.train.TrainConfig;
import io.kif4j.transformer.ModelInputs;
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
 * θ ← θ_anchor + ω_in·Δ_in + ω_out·Δ_out. The inner EMA resets each round, the outer EMA is kept. Inner and outer
 * steps are the trainer's one step (accumulation, non-finite guard, clipping, hooks), and the inner loop is the
 * trainer's loop (schedule, validation and keep-best, progress); an outer step accumulates as many memory batches
 * as an inner step does task batches.
 *
 * <p>Code quirks reproduced by default (rkif_separate_outer_optimizer = false): the outer steps reuse the inner
 * AdamW at the current scheduled learning rate, do not advance the schedule, and outer_lr is unused. The switch
 * gives the paper's separate outer optimizer with its own learning rate.
 */
public final class RecurrentKif implements ContinualMethod {

    /** Recurrent-KIF's settings: the inner and outer loop lengths, the outer optimizer, the fusion quantile. */
    public record Settings(int innerSteps, int outerSteps, boolean separateOuterOptimizer, double outerLr,
                           double quantile) {
        public static Settings of(RunConfig c) {
            return new Settings(c.rkifInnerSteps, c.rkifOuterSteps, c.rkifSeparateOuterOptimizer, c.rkifOuterLr,
                    c.quantile);
        }
    }

    private final Settings settings;

    public RecurrentKif(RunConfig config) {
        this(Settings.of(config));
    }

    public RecurrentKif(Settings settings) {
        this.settings = settings;
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
        LoraTrainer trainer = ctx.trainer(adapter, tc);
        Rounds rounds = new Rounds(ctx, trainer, tc);
        // the rounds fuse inside the trainer loop, so their fusion time counts as training here
        var r = ctx.timings().time(TaskTimings.TRAIN, () -> trainer.train(ctx.train(), ctx.validation(), rounds.innerScores, rounds));
        return new TaskOutcome(adapter, r.stepLosses(), Map.of(), Map.of("rounds", rounds.count));
    }

    /**
     * The inner/outer schedule of one task ≥ 2 on top of the trainer's inner steps: after every Q-th inner step,
     * M outer steps on memory batches through the same {@link LoraTrainer#step}, then the fusion of the round.
     */
    private final class Rounds implements LoraTrainer.Interleave {
        final ImportanceTracker innerScores = tracker();
        final ImportanceTracker outerScores = tracker(); // kept across rounds (spec §6.2)
        final LoraTrainer trainer;
        final TrainConfig tc;
        final AdamW outer;
        final List<ModelInputs> memory = new ArrayList<>();
        final Random pick;
        Map<String, INDArray> anchor;
        int count;

        Rounds(TaskContext ctx, LoraTrainer trainer, TrainConfig tc) {
            this.trainer = trainer;
            this.tc = tc;
            this.outer = settings.separateOuterOptimizer() ? AdamW.of(tc) : trainer.optimizer();
            for (int e = 0; e < tc.epochs(); e++) {
                memory.addAll(ctx.memory().epoch(e));
            }
            this.pick = new Random(ctx.seed() * 31 + ctx.index());
            this.anchor = snapshot(trainer.params());
        }

        private static ImportanceTracker tracker() {
            return new ImportanceTracker(ImportanceMetric.FIRST_ORDER, 0.85, 0.85,
                    ImportanceTracker.LoopOrder.PEFT_LOOP_ORDER, false);
        }

        @Override
        public void afterStep(int step, double lr) {
            if (step % settings.innerSteps() != 0) {
                return;
            }
            Map<String, INDArray> params = trainer.params();
            Map<String, INDArray> thetaK = snapshot(params);
            double outerLr = settings.separateOuterOptimizer() ? settings.outerLr() : lr;
            int acc = tc.gradAccumulation();
            for (int m = 0; m < settings.outerSteps(); m++) {
                List<ModelInputs> phi = new ArrayList<>();
                for (int i = 0; i < acc; i++) {
                    phi.add(memory.get(pick.nextInt(memory.size())));
                }
                trainer.step(m + 1, phi, outerLr, outer, outerScores,
                        tc.seed() * 1_000_003L + 500_000L + ((long) step * 16 + m) * acc);
            }
            fuseRound(params, anchor, thetaK, innerScores.scores(), outerScores.scores(), settings.quantile());
            anchor = snapshot(params);
            innerScores.reset();
            count++;
        }
    }

    private static Map<String, INDArray> snapshot(Map<String, INDArray> params) {
        Map<String, INDArray> s = new LinkedHashMap<>();
        params.forEach((k, v) -> s.put(k, v.dup()));
        return s;
    }

    /**
     * One Recurrent-KIF fusion (spec §6.2), in place on {@code params} (which hold θ after the outer steps), by
     * {@link RecurrentFusion} (the class {@code ./kif fuse --rule recurrent} and the fixture tests use).
     */
    static void fuseRound(Map<String, INDArray> params, Map<String, INDArray> anchor, Map<String, INDArray> thetaK,
                          Map<String, INDArray> innerScores, Map<String, INDArray> outerScores, double quantile) {
        RecurrentFusion.Result r = RecurrentFusion.fuse(anchor, thetaK, params, innerScores, outerScores, quantile);
        r.fused().forEach((k, v) -> params.get(k).assign(v));
    }
}
