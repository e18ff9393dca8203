package io.kif4j.cli;

import io.kif4j.continual.RunConfig;
import io.kif4j.continual.Presets;
import io.kif4j.continual.RunConfigs;
import io.kif4j.weights.KifInputException;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;

/** The settings flags shared by {@code run} and {@code compare}; they override the config file. */
final class RunFlags {

    @Option(names = "--config", description = "Run config file (JSON or YAML, snake_case keys); flags override it.")
    Path configFile;

    @Option(names = "--preset", description = "The papers' protocol as data: paper-t5, paper-llama, rkif-t5 or olora-t5 "
            + "(README lists their settings); a config file and flags override it.") String preset;
    @Option(names = "--model") String model;
    @Option(names = "--data-root", description = "Folder of benchmark folders (default: ../shared/data).") String dataRoot;
    @Option(names = "--benchmark", description = "long_sequence or superni (default: long_sequence).") String benchmark;
    @Option(names = "--order", description = "An order id from orders.json (default: 1), or task1,task2,...") String order;
    @Option(names = "--tasks", split = ",", description = "Explicit task list (overrides --order).") List<String> tasks;
    @Option(names = "--method", description = "seqlora, kif, kiflora, ... (default: kiflora).") String method;
    @Option(names = "--protocol", description = "small (default), kif (the paper's 1000 per task, 100 validation, keep-best) or full.") String protocol;
    @Option(names = "--train-per-task") Integer trainPerTask;
    @Option(names = "--test-per-task") Integer testPerTask;
    @Option(names = "--epochs") Integer epochs;
    @Option(names = "--lr") Double lr;
    @Option(names = "--batch") Integer batch;
    @Option(names = "--seed") Long seed;
    @Option(names = "--eval", description = "generate or rank-labels.") String eval;
    @Option(names = "--template") String template;
    @Option(names = "--lora-r") Integer loraR;
    @Option(names = "--lora-alpha") Double loraAlpha;
    @Option(names = "--target", split = ",") List<String> target;
    @Option(names = "--tau", description = "Adaptive fusion temperature (paper 0.15; the authors' code 0.25).") Double tau;
    @Option(names = "--fusion-space", description = "factors (paper) or delta (fuse b_i a_iᵀ, re-factorise by SVD).") String fusionSpace;
    @Option(names = "--merge-weights", split = ",", description = "Merging baselines: weights on the previous and "
            + "current adapter (default: 0.25,0.25 for sums, 1,1 for TIES; an adapter merged with itself is unchanged).")
    List<Double> mergeWeights;
    @Option(names = "--merge-density", description = "Merging baselines: fraction of entries kept (default 0.2).")
    Double mergeDensity;
    @Option(names = "--merge-majority-sign", description = "TIES sign election: total (default) or frequency.")
    String mergeMajoritySign;
    @Option(names = "--max-source-length") Integer maxSource;
    @Option(names = "--max-new-tokens") Integer maxNewTokens;
    @Option(names = "--warmup-steps", description = "Linear warm-up in optimizer steps (spec §5.1: 50).") Integer warmupSteps;
    @Option(names = "--lr-schedule", description = "linear (default) or constant.") String lrSchedule;
    @Option(names = "--grad-accumulation", description = "Micro-batches per optimizer step.") Integer gradAccumulation;
    @Option(names = "--eval-every", description = "Validation loss every N steps (0: per epoch).") Integer evalEvery;
    @Option(names = "--weight-decay", description = "AdamW's decoupled weight decay (frozen parts never decay).") Double weightDecay;
    @Option(names = "--lora-dropout") Double loraDropout;
    @Option(names = "--memory-class-balanced", arity = "0..1", description = "Class-stratified replay memory (spec §6.1).") Boolean memoryClassBalanced;
    @Option(names = "--olora-lambda1", description = "O-LoRA's λ₁ (orthogonality).") Double oloraLambda1;
    @Option(names = "--olora-lambda2", description = "O-LoRA's λ₂ (norm of the new pair).") Double oloraLambda2;

    /** The preset's settings, then the config file's, then the flags (each overriding the one before). */
    RunConfig config() {
        RunConfig c = configFile != null ? RunConfigs.read(configFile, preset)
                : preset != null ? Presets.load(preset) : new RunConfig();
        apply(c);
        return c;
    }

    void apply(RunConfig c) {
        if (model != null) c.model = model;
        if (dataRoot != null) c.dataRoot = dataRoot;
        if (benchmark != null) c.benchmark = benchmark;
        if (order != null) c.order = order;
        if (tasks != null) c.tasks = tasks;
        if (method != null) c.method = method;
        if (protocol != null) c.protocol = protocol;
        if (trainPerTask != null) c.trainPerTask = trainPerTask;
        if (testPerTask != null) c.testPerTask = testPerTask;
        if (epochs != null) c.epochs = epochs;
        if (lr != null) c.lr = lr;
        if (batch != null) c.batch = batch;
        if (seed != null) c.seed = seed;
        if (eval != null) c.eval = eval;
        if (template != null) c.template = template;
        if (loraR != null) c.loraR = loraR;
        if (loraAlpha != null) c.loraAlpha = loraAlpha;
        if (target != null) c.target = target;
        if (tau != null) c.tau = tau;
        if (fusionSpace != null) c.fusionSpace = fusionSpace;
        if (mergeWeights != null) c.mergeWeights = mergeWeights;
        if (mergeDensity != null) c.mergeDensity = mergeDensity;
        if (mergeMajoritySign != null) c.mergeMajoritySign = mergeMajoritySign;
        if (maxSource != null) c.maxSourceLength = maxSource;
        if (maxNewTokens != null) c.maxNewTokens = maxNewTokens;
        if (warmupSteps != null) c.warmupSteps = warmupSteps;
        if (lrSchedule != null) {
            if (!lrSchedule.equals("linear") && !lrSchedule.equals("constant")) {
                throw new KifInputException("--lr-schedule: expected linear or constant, got '" + lrSchedule + "'");
            }
            c.lrSchedule = lrSchedule;
        }
        if (gradAccumulation != null) c.gradAccumulation = gradAccumulation;
        if (evalEvery != null) c.evalEvery = evalEvery;
        if (weightDecay != null) c.weightDecay = weightDecay;
        if (loraDropout != null) c.loraDropout = loraDropout;
        if (memoryClassBalanced != null) c.memoryClassBalanced = memoryClassBalanced;
        if (oloraLambda1 != null) c.oloraLambda1 = oloraLambda1;
        if (oloraLambda2 != null) c.oloraLambda2 = oloraLambda2;
    }
}
