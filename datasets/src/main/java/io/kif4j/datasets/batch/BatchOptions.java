package io.kif4j.datasets.batch;

import io.kif4j.datasets.prompt.TruncationMode;

/**
 * How examples become batches.
 *
 * @param batchSize       examples per batch
 * @param maxSourceLength prompt tokens, special tokens included (T5: with EOS; LLaMA: with BOS); 512 in the papers
 * @param maxTargetLength target tokens with EOS; 128 in KIF
 * @param lengthBucketing group examples of similar length into batches (less padding), batch order still shuffled
 * @param shuffle         shuffle each epoch, from {@code seed} and the epoch number
 * @param seed            the one seed of the batch order
 * @param truncation      overrides the template's truncation mode; null keeps the template's
 * @param addEos          LLaMA only: append EOS to the target (alpaca-lora's {@code add_eos_token}); T5 always does
 */
public record BatchOptions(int batchSize, int maxSourceLength, int maxTargetLength, boolean lengthBucketing,
                           boolean shuffle, long seed, TruncationMode truncation, boolean addEos) {

    public BatchOptions {
        if (batchSize <= 0 || maxSourceLength < 2 || maxTargetLength < 1) {
            throw new IllegalArgumentException("batchSize " + batchSize + ", maxSourceLength " + maxSourceLength
                    + ", maxTargetLength " + maxTargetLength + ": batch size >= 1, source >= 2, target >= 1");
        }
    }

    /** Batch 8, source 512, target 128, shuffled with seed 42, no bucketing, the template's truncation, EOS added. */
    public static BatchOptions defaults() {
        return new BatchOptions(8, 512, 128, false, true, 42, null, true);
    }

    public BatchOptions withBatchSize(int n) {
        return new BatchOptions(n, maxSourceLength, maxTargetLength, lengthBucketing, shuffle, seed, truncation, addEos);
    }

    public BatchOptions withLengths(int source, int target) {
        return new BatchOptions(batchSize, source, target, lengthBucketing, shuffle, seed, truncation, addEos);
    }

    public BatchOptions withLengthBucketing(boolean on) {
        return new BatchOptions(batchSize, maxSourceLength, maxTargetLength, on, shuffle, seed, truncation, addEos);
    }

    public BatchOptions withShuffle(boolean on) {
        return new BatchOptions(batchSize, maxSourceLength, maxTargetLength, lengthBucketing, on, seed, truncation, addEos);
    }

    public BatchOptions withSeed(long newSeed) {
        return new BatchOptions(batchSize, maxSourceLength, maxTargetLength, lengthBucketing, shuffle, newSeed, truncation, addEos);
    }

    public BatchOptions withTruncation(TruncationMode mode) {
        return new BatchOptions(batchSize, maxSourceLength, maxTargetLength, lengthBucketing, shuffle, seed, mode, addEos);
    }
}
