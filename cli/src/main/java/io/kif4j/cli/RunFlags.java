package io.kif4j.cli;

import io.kif4j.continual.RunConfig;
import io.kif4j.continual.RunConfigs;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;

/** The settings flags shared by {@code run} and {@code compare}; they override the config file. */
final class RunFlags {

    @Option(names = "--config", description = "Run config file (JSON or YAML, snake_case keys); flags override it.")
    Path configFile;

    @Option(names = "--model") String model;
    @Option(names = "--data-root", description = "Folder of benchmark folders (default: ../shared/data).") String dataRoot;
    @Option(names = "--benchmark", description = "long_sequence or superni (default: long_sequence).") String benchmark;
    @Option(names = "--order", description = "An order id from orders.json, or task1,task2,... (default: dbpedia,agnews on long_sequence, else 1).") String order;
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
    @Option(names = "--eval-split", description = "test (default), or dev: --test-per-task examples held out of the training pool, for choosing settings.") String evalSplit;
    @Option(names = "--template") String template;
    @Option(names = "--lora-r") Integer loraR;
    @Option(names = "--lora-alpha") Double loraAlpha;
    @Option(names = "--target", split = ",") List<String> target;
    @Option(names = "--tau", description = "Adaptive fusion temperature (paper 0.15; the authors' code 0.25).") Double tau;
    @Option(names = "--fusion-space", description = "factors (paper) or delta (fuse b_i a_iᵀ, re-factorise by SVD).") String fusionSpace;
    @Option(names = "--max-source-length") Integer maxSource;
    @Option(names = "--max-new-tokens") Integer maxNewTokens;

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
        if (evalSplit != null) c.evalSplit = evalSplit;
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
