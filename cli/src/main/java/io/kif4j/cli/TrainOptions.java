package io.kif4j.cli;

import io.kif4j.datasets.batch.BatchOptions;
import io.kif4j.lora.LoraConfig;
import io.kif4j.lora.train.TrainConfig;
import io.kif4j.transformer.family.RunDefaults;
import picocli.CommandLine.Option;

import java.util.List;

/** The option groups of {@code kif train} ({@code @Mixin}s): the adapter's shape, the batches, the schedule. */
final class TrainOptions {

    private TrainOptions() {
    }

    /** The LoRA adapter to create. */
    static final class Lora {
        @Option(names = "--lora-r", defaultValue = "8", description = "LoRA rank (default: ${DEFAULT-VALUE}).") int rank;

        @Option(names = "--lora-alpha", defaultValue = "16", description = "LoRA alpha (default: ${DEFAULT-VALUE}).") double alpha;

        @Option(names = "--lora-dropout", defaultValue = "0.05", description = "LoRA dropout (default: ${DEFAULT-VALUE}).") double dropout;

        @Option(names = "--target", split = ",", description = "Target module names (default: q,v for T5, q_proj,v_proj for LLaMA).") List<String> targets;

        /** The adapter's config: the family's targets unless given. */
        LoraConfig config(RunDefaults defaults) {
            return LoraConfig.of(rank, alpha, dropout, targets != null ? targets : defaults.target(), defaults.taskType());
        }
    }

    /** How the examples are cut and batched. */
    static final class Batches {
        @Option(names = "--batch", defaultValue = "8", description = "Batch size (default: ${DEFAULT-VALUE}).") int batch;

        @Option(names = "--max-source-length", defaultValue = "512", description = "Prompt length cap in tokens (default: ${DEFAULT-VALUE}).") int maxSource;

        @Option(names = "--max-target-length", defaultValue = "128", description = "Target length cap in tokens (default: ${DEFAULT-VALUE}).") int maxTarget;

        BatchOptions options(long seed) {
            return BatchOptions.defaults().withBatchSize(batch).withLengths(maxSource, maxTarget).withSeed(seed);
        }
    }

    /** Epochs, learning rate and its warm-up, and the seed of everything random. */
    static final class Schedule {
        @Option(names = "--epochs", defaultValue = "3", description = "Epochs (default: ${DEFAULT-VALUE}).") int epochs;

        @Option(names = "--lr", defaultValue = "3e-4", description = "Peak learning rate (default: ${DEFAULT-VALUE}).") double lr;

        @Option(names = "--warmup-ratio", defaultValue = "0", description = "Fraction of steps of linear learning-rate warm-up (default: ${DEFAULT-VALUE}).") double warmup;

        @Option(names = "--seed", defaultValue = "42", description = "Seed of initialisation, shuffling and dropout (default: ${DEFAULT-VALUE}).") long seed;

        TrainConfig config() {
            return TrainConfig.defaults(epochs, lr, seed).withWarmup(warmup);
        }
    }
}
