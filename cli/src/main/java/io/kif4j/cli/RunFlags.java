package io.kif4j.cli;

import io.kif4j.continual.RunConfig;
import io.kif4j.continual.RunConfigs;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;

/** The settings flags shared by {@code run} and {@code compare}; they override the config file. */
final class RunFlags {

    // Defaults are RunConfig's (RunFlagsTest checks each "default: X" below against it); a flag left out keeps the
    // config file's value, so the options themselves carry no picocli defaultValue.
    @Option(names = "--config", paramLabel = "FILE", description = "Run config file (JSON or YAML, snake_case keys of RunConfig); flags override it (default: none, the built-in run).")
    Path configFile;

    @Option(names = "--model", paramLabel = "DIR", description = "HuggingFace model directory (default: the built-in stories260K, ../shared/weights/stories260K-hf).") String model;
    @Option(names = "--data-root", paramLabel = "DIR", description = "Folder of benchmark folders (default: ../shared/data).") String dataRoot;
    @Option(names = "--benchmark", description = "long_sequence or superni (default: long_sequence).") String benchmark;
    @Option(names = "--order", description = "An order id from orders.json, or task1,task2,... (default: 1).") String order;
    @Option(names = "--tasks", split = ",", description = "Explicit task list, overriding --order (default: none).") List<String> tasks;
    @Option(names = "--method", description = "kif, kiflora, kif-m, kiflora-m, recurrent-kif, seqlora, inclora, replay, ewc, olora, weight-ensemble, ema (default: kiflora).") String method;
    @Option(names = "--protocol", description = "small, kif (the paper's 1000 per task, 100 validation, keep-best) or full (default: small).") String protocol;
    @Option(names = "--train-per-task", paramLabel = "N", description = "Training examples per task with --protocol small (default: 200).") Integer trainPerTask;
    @Option(names = "--test-per-task", paramLabel = "N", description = "Test examples per task with --protocol small (default: 100).") Integer testPerTask;
    @Option(names = "--epochs", description = "Epochs per task (default: 5).") Integer epochs;
    @Option(names = "--lr", description = "Peak learning rate, linear decay (default: 0.005).") Double lr;
    @Option(names = "--batch", description = "Training batch size (default: 8).") Integer batch;
    @Option(names = "--seed", description = "Seed of sampling, shuffling, initialisation and dropout (default: 42).") Long seed;
    @Option(names = "--eval", description = "generate (greedy, exact match / ROUGE-L) or rank-labels (default: rank-labels for the built-in model, else generate).") String eval;
    @Option(names = "--template", description = "Prompt template: kif, olora, sapt, alpaca, short or plain (default: short for the built-in model, kif for T5, alpaca for LLaMA).") String template;
    @Option(names = "--lora-r", paramLabel = "R", description = "LoRA rank (default: 8).") Integer loraR;
    @Option(names = "--lora-alpha", paramLabel = "ALPHA", description = "LoRA alpha (default: 16.0).") Double loraAlpha;
    @Option(names = "--target", split = ",", description = "LoRA target modules (default: every linear layer for the built-in model, q,v for T5, q_proj,v_proj for LLaMA).") List<String> target;
    @Option(names = "--tau", description = "Adaptive fusion temperature, paper 0.15, the authors' code 0.25 (default: 0.15).") Double tau;
    @Option(names = "--fusion-space", description = "factors (paper) or delta (fuse b_i a_iᵀ, re-factorise by SVD) (default: factors).") String fusionSpace;
    @Option(names = "--max-source-length", paramLabel = "TOKENS", description = "Prompt length cap (default: 128 for the built-in model, else 512).") Integer maxSource;
    @Option(names = "--max-new-tokens", paramLabel = "N", description = "Tokens generated per test example with --eval generate (default: 16 for the built-in model, else 128).") Integer maxNewTokens;

    /** The config file's settings (or the built-in defaults) with the flags applied. */
    RunConfig config() {
        RunConfig c = configFile != null ? RunConfigs.read(configFile) : new RunConfig();
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
        if (maxSource != null) c.maxSourceLength = maxSource;
        if (maxNewTokens != null) c.maxNewTokens = maxNewTokens;
    }
}
