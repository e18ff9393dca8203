package io.kif4j.transformer.t5;

import io.kif4j.transformer.GenerationResult;
import io.kif4j.transformer.LanguageModel;
import io.kif4j.transformer.ModelInputs;
import io.kif4j.transformer.ScoreResult;
import io.kif4j.transformer.decode.Greedy;
import io.kif4j.transformer.decode.LeanDecoding;
import io.kif4j.transformer.decode.LeanT5Decoder;
import io.kif4j.transformer.nn.LinearAdapter;
import io.kif4j.transformer.nn.WeightTable;
import io.kif4j.weights.HfModelDir;
import io.kif4j.weights.T5Config;
import io.kif4j.weights.WeightSource;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** A T5 encoder-decoder from a HuggingFace directory: scoring, training graphs and greedy generation. */
public final class T5Model implements LanguageModel {

    private final T5Config config;
    private final WeightTable weights;
    private final T5Inputs inputs;
    private final io.kif4j.transformer.nn.ModelGraphs graphs;

    public T5Model(T5Config config, WeightSource source) {
        this.config = config;
        this.weights = new WeightTable(source);
        this.inputs = new T5Inputs(config);
        this.graphs = new io.kif4j.transformer.nn.ModelGraphs(
                (adapter, trainable) -> T5Graph.build(config, weights, adapter, T5Graph.Mode.FULL, trainable),
                adapter -> T5Graph.build(config, weights, adapter, T5Graph.Mode.DECODER_STEP));
        graphs.full(); // loads and checks every weight now
        io.kif4j.transformer.nn.Threads.forModel(weights.taken().values().stream().mapToLong(INDArray::length).sum());
    }

    public static T5Model load(Path dir) {
        HfModelDir d = HfModelDir.open(dir);
        return new T5Model(T5Config.fromJson(d.configFile(), d.config()), d.weights());
    }

    public T5Config config() {
        return config;
    }

    @Override
    public String modelType() {
        return "t5";
    }

    @Override
    public WeightTable weights() {
        return weights;
    }

    @Override
    public LinearAdapter adapter() {
        return graphs.adapter();
    }

    @Override
    public void setTrainableWeights(java.util.function.Predicate<String> trainable) {
        graphs.setTrainable(trainable);
    }

    @Override
    public java.util.function.Predicate<String> trainableWeights() {
        return graphs.trainable();
    }

    @Override
    public void setAdapter(LinearAdapter adapter) {
        graphs.setAdapter(adapter);
    }

    @Override
    public SameDiff trainingGraph() {
        return graphs.full();
    }

    private SameDiff stepGraph() {
        return graphs.step();
    }

    /** Needs labels or decoder_input_ids; decoder_input_ids default to the shift-right of the labels. */
    @Override
    public Map<String, INDArray> placeholders(ModelInputs batch) {
        return inputs.forSequence(batch);
    }

    @Override
    public ScoreResult score(ModelInputs batch) {
        Map<String, INDArray> ph = placeholders(batch);
        io.kif4j.transformer.nn.NativeMemory.afterStep();
        if (batch.labels() == null) {
            return new ScoreResult(trainingGraph().outputSingle(ph, T5Graph.LOGITS), Double.NaN);
        }
        Map<String, INDArray> out = trainingGraph().output(ph, T5Graph.LOGITS, T5Graph.LOSS);
        boolean anyLabel = ph.get(T5Graph.LABEL_WEIGHTS).sumNumber().doubleValue() > 0;
        return new ScoreResult(out.get(T5Graph.LOGITS), anyLabel ? out.get(T5Graph.LOSS).getDouble(0) : Double.NaN);
    }

    /** The encoder's last hidden state [B, S, d_model] (after the final norm), for checks and debugging. */
    public INDArray encode(ModelInputs batch) {
        Map<String, INDArray> ph = inputs.encoder(batch.inputIds(), batch.attentionMask());
        return trainingGraph().outputSingle(ph, T5Graph.ENCODER_LAST_HIDDEN_STATE);
    }

    /**
     * HF greedy semantics: the decoder starts from decoder_start_token_id over the encoded prompt; with
     * {@code stopAtEos} a row that emits EOS is filled with pad and decoding ends when all rows have stopped.
     * The first step runs the full graph (encoder + decoder) and keeps the cross-attention keys/values of every
     * decoder block; later steps run the decoder alone on the new token with both caches.
     */
    @Override
    public GenerationResult generate(ModelInputs prompt, int maxNewTokens, boolean stopAtEos) {
        int b = prompt.batchSize();
        int start = config.decoderStartTokenId();
        int layers = config.numDecoderLayers();
        Map<String, INDArray> ph = inputs.encoder(prompt.inputIds(), prompt.attentionMask());
        ph.putAll(inputs.decoder(T5Inputs.column(b, start), 0));
        String[] firstOuts = new String[1 + 4 * layers];
        String[] stepOuts = new String[1 + 2 * layers];
        firstOuts[0] = T5Graph.LOGITS;
        stepOuts[0] = T5Graph.LOGITS;
        for (int i = 0; i < layers; i++) {
            stepOuts[1 + 2 * i] = firstOuts[1 + 4 * i] = T5Graph.presentKey(i);
            stepOuts[2 + 2 * i] = firstOuts[2 + 4 * i] = T5Graph.presentValue(i);
            firstOuts[3 + 4 * i] = T5Graph.crossKey(i);
            firstOuts[4 + 4 * i] = T5Graph.crossValue(i);
        }
        Map<String, INDArray> first = trainingGraph().output(ph, firstOuts);
        Greedy.Step step = LeanDecoding.use(graphs.adapter(), config.denseActFn(), first.get(T5Graph.LOGITS).dataType())
                ? leanSteps(first, prompt.attentionMask(), maxNewTokens)
                : graphSteps(first, ph.get(T5Graph.ENCODER_ATTN_BIAS), stepOuts, b);
        Greedy.Decoded decoded = Greedy.run(first.get(T5Graph.LOGITS).reshape(b, config.vocabSize()), maxNewTokens,
                stopAtEos, config.eosTokenId(), config.padTokenId(), step);
        List<int[]> newTokens = decoded.tokens();
        int steps = newTokens.size();
        int[][] gen = new int[b][steps];
        int[][] seq = new int[b][steps + 1];
        for (int r = 0; r < b; r++) {
            seq[r][0] = start;
            for (int s = 0; s < steps; s++) {
                gen[r][s] = newTokens.get(s)[r];
                seq[r][s + 1] = gen[r][s];
            }
        }
        return new GenerationResult(seq, gen, decoded.logits());
    }

    /** Decoding steps on the lean decoder, its caches filled from the graph's first step. */
    private Greedy.Step leanSteps(Map<String, INDArray> first, int[][] encoderMask, int maxNewTokens) {
        LeanT5Decoder lean = new LeanT5Decoder(config, weights, graphs.adapter(), encoderMask, maxNewTokens + 1,
                rel -> inputs.bucket(rel, false));
        for (int i = 0; i < config.numDecoderLayers(); i++) {
            lean.load(i, first.get(T5Graph.presentKey(i)), first.get(T5Graph.presentValue(i)),
                    first.get(T5Graph.crossKey(i)), first.get(T5Graph.crossValue(i)));
        }
        int[] position = {1};
        return next -> lean.step(next, position[0]++);
    }

    /** Decoding steps on the DECODER_STEP graph: the cache holds the start token and the tokens before. */
    private Greedy.Step graphSteps(Map<String, INDArray> first, INDArray encoderBias, String[] stepOuts, int b) {
        int layers = config.numDecoderLayers();
        Map<String, INDArray> cached = new HashMap<>();
        cached.put(T5Graph.ENCODER_ATTN_BIAS, encoderBias);
        for (int i = 0; i < layers; i++) {
            cached.put(T5Graph.crossKey(i), first.get(T5Graph.crossKey(i)));
            cached.put(T5Graph.crossValue(i), first.get(T5Graph.crossValue(i)));
        }
        List<Map<String, INDArray>> out = new ArrayList<>(List.of(first));
        int[] past = {1};
        return next -> {
            int[][] ids = new int[b][1];
            for (int r = 0; r < b; r++) {
                ids[r][0] = next[r];
            }
            Map<String, INDArray> sp = new HashMap<>(cached);
            sp.putAll(inputs.decoder(ids, past[0]++));
            for (int i = 0; i < layers; i++) {
                sp.put(T5Graph.pastKey(i), out.get(0).get(T5Graph.presentKey(i)));
                sp.put(T5Graph.pastValue(i), out.get(0).get(T5Graph.presentValue(i)));
            }
            out.set(0, stepGraph().output(sp, stepOuts));
            return out.get(0).get(T5Graph.LOGITS).reshape(b, config.vocabSize());
        };
    }

    /**
     * Log-likelihoods of several label sequences per prompt, encoding each prompt once: the full graph runs the
     * encoder and the decoder's start position over the prompts (as generation's first step does), then the
     * decoding graph runs the rest of every label at once, each with its prompt's cross-attention keys and values
     * and the start position's cache. For label ranking this replaces L encoder passes per example with one.
     *
     * @param inputIds      [P][S] right-padded prompts, with their attention mask
     * @param labels        [P][L_p][len] each prompt's candidate decoder targets (at least one token each)
     * @param counted       same shape as {@code labels}: which label tokens enter the sum
     * @return [P][L_p]: Σ over counted t of log p(label[t] | prompt, label[&lt;t])
     */
    public double[][] labelLogLikelihoods(int[][] inputIds, int[][] attentionMask, int[][][] labels,
                                          boolean[][][] counted) {
        int b = inputIds.length;
        int layers = config.numDecoderLayers();
        int vocab = config.vocabSize();
        Map<String, INDArray> ph = inputs.encoder(inputIds, attentionMask);
        ph.putAll(inputs.decoder(T5Inputs.column(b, config.decoderStartTokenId()), 0));
        String[] firstOuts = new String[1 + 4 * layers];
        String[] stepOuts = {T5Graph.LOGITS};
        firstOuts[0] = T5Graph.LOGITS;
        for (int i = 0; i < layers; i++) {
            firstOuts[1 + 4 * i] = T5Graph.presentKey(i);
            firstOuts[2 + 4 * i] = T5Graph.presentValue(i);
            firstOuts[3 + 4 * i] = T5Graph.crossKey(i);
            firstOuts[4 + 4 * i] = T5Graph.crossValue(i);
        }
        Map<String, INDArray> out = trainingGraph().output(ph, firstOuts);
        float[] first = out.get(T5Graph.LOGITS).dup('c').data().asFloat();                 // [P, 1, V]

        // one decoding-graph row per (prompt, label) with the label's tokens 0..len−2 as input, right-padded
        List<int[]> owner = new ArrayList<>();
        int stepLen = 1;
        for (int p = 0; p < b; p++) {
            for (int j = 0; j < labels[p].length; j++) {
                owner.add(new int[]{p, j});
                stepLen = Math.max(stepLen, labels[p][j].length - 1);
            }
        }
        int rows = owner.size();
        int[][] ids = new int[rows][stepLen];
        long[] rowOf = new long[rows];
        for (int r = 0; r < rows; r++) {
            int[] label = labels[owner.get(r)[0]][owner.get(r)[1]];
            rowOf[r] = owner.get(r)[0];
            java.util.Arrays.fill(ids[r], config.padTokenId());
            for (int t = 0; t + 1 < label.length; t++) {
                ids[r][t] = label[t] == -100 ? config.padTokenId() : label[t]; // as HF's shift-right
            }
        }
        float[] rest = null;
        if (owner.stream().anyMatch(o -> labels[o[0]][o[1]].length > 1)) {
            Map<String, INDArray> sp = inputs.decoder(ids, 1);
            sp.put(T5Graph.ENCODER_ATTN_BIAS, io.kif4j.transformer.nn.Rows.of(ph.get(T5Graph.ENCODER_ATTN_BIAS), rowOf));
            for (int i = 0; i < layers; i++) {
                for (String name : new String[]{T5Graph.crossKey(i), T5Graph.crossValue(i)}) {
                    sp.put(name, io.kif4j.transformer.nn.Rows.of(out.get(name), rowOf));
                }
                sp.put(T5Graph.pastKey(i), io.kif4j.transformer.nn.Rows.of(out.get(T5Graph.presentKey(i)), rowOf));
                sp.put(T5Graph.pastValue(i), io.kif4j.transformer.nn.Rows.of(out.get(T5Graph.presentValue(i)), rowOf));
            }
            rest = stepGraph().output(sp, stepOuts).get(T5Graph.LOGITS).dup('c').data().asFloat(); // [rows, len, V]
        }
        double[][] result = new double[b][];
        for (int p = 0; p < b; p++) {
            result[p] = new double[labels[p].length];
        }
        for (int r = 0; r < rows; r++) {
            int p = owner.get(r)[0];
            int j = owner.get(r)[1];
            double sum = 0;
            for (int t = 0; t < labels[p][j].length; t++) {
                if (counted[p][j][t]) {
                    sum += t == 0 ? io.kif4j.transformer.LogProbs.logSoftmaxAt(first, p * vocab, vocab, labels[p][j][0])
                            : io.kif4j.transformer.LogProbs.logSoftmaxAt(rest, (r * stepLen + t - 1) * vocab, vocab,
                            labels[p][j][t]);
                }
            }
            result[p][j] = sum;
        }
        io.kif4j.transformer.nn.NativeMemory.afterStep();
        return result;
    }

    @Override
    public int eosTokenId() {
        return config.eosTokenId();
    }

    @Override
    public int padTokenId() {
        return config.padTokenId();
    }

    @Override
    public int vocabSize() {
        return config.vocabSize();
    }
}
