package io.kif4j.continual;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;


import java.util.List;

/**
 * The settings of one continual run, as {@code ./kif run} takes them from a config file (JSON or YAML, snake_case
 * keys), a preset ({@link Presets}) and flags. Null means "the default for this model" and is filled by
 * {@link #resolve} from {@link RunDefaults}. The resolved config is echoed at start and saved with the results.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonIgnoreProperties(ignoreUnknown = false)
public final class RunConfig {

    /** HF model directory; null: the built-in stories260K. */
    public String model;
    /** Folder holding the benchmarks; null: ../shared/data. */
    public String dataRoot;
    public String benchmark = "long_sequence";
    /**
     * An order id of the benchmark's orders.json, or a comma-separated task list; null: the built-in default,
     * dbpedia,agnews on long_sequence (docs/RESULTS.md says why), order 1 on other benchmarks.
     */
    public String order;
    /** Explicit task list, overriding order. */
    public List<String> tasks;
    public String method = "kiflora";
    /**
     * small: train_per_task / test_per_task examples (class-balanced when asked) from KIF's subsets;
     * kif: the paper's protocol, KIF's 1000-example training subset with 100 held out for validation and
     * keep-best-by-validation-loss, the ≤500-per-class test subset; full: every record.
     */
    public String protocol = "small";
    /** The preset the settings started from (see {@link Presets}); null: none. */
    public String preset;
    /** null: the model's default ({@link RunDefaults}: 200 for the built-in model, else 1000). */
    public Integer trainPerTask;
    /** null: the model's default (200 for the built-in model, else 500). */
    public Integer testPerTask;
    public Integer validationPerTask = 0;
    public Boolean classBalanced = true;
    /** null: the model's default (3). */
    public Integer epochs;
    /** null: the model's default (5e-3 for the built-in model, else 3e-4, spec §5.1). */
    public Double lr;
    public Integer batch = 8;
    public Double warmupRatio = 0.0;
    /** Warm-up in optimizer steps, overriding warmup_ratio when > 0; null: the model's default (0 built-in, else 50). */
    public Integer warmupSteps;
    /** linear (decay to 0, HF's default) or constant (O-LoRA's scripts). */
    public String lrSchedule = "linear";
    public Double weightDecay = 0.0;
    public Integer gradAccumulation = 1;
    /** Validation loss every N optimizer steps when there is a validation set (0: once per epoch; KIF's code: 40). */
    public Integer evalEvery = 0;
    public Integer loraR = 8;
    /** null: the method's own ({@link RunDefaults#forMethod}): 32 for recurrent-kif (spec §2.1), else 16. */
    public Double loraAlpha;
    public Double loraDropout = 0.05;
    /** Target modules; null: every linear layer for the built-in model, q,v (T5) or q_proj,v_proj otherwise. */
    public List<String> target;
    /** Prompt template; null: "short" for the built-in model, else the family's (kif for T5, alpaca for LLaMA). */
    public String template;
    public Integer maxSourceLength;
    public Integer maxTargetLength;
    /** generate (greedy, exact match / ROUGE-L) or rank-labels; null: rank-labels for the built-in model. */
    public String eval;
    public Integer maxNewTokens;
    /**
     * test (the test split), or dev: test_per_task examples held out of the training pool instead, for choosing
     * settings without reading test (the repositories' dev split is their test split).
     */
    public String evalSplit = "test";
    public Integer evalBatch = 32;
    public Long seed = 42L;
    public String out;
    /** mtl: train every base weight instead of one LoRA (seqft always does). */
    public Boolean fullParameters = false;
    // KIF family
    public Double tau = 0.15;
    public Double gamma = 0.7;
    public Double quantile = 0.8;
    public Double cumulativeBeta = 0.7;
    /** factors (the paper) or delta (fuse b_i a_iᵀ and re-factorise by SVD). */
    public String fusionSpace = "factors";
    /** first, fisher or second; null: the method's own (KIF first, KIFLoRA fisher). */
    public String importance;
    /** null: 0.1 for KIFLoRA variants, 0 otherwise. */
    public Double orthCoefficient;
    // memory
    public Double memoryRatio = 0.02;
    /**
     * Class-stratified (true) or uniform (false) replay memory; null: the method's own ({@link RunDefaults#forMethod}):
     * class-stratified for recurrent-kif (spec §6.1), uniform otherwise (§5.3, §7).
     */
    public Boolean memoryClassBalanced;
    public Integer replayEpochs = 1;
    /** KIF-M's replay stage freezes the current task's top units ("top", the paper) or only new-task-specific ones. */
    public String kifmFreeze = "top";
    // baselines
    /** O-LoRA's λ₁ (0.5 for the 4-task orders) and penalty form: "l1" (the authors' code) or "squared" (the paper). */
    public Double oloraLambda1 = 0.5;
    public String oloraPenalty = "l1";
    /** O-LoRA's λ₂ on the Frobenius norms of the new pair, λ₂ Σ (‖A_t‖_F + ‖B_t‖_F) (spec §7; 0 for 4-task orders). */
    public Double oloraLambda2 = 0.0;
    /** EWC's λ: the papers give none; 100 suits the built-in tiny model (tune on dev, grid 1e2–1e5, spec §7). */
    public Double ewcLambda = 100.0;
    /** Online EWC: one accumulated Fisher (decayed by ewc_gamma) around the last task's parameters. */
    public Boolean ewcOnline = false;
    public Double ewcGamma = 1.0;
    /** Weight ensemble's λ on the previous adapter (Eq. 14; the paper averages uniformly). */
    public Double ensembleLambda = 0.5;
    /** The EMA ablation's μ per training step (spec §4.1 suggests 0.999). */
    public Double emaMu = 0.999;
    /**
     * The merging baselines' (task-arithmetic, magnitude-prune, ties, dare-linear, dare-ties) weights on the previous
     * and the current adapter, PEFT's {@code weights}; null: those that return an adapter merged with itself
     * unchanged, (0.25, 0.25) for the sums and (1, 1) for TIES' disjoint merge.
     */
    public List<Double> mergeWeights;
    /** The fraction of entries the merging baselines keep (PEFT's {@code density}; TIES' paper keeps 20 %). */
    public Double mergeDensity = 0.2;
    /** TIES' sign election: "total" (sign of the sum, PEFT's default) or "frequency" (count of signs). */
    public String mergeMajoritySign = "total";
    // Recurrent-KIF
    public Integer rkifInnerSteps = 8;
    public Integer rkifOuterSteps = 4;
    /** The paper's separate outer optimizer (true) instead of the code's reuse of the inner AdamW (false). */
    public Boolean rkifSeparateOuterOptimizer = false;
    public Double rkifOuterLr = 1e-3;

    /**
     * Sets every field named in {@code settings} (by its Java name, e.g. {@code maxSourceLength}) whose value is not
     * null: how flags override a preset and a config file.
     */
    public RunConfig overlay(java.util.Map<String, ?> settings) {
        settings.forEach((name, value) -> {
            if (value == null) {
                return;
            }
            try {
                RunConfig.class.getField(name).set(this, value);
            } catch (NoSuchFieldException | IllegalAccessException e) {
                throw new IllegalArgumentException("RunConfig has no setting '" + name + "'", e);
            }
        });
        return this;
    }

    /** {@link #order}, or the default it stands for when null. */
    public String orderOrDefault() {
        return order != null ? order : "long_sequence".equals(benchmark) ? "dbpedia,agnews" : "1";
    }

    /** True when no model was named: the built-in default run. */
    public boolean builtInModel() {
        return model == null;
    }

    /** Fills the model-dependent defaults for the built-in model or a user's T5 / decoder-only model. */
    public RunConfig resolve(boolean t5) {
        return resolve(RunDefaults.of(builtInModel(), t5));
    }

    /**
     * Fills the model-dependent defaults: the built-in model's toy recipe, or the papers' recipe with the family's
     * LoRA targets, template, lengths and evaluation mode (the family registry decides those).
     */
    public RunConfig resolve(io.kif4j.transformer.family.RunDefaults family) {
        return resolve(builtInModel() ? RunDefaults.BUILT_IN : RunDefaults.forFamily(family));
    }

    /** Fills every setting left null from {@code d} and, for those a method brings, from the method's defaults. */
    public RunConfig resolve(RunDefaults d) {
        order = orderOrDefault();
        lr = lr != null ? lr : d.lr();
        epochs = epochs != null ? epochs : d.epochs();
        trainPerTask = trainPerTask != null ? trainPerTask : d.trainPerTask();
        testPerTask = testPerTask != null ? testPerTask : d.testPerTask();
        warmupSteps = warmupSteps != null ? warmupSteps : d.warmupSteps();
        target = target != null ? target : d.target();
        template = template != null ? template : d.template();
        maxSourceLength = maxSourceLength != null ? maxSourceLength : d.maxSourceLength();
        maxTargetLength = maxTargetLength != null ? maxTargetLength : d.maxTargetLength();
        eval = eval != null ? eval : d.eval();
        maxNewTokens = maxNewTokens != null ? maxNewTokens : d.maxNewTokens();
        RunDefaults.MethodDefaults m = RunDefaults.forMethod(method);
        loraAlpha = loraAlpha != null ? loraAlpha : m.loraAlpha();
        memoryClassBalanced = memoryClassBalanced != null ? memoryClassBalanced : m.memoryClassBalanced();
        return this;
    }
}
