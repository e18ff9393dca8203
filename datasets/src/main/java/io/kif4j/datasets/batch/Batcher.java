package io.kif4j.datasets.batch;

import io.kif4j.datasets.Example;
import io.kif4j.datasets.Sampling;
import io.kif4j.datasets.TaskInfo;
import io.kif4j.datasets.prompt.Prompt;
import io.kif4j.datasets.prompt.PromptTemplate;
import io.kif4j.datasets.prompt.TruncationMode;
import io.kif4j.tokenizer.Tokenizer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

/**
 * Renders prompts, tokenizes them and pads them into {@link TokenizedBatch}es for either model family.
 * Encode once per task ({@link #encode(TaskInfo, List)}), then draw each epoch's batches with
 * {@link #batches(List, int)}. Not thread-safe (it counts truncations).
 *
 * <p>LLaMA sequences are tokenized as alpaca-lora does: the prompt and the full text (prompt + target) are
 * tokenized separately, and the first {@code len(prompt)} tokens of the full text are the prompt part. This keeps
 * SentencePiece's tokenization of the target as it is in running text.
 */
public final class Batcher {

    private static final Logger LOG = LoggerFactory.getLogger(Batcher.class);

    /** Examples per length bucket, in batches: enough to sort meaningfully, few enough to keep the order random. */
    private static final int BUCKET_BATCHES = 50;

    /** T5's pad id, which is also its decoder start id. */
    private static final int T5_PAD = 0;

    private final ModelFamily family;
    private final Tokenizer tokenizer;
    private final PromptTemplate template;
    private final BatchOptions options;
    private final TruncationMode truncation;
    private TruncationStats stats = TruncationStats.NONE;

    public Batcher(ModelFamily family, Tokenizer tokenizer, PromptTemplate template, BatchOptions options) {
        this.family = family;
        this.tokenizer = tokenizer;
        this.template = template;
        this.options = options;
        this.truncation = options.truncation() != null ? options.truncation() : template.truncation();
    }

    /**
     * This batcher with another target budget (same tokenizer, template and source budget), e.g. unbounded for
     * scoring candidate labels whole.
     */
    public Batcher withMaxTargetLength(int maxTargetLength) {
        return new Batcher(family, tokenizer, template, options.withLengths(options.maxSourceLength(), maxTargetLength));
    }

    public ModelFamily family() {
        return family;
    }

    public BatchOptions options() {
        return options;
    }

    /** Truncations counted since this batcher was made. */
    public TruncationStats truncationStats() {
        return stats;
    }

    /** Pad id of LLaMA batches: the tokenizer's pad, else EOS (as HF does for LLaMA-2), else 0. */
    public int llamaPadId() {
        if (tokenizer.padId() >= 0) {
            return tokenizer.padId();
        }
        return tokenizer.eosId() >= 0 ? tokenizer.eosId() : 0;
    }

    /** Encodes a task's examples and logs how many were truncated. */
    public List<EncodedExample> encode(TaskInfo task, List<Example> examples) {
        List<TaskExample> items = new ArrayList<>(examples.size());
        for (Example e : examples) {
            items.add(new TaskExample(task, e));
        }
        return encodeAll(items);
    }

    /** Encodes examples of possibly several tasks and logs how many were truncated. */
    public List<EncodedExample> encodeAll(List<TaskExample> items) {
        List<EncodedExample> out = new ArrayList<>(items.size());
        int src = 0;
        int tgt = 0;
        for (TaskExample item : items) {
            EncodedExample e = encode(item.task(), item.example());
            out.add(e);
            src += e.sourceTruncated() ? 1 : 0;
            tgt += e.targetTruncated() ? 1 : 0;
        }
        String what = items.isEmpty() ? "-" : items.get(0).task().name() + (items.stream().map(i -> i.task().name()).distinct().count() > 1 ? " (+ others)" : "");
        if (src > 0 || tgt > 0) {
            LOG.warn("{}: {} of {} prompts truncated to {} tokens, {} targets truncated to {} tokens",
                    what, src, items.size(), options.maxSourceLength(), tgt, options.maxTargetLength());
        } else {
            LOG.debug("{}: {} examples encoded, none truncated", what, items.size());
        }
        return out;
    }

    /** Encodes one example (and counts it in {@link #truncationStats()}). */
    public EncodedExample encode(TaskInfo task, Example example) {
        EncodedExample e = family == ModelFamily.T5 ? encodeT5(task, example) : encodeLlama(task, example);
        stats = stats.plus(new TruncationStats(1, e.sourceTruncated() ? 1 : 0, e.targetTruncated() ? 1 : 0));
        return e;
    }

    /**
     * The ids a model generates from: T5, the prompt ending in EOS; LLaMA, BOS + prompt. Truncated as in training.
     */
    public int[] promptIds(TaskInfo task, Example example) {
        if (family == ModelFamily.T5) {
            return encodeT5(task, example).inputIds();
        }
        EncodedExample e = encodeLlama(task, example);
        return Arrays.copyOf(e.inputIds(), e.promptLength());
    }

    private EncodedExample encodeT5(TaskInfo task, Example example) {
        Fitted prompt = fitPrompt(template.render(task, example), options.maxSourceLength() - 1);
        int[] source = append(prompt.ids, tokenizer.eosId());
        int[] target = tokenizer.encode(example.output());
        boolean targetCut = target.length > options.maxTargetLength() - 1;
        if (targetCut) {
            target = Arrays.copyOf(target, options.maxTargetLength() - 1);
        }
        int[] labels = append(target, tokenizer.eosId());
        return new EncodedExample(task.name(), example.id(), source, labels, source.length, prompt.truncated, targetCut);
    }

    private EncodedExample encodeLlama(TaskInfo task, Example example) {
        int bos = tokenizer.bosId();
        int budget = options.maxSourceLength() - (bos >= 0 ? 1 : 0);
        Fitted prompt = fitPrompt(template.render(task, example), budget);
        int[] full = tokenizer.encode(prompt.text + example.output());
        int promptLen = Math.min(prompt.untruncatedLength, full.length);
        int[] promptPart = Arrays.copyOf(full, Math.min(promptLen, budget));
        int[] targetPart = Arrays.copyOfRange(full, promptLen, full.length);
        if (options.addEos() && tokenizer.eosId() >= 0) {
            targetPart = append(targetPart, tokenizer.eosId());
        }
        boolean targetCut = targetPart.length > options.maxTargetLength();
        if (targetCut) {
            targetPart = Arrays.copyOf(targetPart, options.maxTargetLength());
        }
        int head = (bos >= 0 ? 1 : 0) + promptPart.length;
        int[] ids = new int[head + targetPart.length];
        int[] labels = new int[ids.length];
        int k = 0;
        if (bos >= 0) {
            ids[k++] = bos;
        }
        System.arraycopy(promptPart, 0, ids, k, promptPart.length);
        System.arraycopy(targetPart, 0, ids, head, targetPart.length);
        Arrays.fill(labels, 0, head, TokenizedBatch.IGNORE);
        System.arraycopy(targetPart, 0, labels, head, targetPart.length);
        return new EncodedExample(task.name(), example.id(), ids, labels, head, prompt.truncated, targetCut);
    }

    /** A prompt's text and ids within {@code budget} tokens, cut as the truncation mode says. */
    private record Fitted(String text, int[] ids, int untruncatedLength, boolean truncated) {
    }

    private Fitted fitPrompt(Prompt prompt, int budget) {
        String text = prompt.text();
        int[] ids = tokenizer.encode(text);
        if (ids.length <= budget) {
            return new Fitted(text, ids, ids.length, false);
        }
        if (truncation == TruncationMode.INPUT) {
            // Shorten the input by the overflow in tokens and re-tokenize, until the whole prompt fits.
            int[] inputIds = tokenizer.encode(prompt.input());
            int keep = inputIds.length - (ids.length - budget);
            while (keep > 0) {
                String candidate = prompt.withInput(tokenizer.decode(Arrays.copyOf(inputIds, keep))).text();
                int[] candidateIds = tokenizer.encode(candidate);
                if (candidateIds.length <= budget) {
                    return new Fitted(candidate, candidateIds, candidateIds.length, true);
                }
                keep -= Math.max(1, candidateIds.length - budget);
            }
            text = prompt.withInput("").text();
            ids = tokenizer.encode(text);
            if (ids.length <= budget) {
                return new Fitted(text, ids, ids.length, true);
            }
            // The template alone is too long: fall through to cutting its end.
        }
        return new Fitted(text, Arrays.copyOf(ids, budget), ids.length, true);
    }

    /**
     * The batches of one epoch: shuffled from the seed and the epoch number (when shuffling), bucketed by
     * length (when asked), the last batch possibly smaller.
     */
    public List<TokenizedBatch> batches(List<EncodedExample> encoded, int epoch) {
        List<EncodedExample> order = encoded;
        Random random = new Random(Sampling.seedFor(options.seed(), "batches", "epoch-" + epoch));
        if (options.shuffle()) {
            order = Sampling.shuffled(encoded, random);
        }
        int bs = options.batchSize();
        List<List<EncodedExample>> groups = new ArrayList<>();
        if (options.lengthBucketing()) {
            int window = bs * BUCKET_BATCHES;
            for (int start = 0; start < order.size(); start += window) {
                List<EncodedExample> bucket = new ArrayList<>(order.subList(start, Math.min(order.size(), start + window)));
                bucket.sort(Comparator.comparingInt(EncodedExample::length)); // stable: ties keep shuffled order
                for (int i = 0; i < bucket.size(); i += bs) {
                    groups.add(bucket.subList(i, Math.min(bucket.size(), i + bs)));
                }
            }
            if (options.shuffle()) {
                groups = Sampling.shuffled(groups, random);
            }
        } else {
            for (int i = 0; i < order.size(); i += bs) {
                groups.add(order.subList(i, Math.min(order.size(), i + bs)));
            }
        }
        List<TokenizedBatch> out = new ArrayList<>(groups.size());
        for (List<EncodedExample> g : groups) {
            out.add(collate(g));
        }
        return out;
    }

    /** Pads a group of encoded examples into one batch. */
    public TokenizedBatch collate(List<EncodedExample> group) {
        if (group.isEmpty()) {
            throw new IllegalArgumentException("empty batch");
        }
        int n = group.size();
        List<String> tasks = group.stream().map(EncodedExample::task).toList();
        List<String> ids = group.stream().map(EncodedExample::id).toList();
        int srcLen = group.stream().mapToInt(e -> e.inputIds().length).max().orElseThrow();
        int pad = family == ModelFamily.T5 ? T5_PAD : llamaPadId();
        int[][] inputIds = new int[n][srcLen];
        int[][] mask = new int[n][srcLen];
        for (int r = 0; r < n; r++) {
            int[] src = group.get(r).inputIds();
            Arrays.fill(inputIds[r], pad);
            System.arraycopy(src, 0, inputIds[r], 0, src.length);
            Arrays.fill(mask[r], 0, src.length, 1);
        }
        if (family == ModelFamily.LLAMA) {
            int[][] labels = new int[n][srcLen];
            for (int r = 0; r < n; r++) {
                int[] lab = group.get(r).labels();
                Arrays.fill(labels[r], TokenizedBatch.IGNORE);
                System.arraycopy(lab, 0, labels[r], 0, lab.length);
            }
            return new TokenizedBatch(family, tasks, ids, inputIds, mask, labels, null);
        }
        int tgtLen = group.stream().mapToInt(e -> e.labels().length).max().orElseThrow();
        int[][] labels = new int[n][tgtLen];
        int[][] decoderInputs = new int[n][tgtLen];
        for (int r = 0; r < n; r++) {
            int[] lab = group.get(r).labels();
            Arrays.fill(labels[r], TokenizedBatch.IGNORE);
            System.arraycopy(lab, 0, labels[r], 0, lab.length);
            // shift right: start token 0, then labels[0..len-2], with -100 (padding) read as pad 0
            decoderInputs[r][0] = T5_PAD;
            for (int j = 1; j < tgtLen; j++) {
                int prev = labels[r][j - 1];
                decoderInputs[r][j] = prev == TokenizedBatch.IGNORE ? T5_PAD : prev;
            }
        }
        return new TokenizedBatch(family, tasks, ids, inputIds, mask, labels, decoderInputs);
    }

    private static int[] append(int[] ids, int id) {
        int[] out = Arrays.copyOf(ids, ids.length + 1);
        out[ids.length] = id;
        return out;
    }
}
