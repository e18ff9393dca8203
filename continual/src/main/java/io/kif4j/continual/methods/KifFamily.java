package io.kif4j.continual.methods;

import com.fasterxml.jackson.core.type.TypeReference;
import io.kif4j.continual.ContinualMethod;
import io.kif4j.continual.RunConfig;
import io.kif4j.continual.TaskContext;
import io.kif4j.continual.TaskOutcome;
import io.kif4j.continual.fusion.AdaptiveSoftMaskFusion;
import io.kif4j.continual.fusion.FusionResult;
import io.kif4j.continual.fusion.FusionRule;
import io.kif4j.continual.fusion.FusionSpace;
import io.kif4j.continual.fusion.StaticHardMaskFusion;
import io.kif4j.continual.importance.Aggregation;
import io.kif4j.continual.importance.ImportanceMetric;
import io.kif4j.continual.importance.ImportanceTracker;
import io.kif4j.continual.importance.UnitScores;
import io.kif4j.lora.LoraAdapter;
import io.kif4j.lora.SkillUnit;
import io.kif4j.lora.train.LoraTrainer;
import io.kif4j.lora.train.TrainConfig;
import io.kif4j.common.AtomicFiles;
import io.kif4j.common.Json;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * KIF and KIFLoRA (spec §5.2, variant matrix §5.4): train the task from θ̃_{t−1} while tracking importance,
 * score the skill units, fuse with θ̃_{t−1} by the cumulative and current scores, and carry the cumulative scores
 * (Eq. 13) to the next task. The two differ in their units, metric, aggregation, fusion rule and the
 * orthogonality term; the memory variants (KIF-M, KIFLoRA-M) add a replay stage.
 */
public abstract class KifFamily implements ContinualMethod {

    static final String CUMULATIVE_FILE = "cumulative_scores.json";

    /**
     * The KIF family's settings.
     *
     * @param importance      first, fisher or second; null: the variant's own (KIF first, KIFLoRA fisher)
     * @param orthCoefficient null: 0.1 for KIFLoRA variants, 0 otherwise
     * @param kifmFreeze      "top" (the paper) or "new-specific": the units KIF-M's replay stage freezes
     * @param replayEpochs    passes of KIF-M's replay stage over the memory
     */
    public record Settings(double tau, double gamma, double quantile, double cumulativeBeta, String fusionSpace,
                           String importance, Double orthCoefficient, String kifmFreeze, int replayEpochs) {
        public static Settings of(RunConfig c) {
            return new Settings(c.tau, c.gamma, c.quantile, c.cumulativeBeta, c.fusionSpace, c.importance,
                    c.orthCoefficient, c.kifmFreeze, c.replayEpochs);
        }
    }

    protected final Settings settings;
    private Map<String, Double> cumulative; // I(U≤t−1), raw after the first task and normalised after later ones

    protected KifFamily(Settings settings) {
        this.settings = settings;
    }

    protected abstract boolean rankOneUnits();

    protected abstract ImportanceMetric defaultMetric();

    protected abstract FusionRule fusionRule();

    protected abstract double defaultOrthCoefficient();

    protected Aggregation aggregation() {
        return rankOneUnits() ? Aggregation.PRODUCT_OF_MEANS : Aggregation.MEAN;
    }

    protected List<SkillUnit> units(LoraAdapter adapter) {
        return rankOneUnits() ? SkillUnit.rankOne(adapter) : SkillUnit.matrixLevel(adapter);
    }

    protected ImportanceMetric metric() {
        return settings.importance() != null ? ImportanceMetric.byName(settings.importance()) : defaultMetric();
    }

    protected double orthCoefficient() {
        return settings.orthCoefficient() != null ? settings.orthCoefficient() : defaultOrthCoefficient();
    }

    @Override
    public TaskOutcome learn(TaskContext ctx) {
        LoraAdapter current = ctx.start();
        ImportanceTracker tracker = ImportanceTracker.kif(metric());
        TrainConfig tc = ctx.trainConfig().withOrthogonality(orthCoefficient());
        LoraTrainer.Result r = ctx.trainOn(current, tc, tracker);
        List<SkillUnit> units = units(current);
        Map<String, Double> raw = UnitScores.aggregate(units, tracker.scores(), aggregation());
        Map<String, Double> normalized = UnitScores.normalize(raw);
        LoraAdapter fused;
        Map<String, Object> notes = new LinkedHashMap<>();
        Map<String, Double> previousNormalized = cumulative == null ? null : UnitScores.normalize(cumulative);
        if (ctx.previous() == null || cumulative == null) {
            fused = current;
        } else {
            FusionResult f = fusionRule().fuse(ctx.previous(), current, units, previousNormalized, normalized);
            fused = f.fused();
            notes.put("fusion", fusionRule().name());
            notes.put("fusion_cases", f.caseCounts());
            if (!Double.isNaN(f.truncationError())) {
                notes.put("truncation_error", f.truncationError());
            }
        }
        cumulative = UnitScores.cumulative(cumulative, raw, settings.cumulativeBeta());
        Map<String, Double> cumNorm = UnitScores.normalize(cumulative);
        Map<String, double[]> table = new LinkedHashMap<>();
        for (String u : raw.keySet()) {
            table.put(u, new double[]{raw.get(u), normalized.get(u), cumNorm.get(u)});
        }
        List<Double> losses = new java.util.ArrayList<>(r.stepLosses());
        fused = afterFusion(ctx, fused, units, previousNormalized, normalized, losses, notes);
        return new TaskOutcome(fused, losses, table, notes);
    }

    /**
     * The memory variants' replay stage (spec §5.3); the plain methods return the fused adapter as it is.
     *
     * @param previous Norm(I(U≤t−1)), or null for the first task
     * @param current  Norm(I(U_t))
     */
    protected LoraAdapter afterFusion(TaskContext ctx, LoraAdapter fused, List<SkillUnit> units,
                                      Map<String, Double> previous, Map<String, Double> current, List<Double> losses,
                                      Map<String, Object> notes) {
        return fused;
    }

    /**
     * KIF-M / KIFLoRA-M's replay stage: fine-tune θ̃_t on the memory of tasks 1..t−1 while the current task's
     * top-20 % units (c_u > Q_0.8(c)) stay frozen; with kifm_freeze = "new-specific", only those that are also not
     * important before (p_u ≤ Q_0.8(p)). Skipped while the memory is empty (the first task).
     */
    protected LoraAdapter replayStage(TaskContext ctx, LoraAdapter fused, List<SkillUnit> units,
                                      Map<String, Double> previous, Map<String, Double> current, List<Double> losses,
                                      Map<String, Object> notes) {
        if (ctx.memory() == null) {
            notes.put("replay", "skipped: empty memory");
            return fused;
        }
        double dc = io.kif4j.continual.fusion.Quantiles.percentile(values(current), 100 * settings.quantile());
        double dp = previous == null ? Double.POSITIVE_INFINITY
                : io.kif4j.continual.fusion.Quantiles.percentile(values(previous), 100 * settings.quantile());
        boolean onlyNew = "new-specific".equals(settings.kifmFreeze());
        List<SkillUnit> frozen = units.stream().filter(u -> current.get(u.id()) > dc
                && (!onlyNew || previous == null || previous.get(u.id()) <= dp)).toList();
        // Kept for inspection (and the tests): the fused adapter before replay and the frozen units' ids.
        fused.save(ctx.dir().resolve("fused-before-replay"));
        AtomicFiles.writeString(ctx.dir().resolve("replay_frozen_units.txt"),
                String.join("\n", frozen.stream().map(SkillUnit::id).toList()) + "\n");
        LoraAdapter replayed = fused.copy();
        TrainConfig tc = ctx.trainConfig().toBuilder().epochs(settings.replayEpochs()).warmupRatio(0).warmupSteps(0)
                .orthCoefficient(orthCoefficient()).evalEvery(0).keepBest(false).seed(ctx.seed() * 7 + ctx.index())
                .build();
        var r = ctx.trainOn(ctx.memory(), replayed, tc, FreezeParts.units(frozen));
        losses.addAll(r.stepLosses());
        notes.put("replay_frozen_units", frozen.size());
        notes.put("replay_steps", r.steps());
        return replayed;
    }

    private static double[] values(Map<String, Double> m) {
        return m.values().stream().mapToDouble(Double::doubleValue).toArray();
    }

    @Override
    public void saveState(Path dir) {
        try {
            AtomicFiles.writeString(dir.resolve(CUMULATIVE_FILE), Json.MAPPER.writeValueAsString(cumulative));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void loadState(Path dir, int index) {
        try {
            cumulative = Json.MAPPER.readValue(Files.readString(dir.resolve(CUMULATIVE_FILE)),
                    new TypeReference<LinkedHashMap<String, Double>>() { });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot resume: " + dir.resolve(CUMULATIVE_FILE), e);
        }
    }

    /** The four variants of spec §5.4. */
    public enum Variant {
        /** Matrix-level units, |w·g|, static hard-mask fusion (Eq. 15), no orthogonality term. */
        KIF,
        /** Rank-one units, |w·g − ½(w·g)²|, adaptive soft-mask fusion (Eq. 16–17), orthogonality 0.1. */
        KIFLORA
    }

    /** KIF / KIFLoRA, and with {@code memory} their replay variants KIF-M / KIFLoRA-M. */
    public static KifFamily of(Variant variant, boolean memory, RunConfig config) {
        return of(variant, memory, Settings.of(config));
    }

    /** KIF / KIFLoRA, and with {@code memory} their replay variants KIF-M / KIFLoRA-M. */
    public static KifFamily of(Variant variant, boolean memory, Settings settings) {
        return new KifFamily(settings) {
            @Override
            public String name() {
                return (variant == Variant.KIF ? "kif" : "kiflora") + (memory ? "-m" : "");
            }

            @Override
            public boolean usesReplay() {
                return memory;
            }

            @Override
            protected boolean rankOneUnits() {
                return variant == Variant.KIFLORA;
            }

            @Override
            protected ImportanceMetric defaultMetric() {
                return variant == Variant.KIF ? ImportanceMetric.FIRST_ORDER : ImportanceMetric.FISHER;
            }

            @Override
            protected FusionRule fusionRule() {
                return variant == Variant.KIF ? new StaticHardMaskFusion(settings.gamma(), settings.quantile())
                        : new AdaptiveSoftMaskFusion(settings.tau(),
                        "delta".equals(settings.fusionSpace()) ? FusionSpace.DELTA : FusionSpace.FACTORS);
            }

            @Override
            protected double defaultOrthCoefficient() {
                return variant == Variant.KIF ? 0 : 0.1;
            }

            @Override
            protected LoraAdapter afterFusion(TaskContext ctx, LoraAdapter fused, List<SkillUnit> units,
                                              Map<String, Double> previous, Map<String, Double> current,
                                              List<Double> losses, Map<String, Object> notes) {
                return memory ? replayStage(ctx, fused, units, previous, current, losses, notes) : fused;
            }
        };
    }
}
