package io.kif4j.cli;

import io.kif4j.lora.LoraConfig;
import io.kif4j.transformer.family.Families;
import io.kif4j.transformer.family.ModelSpec;
import io.kif4j.transformer.family.RunDefaults;
import io.kif4j.weights.HfModelDir;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;

/** The option groups of {@code kif bench} ({@code @Mixin}s): what is timed, its LoRA, how often, and per mode. */
final class BenchOptions {

    private BenchOptions() {
    }

    /** The model and the batch shape one step or call runs on. */
    static final class Shape {
        @Option(names = "--model-config", defaultValue = "t5-small",
                description = "t5-small, t5-base, llama-small or a config.json file (random weights). Default: ${DEFAULT-VALUE}.") String modelConfig;

        @Option(names = "--model", paramLabel = "DIR", description = "A HuggingFace model directory to time with its real weights instead (default: none, random weights of --model-config).") Path modelDir;

        @Option(names = "--batch", defaultValue = "8", description = "Sequences per step. Default: ${DEFAULT-VALUE}.") int batch;

        @Option(names = "--src", defaultValue = "128",
                description = "T5: encoder length; LLaMA: sequence length (loss on every token). Default: ${DEFAULT-VALUE}.") int src;

        @Option(names = "--tgt", defaultValue = "16", description = "T5: decoder length (ignored for LLaMA). Default: ${DEFAULT-VALUE}.") int tgt;

        /** The config.json that sizes the model: the directory's, or the named size's file. */
        Path configFile() {
            return modelDir != null ? HfModelDir.open(modelDir).configFile() : Path.of(modelConfig);
        }

        ModelSpec<?> spec(Path configFile) {
            return modelDir != null ? Families.read(configFile) : BenchModels.spec(modelConfig);
        }

        BenchModels.Built build(ModelSpec<?> spec) {
            return modelDir != null ? BenchModels.fromDirectory(modelDir) : BenchModels.build(spec, modelConfig, 42);
        }
    }

    /** The adapter trained in {@code --mode train}: rank, targets and dropout (alpha is 2r). */
    static final class Lora {
        @Option(names = "--r", defaultValue = "8", description = "LoRA rank. Default: ${DEFAULT-VALUE}.") int r;

        @Option(names = "--targets", split = ",",
                description = "LoRA target modules (default: the family's, q,v for T5 and q_proj,v_proj for the decoders; 'all' = every linear).") List<String> targets;

        @Option(names = "--dropout", defaultValue = "0.05", description = "LoRA dropout. Default: ${DEFAULT-VALUE}.") double dropout;

        LoraConfig config(RunDefaults defaults) {
            List<String> t = targets == null ? defaults.target()
                    : targets.equals(List.of("all")) ? defaults.allLinear() : targets;
            return LoraConfig.of(r, 2 * r, dropout, t, defaults.taskType());
        }
    }

    /** How many timed and untimed steps or calls; their defaults depend on the mode. */
    static final class Runs {
        @Option(names = "--steps", description = "Timed steps (train, default 10) or timed calls (generate 3, rank 5).") Integer steps;

        @Option(names = "--warmup", description = "Untimed steps or calls first (graph building). Default: 2 (generate, rank: 1).") Integer warmup;

        /** Fills in the mode's defaults for what was not given. */
        void resolve(String mode) {
            if (steps == null) {
                steps = switch (mode) {
                    case "generate" -> 3;
                    case "rank" -> 5;
                    default -> 10;
                };
            }
            if (warmup == null) {
                warmup = mode.equals("train") ? 2 : 1;
            }
        }
    }

    /** What {@code --mode generate} and {@code --mode rank} decode or score per row. */
    static final class Inference {
        @Option(names = "--new-tokens", defaultValue = "64",
                description = "generate: new tokens per row, always all of them (no EOS stop). Default: ${DEFAULT-VALUE}.") int newTokens;

        @Option(names = "--labels", defaultValue = "4", description = "rank: candidate labels per example. Default: ${DEFAULT-VALUE}.") int labels;

        @Option(names = "--label-tokens", defaultValue = "3",
                description = "rank: tokens per label (EOS included). Default: ${DEFAULT-VALUE}.") int labelTokens;
    }
}
