package io.kif4j.cli;

import io.kif4j.continual.RunConfig;
import io.kif4j.continual.Presets;
import io.kif4j.continual.RunConfigs;
import io.kif4j.common.KifInputException;
import picocli.CommandLine.Option;

import java.lang.reflect.Field;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.List;

/** The settings flags shared by {@code run} and {@code compare}; they override the config file. */
final class RunFlags {

    // Defaults are RunConfig's (RunFlagsTest checks each "default: X" below against it); a flag left out keeps the
    // config file's value, so the options themselves carry no picocli defaultValue.
    @Option(names = "--config", paramLabel = "FILE", description = "Run config file (JSON or YAML, snake_case keys of RunConfig); flags override it (default: none, the built-in run).")
    Path configFile;

    @Option(names = "--preset", paramLabel = "NAME", description = "The papers' protocol as data: paper-t5, paper-llama, rkif-t5 or olora-t5 "
            + "(README lists their settings); a config file and flags override it (default: none).") String preset;
    /** Options that choose where settings come from rather than set one. */
    private static final Set<String> NOT_SETTINGS = Set.of("configFile", "preset");
    @Option(names = "--model", paramLabel = "DIR", description = "HuggingFace model directory (default: the built-in stories260K, ../shared/weights/stories260K-hf).") String model;
    @Option(names = "--data-root", paramLabel = "DIR", description = "Folder of benchmark folders (default: ../shared/data).") String dataRoot;
    @Option(names = "--benchmark", description = "long_sequence or superni (default: long_sequence).") String benchmark;
    @Option(names = "--order", description = "An order id from orders.json, or task1,task2,... (default: dbpedia,agnews on long_sequence, else 1).") String order;
    @Option(names = "--tasks", split = ",", description = "Explicit task list, overriding --order (default: none).") List<String> tasks;
    @Option(names = "--method", description = "kif, kiflora, kif-m, kiflora-m, recurrent-kif, seqlora, inclora, replay, ewc, olora, seqft, mtl, single, weight-ensemble, ema, task-arithmetic, magnitude-prune, ties, dare-linear, dare-ties (default: kiflora).") String method;
    @Option(names = "--protocol", description = "small, kif (the paper's 1000 per task, 100 validation, keep-best) or full (default: small).") String protocol;
    @Option(names = "--train-per-task", paramLabel = "N", description = "Training examples per task with --protocol small (default: 500 for the built-in model, 1000 for your own).") Integer trainPerTask;
    @Option(names = "--test-per-task", paramLabel = "N", description = "Test examples per task with --protocol small (default: 200 for the built-in model, 500 for your own).") Integer testPerTask;
    @Option(names = "--epochs", description = "Epochs per task (default: 3 for every model).") Integer epochs;
    @Option(names = "--lr", description = "Peak learning rate, linear decay (default: 0.005 for the built-in model, 3e-4 for your own).") Double lr;
    @Option(names = "--batch", description = "Training batch size (default: 8).") Integer batch;
    @Option(names = "--seed", description = "Seed of sampling, shuffling, initialisation and dropout (default: 42).") Long seed;
    @Option(names = "--eval", description = "generate (greedy, exact match / ROUGE-L) or rank-labels (default: rank-labels for the built-in model, else generate).") String eval;
    @Option(names = "--eval-split", description = "test, or dev: --test-per-task examples held out of the training pool, for choosing settings (default: test).") String evalSplit;
    @Option(names = "--template", description = "Prompt template: kif, olora, sapt, alpaca, short or plain (default: short for the built-in model, kif for T5, alpaca for LLaMA).") String template;
    @Option(names = "--lora-r", paramLabel = "R", description = "LoRA rank (default: 8).") Integer loraR;
    @Option(names = "--lora-alpha", paramLabel = "ALPHA", description = "LoRA alpha (default: the method's, 32 for recurrent-kif, spec §2.1; else 16).") Double loraAlpha;
    @Option(names = "--target", split = ",", description = "LoRA target modules (default: every linear layer for the built-in model, q,v for T5, q_proj,v_proj for LLaMA).") List<String> target;
    @Option(names = "--tau", description = "Adaptive fusion temperature, paper 0.15, the authors' code 0.25 (default: 0.15).") Double tau;
    @Option(names = "--fusion-space", description = "factors (paper) or delta (fuse b_i a_iᵀ, re-factorise by SVD) (default: factors).") String fusionSpace;
    @Option(names = "--merge-weights", split = ",", description = "Merging baselines: weights on the previous and "
            + "current adapter (default: 0.25,0.25 for sums, 1,1 for TIES; an adapter merged with itself is unchanged).")
    List<Double> mergeWeights;
    @Option(names = "--merge-density", description = "Merging baselines: fraction of entries kept (default: 0.2).")
    Double mergeDensity;
    @Option(names = "--merge-majority-sign", description = "TIES sign election: total or frequency (default: total).")
    String mergeMajoritySign;
    @Option(names = "--max-source-length", paramLabel = "TOKENS", description = "Prompt length cap (default: 128 for the built-in model, else 512).") Integer maxSourceLength;
    @Option(names = "--max-new-tokens", paramLabel = "N", description = "Tokens generated per test example with --eval generate (default: 16 for the built-in model, else 128).") Integer maxNewTokens;
    @Option(names = "--warmup-steps", paramLabel = "N", description = "Linear warm-up in optimizer steps, spec §5.1: 50 (default: the model's run defaults).") Integer warmupSteps;
    @Option(names = "--lr-schedule", description = "linear or constant (default: linear).") String lrSchedule;
    @Option(names = "--grad-accumulation", paramLabel = "N", description = "Micro-batches per optimizer step (default: 1).") Integer gradAccumulation;
    @Option(names = "--eval-every", paramLabel = "N", description = "Validation loss every N steps, 0 for once per epoch (default: 0).") Integer evalEvery;
    @Option(names = "--weight-decay", description = "AdamW's decoupled weight decay; frozen parts never decay (default: 0.0).") Double weightDecay;
    @Option(names = "--lora-dropout", description = "LoRA dropout (default: 0.05).") Double loraDropout;
    @Option(names = "--memory-class-balanced", arity = "0..1", description = "Class-stratified replay memory, spec §6.1 (default: the method's, true for recurrent-kif; else false).") Boolean memoryClassBalanced;
    @Option(names = "--olora-lambda1", description = "O-LoRA's λ₁, orthogonality (default: 0.5).") Double oloraLambda1;
    @Option(names = "--olora-lambda2", description = "O-LoRA's λ₂, norm of the new pair (default: 0.0).") Double oloraLambda2;

    /** The preset's settings, then the config file's, then the flags (each overriding the one before). */
    RunConfig config() {
        RunConfig c = configFile != null ? RunConfigs.read(configFile, preset)
                : preset != null ? Presets.load(preset) : new RunConfig();
        apply(c);
        return c;
    }

    /** Sets each setting a flag gave on {@code c}; a flag's field is named as the RunConfig field it sets. */
    void apply(RunConfig c) {
        if (lrSchedule != null && !lrSchedule.equals("linear") && !lrSchedule.equals("constant")) {
            throw new KifInputException("--lr-schedule: expected linear or constant, got '" + lrSchedule + "'");
        }
        Map<String, Object> given = new LinkedHashMap<>();
        for (Field f : RunFlags.class.getDeclaredFields()) {
            if (f.isAnnotationPresent(Option.class) && !NOT_SETTINGS.contains(f.getName())) {
                try {
                    given.put(f.getName(), f.get(this));
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        c.overlay(given);
    }
}
