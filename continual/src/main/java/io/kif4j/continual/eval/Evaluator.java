package io.kif4j.continual.eval;

import io.kif4j.lora.AttachedAdapter;
import io.kif4j.continual.data.ModelBatches;
import io.kif4j.continual.metrics.ScoringOptions;
import io.kif4j.continual.metrics.TaskMetrics;
import io.kif4j.continual.metrics.TaskScore;
import io.kif4j.datasets.Example;
import io.kif4j.datasets.TaskInfo;
import io.kif4j.datasets.batch.Batcher;
import io.kif4j.datasets.batch.EncodedExample;
import io.kif4j.datasets.batch.ModelFamily;
import io.kif4j.datasets.batch.TokenizedBatch;
import io.kif4j.lora.train.Progress;
import io.kif4j.transformer.GenerationResult;
import io.kif4j.transformer.LanguageModel;
import io.kif4j.transformer.LogProbs;
import io.kif4j.transformer.ModelInputs;
import io.kif4j.transformer.family.ContinuationScorer;
import io.kif4j.transformer.family.Families;
import io.kif4j.transformer.t5.T5Model;
import io.kif4j.tokenizer.Tokenizer;
import io.kif4j.common.CrashPoints;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Scores a model on a task's test examples, the papers' way ({@link Mode#GENERATE}: greedy decoding, then exact
 * match or ROUGE-L per task) or by label likelihood ({@link Mode#RANK_LABELS}: for classification tasks, the label
 * whose sequence log-likelihood given the prompt is highest — what lets a tiny model that never emits EOS show
 * what it learned).
 */
public final class Evaluator {

    public enum Mode {
        GENERATE, RANK_LABELS;

        public static Mode parse(String s) {
            return switch (s) {
                case "generate" -> GENERATE;
                case "rank-labels" -> RANK_LABELS;
                default -> throw new IllegalArgumentException("--eval must be generate or rank-labels, got " + s);
            };
        }
    }

    /** One prediction, as written to predictions/<task>.jsonl. */
    public record Prediction(String id, String task, String prediction, String reference, String metric) {
    }

    public record Result(TaskScore score, List<Prediction> predictions) {
    }

    private final LanguageModel model;
    private final Tokenizer tokenizer;
    private final Batcher batcher;
    private final Mode mode;
    private final int maxNewTokens;
    private final int batchSize;
    private final ScoringOptions scoring;
    private final TaskMetrics metrics = TaskMetrics.builtIn();
    private Progress progress = Progress.NONE; // the running evaluate() call's

    public Evaluator(LanguageModel model, Tokenizer tokenizer, Batcher batcher, Mode mode, int maxNewTokens,
                     int batchSize, ScoringOptions scoring) {
        this.model = model;
        this.tokenizer = tokenizer;
        this.batcher = batcher;
        this.mode = mode;
        this.maxNewTokens = maxNewTokens;
        this.batchSize = batchSize;
        this.scoring = scoring;
    }

    /** Scores {@code theta} (attached for evaluation, {@link io.kif4j.lora.Lora#use} with mode EVAL) on {@code test}. */
    public Result evaluate(AttachedAdapter theta, TaskInfo task, List<Example> test) {
        if (theta.mode() != AttachedAdapter.Mode.EVAL || theta.model() != model) {
            throw new IllegalArgumentException("evaluation takes an adapter attached to this model for evaluation");
        }
        theta.ensure();
        return evaluate(task, test);
    }

    /** Scores the model with whatever adapter is attached to it. */
    public Result evaluate(TaskInfo task, List<Example> test) {
        String metric = metrics.metricFor(task);
        boolean rank = mode == Mode.RANK_LABELS && task.isClassification();
        List<String> predictions;
        try (Progress bar = Progress.of("eval", test.size(), "example")) {
            progress = bar;
            predictions = rank ? rankLabels(task, test) : generate(task, test);
        } finally {
            progress = Progress.NONE;
        }
        List<String> refs = test.stream().map(Example::output).toList();
        List<Prediction> out = new ArrayList<>();
        for (int i = 0; i < test.size(); i++) {
            out.add(new Prediction(test.get(i).id(), task.name(), predictions.get(i), refs.get(i), metric));
        }
        return new Result(TaskScore.of(task.name(), metric, predictions, refs, scoring), out);
    }

    private List<String> generate(TaskInfo task, List<Example> test) {
        List<String> preds = new ArrayList<>();
        boolean llama = batcher.family() == ModelFamily.LLAMA;
        for (int start = 0; start < test.size(); start += batchSize) {
            List<Example> chunk = test.subList(start, Math.min(test.size(), start + batchSize));
            List<int[]> prompts = chunk.stream().map(e -> batcher.promptIds(task, e)).toList();
            int len = prompts.stream().mapToInt(p -> p.length).max().orElseThrow();
            int[][] ids = new int[chunk.size()][len];
            int[][] mask = new int[chunk.size()][len];
            for (int r = 0; r < prompts.size(); r++) {
                int[] p = prompts.get(r);
                int offset = llama ? len - p.length : 0; // LLaMA left-pads for generation, T5 right-pads
                Arrays.fill(ids[r], model.padTokenId());
                System.arraycopy(p, 0, ids[r], offset, p.length);
                Arrays.fill(mask[r], offset, offset + p.length, 1);
            }
            GenerationResult g = model.generate(new ModelInputs(ids, mask, null, null, null), maxNewTokens, true);
            CrashPoints.pass("eval");
            for (int[] row : g.newTokens()) {
                preds.add(tokenizer.decode(untilEos(row)).strip());
            }
            progress.examplesDone(preds.size());
        }
        return preds;
    }

    private int[] untilEos(int[] ids) {
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] == model.eosTokenId()) {
                return Arrays.copyOf(ids, i);
            }
        }
        return ids;
    }

    /** argmax over the label set of log p(label | prompt), summed over the label's target tokens. */
    private List<String> rankLabels(TaskInfo task, List<Example> test) {
        List<String> labels = task.labels();
        List<EncodedExample> pairs = rankingPairs(batcher, task, test);
        Optional<ContinuationScorer> scorer = Families.of(model).continuationScorer(model);
        double[] loglik = scorer.isPresent() && batcher.family() == ModelFamily.LLAMA
                ? sharedPromptLogLikelihoods(scorer.get(), pairs, labels.size())
                : model instanceof T5Model t5 && batcher.family() == ModelFamily.T5
                ? encodedOnceLogLikelihoods(t5, pairs, labels.size()) : null;
        if (loglik == null) {
            loglik = fullSequenceLogLikelihoods(pairs);
        }
        List<String> preds = new ArrayList<>();
        for (int i = 0; i < test.size(); i++) {
            int best = 0;
            for (int l = 1; l < labels.size(); l++) {
                if (loglik[i * labels.size() + l] > loglik[i * labels.size() + best]) {
                    best = l;
                }
            }
            preds.add(labels.get(best));
        }
        return preds;
    }

    /**
     * The (prompt, label) encodings of every test example with every candidate label, prompts cut as in training
     * but labels whole, EOS included. A label cut to the target budget would skip tokens every other candidate pays
     * for: with stories260K, whose EOS row is tied to 168 never-seen tokens, EOS costs about 5.3 nats whatever the
     * adapter learns, so the one label long enough to lose its EOS won every example (docs/METRICS.md).
     */
    static List<EncodedExample> rankingPairs(Batcher batcher, TaskInfo task, List<Example> test) {
        Batcher whole = batcher.withMaxTargetLength(Integer.MAX_VALUE);
        List<EncodedExample> pairs = new ArrayList<>();
        for (Example e : test) {
            for (String label : task.labels()) {
                pairs.add(whole.encode(task, new Example(e.id(), e.input(), label)));
            }
        }
        return pairs;
    }

    /** Scores every (prompt + label) sequence in batches of {@code batchSize}. */
    double[] fullSequenceLogLikelihoods(List<EncodedExample> pairs) {
        double[] loglik = new double[pairs.size()];
        for (int start = 0; start < pairs.size(); start += batchSize) {
            int end = Math.min(pairs.size(), start + batchSize);
            TokenizedBatch b = batcher.collate(pairs.subList(start, end));
            INDArray logits = model.score(ModelBatches.inputs(b).withoutLabels()).logits();
            double[] ll = sequenceLogLikelihood(logits, b.labels(), batcher.family() == ModelFamily.LLAMA);
            CrashPoints.pass("eval");
            System.arraycopy(ll, 0, loglik, start, ll.length);
            progress.examplesDone((long) end * progress.total() / pairs.size()); // pairs: examples × labels
        }
        return loglik;
    }

    /**
     * LLaMA: the L encodings of one example share their prompt, so each prompt runs once and the L label
     * continuations run against its cached keys and values ({@link LlamaModel#continuationLogLikelihoods}); the
     * sums are those of scoring every full sequence. The shared part is the common prefix of the L encodings, cut
     * before the first labelled token. Returns null (the caller scores full sequences) if some example has no
     * shared prompt.
     */
    double[] sharedPromptLogLikelihoods(ContinuationScorer scorer, List<EncodedExample> pairs, int perExample) {
        int examples = pairs.size() / perExample;
        int[][] prompts = new int[examples][];
        int[][][] conts = new int[examples][perExample][];
        boolean[][][] counted = new boolean[examples][perExample][];
        for (int e = 0; e < examples; e++) {
            int shared = Integer.MAX_VALUE;
            int[] first = pairs.get(e * perExample).inputIds();
            for (int l = 0; l < perExample; l++) {
                EncodedExample x = pairs.get(e * perExample + l);
                int c = 0;
                while (c < first.length && c < x.inputIds().length && first[c] == x.inputIds()[c]
                        && x.labels()[c] == -100) {
                    c++;
                }
                shared = Math.min(shared, c);
            }
            if (shared < 1) {
                return null;
            }
            prompts[e] = Arrays.copyOf(first, shared);
            for (int l = 0; l < perExample; l++) {
                EncodedExample x = pairs.get(e * perExample + l);
                conts[e][l] = Arrays.copyOfRange(x.inputIds(), shared, x.inputIds().length);
                counted[e][l] = new boolean[conts[e][l].length];
                for (int t = 0; t < conts[e][l].length; t++) {
                    counted[e][l][t] = x.labels()[shared + t] != -100;
                }
            }
        }
        double[] out = new double[pairs.size()];
        for (int start = 0; start < examples; start += batchSize) {
            int end = Math.min(examples, start + batchSize);
            double[][] ll = scorer.logLikelihoods(Arrays.copyOfRange(prompts, start, end),
                    Arrays.copyOfRange(conts, start, end), Arrays.copyOfRange(counted, start, end));
            CrashPoints.pass("eval");
            for (int e = start; e < end; e++) {
                System.arraycopy(ll[e - start], 0, out, e * perExample, perExample);
            }
            progress.examplesDone(end);
        }
        return out;
    }

    /**
     * T5: the L encodings of one example share their encoder input, so each prompt is encoded once and its L labels
     * decoded against it ({@link T5Model#labelLogLikelihoods}); the sums are those of scoring every pair whole.
     * Returns null (the caller scores whole pairs) if the L encodings of some example have different prompts.
     */
    double[] encodedOnceLogLikelihoods(T5Model t5, List<EncodedExample> pairs, int perExample) {
        int examples = pairs.size() / perExample;
        double[] out = new double[pairs.size()];
        for (int start = 0; start < examples; start += batchSize) {
            int end = Math.min(examples, start + batchSize);
            int width = 0;
            for (int e = start; e < end; e++) {
                width = Math.max(width, pairs.get(e * perExample).inputIds().length);
            }
            int[][] ids = new int[end - start][width];
            int[][] mask = new int[end - start][width];
            int[][][] labels = new int[end - start][perExample][];
            boolean[][][] counted = new boolean[end - start][perExample][];
            for (int e = start; e < end; e++) {
                int[] prompt = pairs.get(e * perExample).inputIds();
                Arrays.fill(ids[e - start], model.padTokenId());
                System.arraycopy(prompt, 0, ids[e - start], 0, prompt.length); // T5 right-pads
                Arrays.fill(mask[e - start], 0, prompt.length, 1);
                for (int l = 0; l < perExample; l++) {
                    EncodedExample x = pairs.get(e * perExample + l);
                    if (!Arrays.equals(prompt, x.inputIds()) || x.labels().length == 0) {
                        return null;
                    }
                    labels[e - start][l] = x.labels();
                    counted[e - start][l] = new boolean[x.labels().length];
                    for (int t = 0; t < x.labels().length; t++) {
                        counted[e - start][l][t] = x.labels()[t] != -100;
                    }
                }
            }
            double[][] ll = t5.labelLogLikelihoods(ids, mask, labels, counted);
            CrashPoints.pass("eval");
            for (int e = start; e < end; e++) {
                System.arraycopy(ll[e - start], 0, out, e * perExample, perExample);
            }
        }
        return out;
    }

    /** Σ_t log softmax(logits_t)[y_t] over labelled positions; LLaMA logits at t predict the label at t+1. */
    static double[] sequenceLogLikelihood(INDArray logits, int[][] labels, boolean shifted) {
        int b = (int) logits.size(0);
        int t = (int) logits.size(1);
        int v = (int) logits.size(2);
        float[] x = logits.dup('c').data().asFloat();
        double[] out = new double[b];
        for (int r = 0; r < b; r++) {
            for (int i = 0; i < t; i++) {
                int target = shifted ? (i + 1 < labels[r].length ? labels[r][i + 1] : -100) : labels[r][i];
                if (target != -100) {
                    out[r] += LogProbs.logSoftmaxAt(x, (r * t + i) * v, v, target);
                }
            }
        }
        return out;
    }
}
