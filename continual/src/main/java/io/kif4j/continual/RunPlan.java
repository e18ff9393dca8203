package io.kif4j.continual;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kif4j.datasets.Benchmark;
import io.kif4j.datasets.Benchmarks;
import io.kif4j.datasets.Protocol;
import io.kif4j.datasets.ReplayMemory;
import io.kif4j.datasets.Task;
import io.kif4j.datasets.TaskData;
import io.kif4j.datasets.batch.BatchOptions;
import io.kif4j.lora.LoraConfig;
import io.kif4j.lora.train.TrainConfig;
import io.kif4j.transformer.family.Families;
import io.kif4j.transformer.family.ModelSpec;
import io.kif4j.transformer.memory.MemoryPlan;
import io.kif4j.weights.HfModelDir;
import io.kif4j.common.Json;

import java.nio.file.Path;
import java.util.List;

/**
 * A run's settings resolved and fixed before any weights load: the model's family (read from its config.json
 * alone) completes what the {@link RunConfig} left to the model, and every part of the run reads its own record.
 * {@link #settings} is the resolved config as config.json and metrics.json echo it.
 */
public record RunPlan(ModelPlan model, DataPlan data, LoraConfig lora, TrainingPlan training,
                      EvaluationPlan evaluation, Methods.Choice method, long seed, ObjectNode settings) {

    /** The model folder, its family's view of its config, and whether it is the built-in stories260K. */
    public record ModelPlan(Path dir, HfModelDir hf, ModelSpec<?> spec) {
    }

    /**
     * Which tasks, how many examples of each, the replay memory, and how examples become batches.
     *
     * @param tasks an explicit task list, or null for {@code order}
     */
    public record DataPlan(Path root, String benchmark, List<String> tasks, String order, String protocol,
                           int trainPerTask, int testPerTask, int validationPerTask, boolean classBalanced,
                           String evalSplit, String template, BatchOptions batches, ReplayMemory.Config memory) {

        /** The benchmark's tasks in run order. */
        public List<Task> taskOrder() {
            Benchmark bench = Benchmarks.open(Benchmarks.dataRoot(root), benchmark);
            return tasks != null ? tasks.stream().map(bench::task).toList() : bench.order(order);
        }

        /** Each task's training, validation and evaluation examples under the protocol. */
        public List<TaskData> load(List<Task> order, long seed) {
            Protocol p = (switch (protocol) {
                case "small" -> Protocol.small(trainPerTask, testPerTask)
                        .withClassBalanced(classBalanced).withValidationSize(validationPerTask);
                case "kif" -> Protocol.kif();
                case "full" -> Protocol.full().withValidationSize(validationPerTask);
                default -> throw new IllegalArgumentException("protocol must be small, kif or full, got " + protocol);
            }).withSeed(seed);
            return order.stream().map(t -> switch (evalSplit) {
                case "test" -> p.apply(t);
                case "dev" -> p.applyDev(t);
                default -> throw new IllegalArgumentException("eval_split must be test or dev, got " + evalSplit);
            }).toList();
        }
    }

    /** The training recipe shared by every task; {@link #forTask} seeds it per task. */
    public record TrainingPlan(int epochs, double lr, double weightDecay, double warmupRatio, int warmupSteps,
                               String lrSchedule, int gradAccumulation, int evalEvery, boolean keepBest, long seed) {

        /** Task {@code t}'s training settings (the replay stages derive theirs from it). */
        public TrainConfig forTask(int t) {
            return new TrainConfig.Builder().epochs(epochs).learningRate(lr).weightDecay(weightDecay)
                    .warmupRatio(warmupRatio).warmupSteps(warmupSteps).schedule(TrainConfig.Schedule.parse(lrSchedule))
                    .gradAccumulation(gradAccumulation).evalEvery(evalEvery).keepBest(keepBest).seed(seed * 31 + t)
                    .build();
        }
    }

    /** How θ̃_t is scored: generate or rank-labels, the decoding budget and the scoring batch. */
    public record EvaluationPlan(String mode, int maxNewTokens, int batch) {
    }

    /**
     * Resolves {@code config} (left untouched) against the model's family defaults, reading only the model's
     * config.json.
     *
     * @param shared the reference folder of the built-in defaults (model and data), usually ../shared
     */
    public static RunPlan resolve(RunConfig config, Path shared) {
        Path modelDir = modelDir(config, shared);
        HfModelDir hf = HfModelDir.open(modelDir);
        ModelSpec<?> spec = Families.read(hf.configFile(), hf.config());
        RunConfig c = Json.MAPPER.convertValue(config, RunConfig.class).resolve(spec.family().runDefaults());
        ObjectNode settings = Json.MAPPER.valueToTree(c);
        settings.put("model", modelDir.toString());
        DataPlan data = new DataPlan(c.dataRoot != null ? Path.of(c.dataRoot) : shared.resolve("data"), c.benchmark,
                c.tasks, c.order, c.protocol, c.trainPerTask, c.testPerTask, c.validationPerTask, c.classBalanced,
                c.evalSplit, c.template, BatchOptions.defaults().withBatchSize(c.batch)
                .withLengths(c.maxSourceLength, c.maxTargetLength).withSeed(c.seed),
                new ReplayMemory.Config(c.memoryRatio,
                        c.memoryClassBalanced ? ReplayMemory.Mode.CLASS_BALANCED : ReplayMemory.Mode.UNIFORM, c.seed));
        LoraConfig lora = LoraConfig.of(c.loraR, c.loraAlpha, c.loraDropout, c.target,
                spec.family().runDefaults().taskType()).withBaseModel(modelDir.toString());
        TrainingPlan training = new TrainingPlan(c.epochs, c.lr, c.weightDecay, c.warmupRatio, c.warmupSteps,
                c.lrSchedule, c.gradAccumulation, c.evalEvery, c.protocol.equals("kif"), c.seed);
        return new RunPlan(new ModelPlan(modelDir, hf, spec), data, lora, training,
                new EvaluationPlan(c.eval, c.maxNewTokens, c.evalBatch), Methods.choose(c.method, c), c.seed, settings);
    }

    /** The model a config names, or the built-in one. */
    public static Path modelDir(RunConfig config, Path shared) {
        return config.model != null ? Path.of(config.model) : RunDefaults.builtInModel(shared);
    }

    /** Refuses, before loading, a run whose training would not fit in this machine's memory. */
    public void admitMemory() {
        BatchOptions b = data.batches();
        MemoryPlan.trainingOnExamples(model.spec(), b.batchSize(), b.maxSourceLength(), b.maxTargetLength(), lora.r(),
                lora::targets).admit(model.hf().configFile());
    }
}
