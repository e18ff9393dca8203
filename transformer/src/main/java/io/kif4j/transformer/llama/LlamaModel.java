package io.kif4j.transformer.llama;

import io.kif4j.transformer.GenerationResult;
import io.kif4j.transformer.LanguageModel;
import io.kif4j.transformer.LogProbs;
import io.kif4j.transformer.ModelInputs;
import io.kif4j.transformer.ScoreResult;
import io.kif4j.transformer.nn.LinearAdapter;
import io.kif4j.transformer.nn.WeightTable;
import io.kif4j.transformer.family.Families;
import io.kif4j.transformer.decode.Greedy;
import io.kif4j.transformer.decode.LeanDecoding;
import io.kif4j.transformer.decode.LeanLlama;
import io.kif4j.common.KifInputException;
import io.kif4j.weights.LlamaConfig;
import io.kif4j.weights.WeightSource;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A LLaMA-style causal LM (llama, qwen2, mistral, gemma: see {@link io.kif4j.transformer.family.Families}):
 * scoring, training graphs and greedy generation.
 */
public final class LlamaModel implements LanguageModel {

    private final LlamaConfig config;
    private final WeightTable weights;
    private final LlamaRotaryEmbedding rope;
    private final int padTokenId;
    private final io.kif4j.transformer.nn.ModelGraphs graphs;

    public LlamaModel(LlamaConfig config, WeightSource source, int padTokenId) {
        this.config = config;
        this.weights = new WeightTable(source);
        this.rope = new LlamaRotaryEmbedding(config.headDim(), config.ropeTheta(), config.ropeScaling());
        this.padTokenId = padTokenId;
        this.graphs = new io.kif4j.transformer.nn.ModelGraphs(
                (adapter, trainable) -> LlamaGraph.build(config, weights, adapter, false, trainable),
                adapter -> LlamaGraph.build(config, weights, adapter, true));
        graphs.full(); // loads and checks every weight now
        io.kif4j.transformer.nn.Threads.forModel(weights.taken().values().stream().mapToLong(INDArray::length).sum());
    }

    /** A directory of any family built on LLaMA's blocks (llama, qwen2, mistral, gemma). */
    public static LlamaModel load(Path dir) {
        LanguageModel m = Families.load(dir);
        if (!(m instanceof LlamaModel llama)) {
            throw KifInputException.of(dir.resolve("config.json"), "model_type: '" + m.modelType()
                    + "' is not a decoder-only family");
        }
        return llama;
    }

    public LlamaConfig config() {
        return config;
    }

    @Override
    public String modelType() {
        return config.modelType();
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

    @Override
    public Map<String, INDArray> placeholders(ModelInputs inputs) {
        return LlamaInputs.forSequence(inputs, rope, config);
    }

    @Override
    public ScoreResult score(ModelInputs inputs) {
        Map<String, INDArray> ph = placeholders(inputs);
        io.kif4j.transformer.nn.NativeMemory.afterStep();
        if (inputs.labels() == null) {
            return new ScoreResult(trainingGraph().outputSingle(ph, LlamaGraph.LOGITS), Double.NaN);
        }
        Map<String, INDArray> out = trainingGraph().output(ph, LlamaGraph.LOGITS, LlamaGraph.LOSS);
        boolean anyLabel = ph.get(LlamaGraph.LABEL_WEIGHTS).sumNumber().doubleValue() > 0;
        return new ScoreResult(out.get(LlamaGraph.LOGITS), anyLabel ? out.get(LlamaGraph.LOSS).getDouble(0) : Double.NaN);
    }

    /**
     * HF greedy semantics: left-padded prompts, positions cumsum(mask) − 1 (pads get 1), every new token
     * attended; with {@code stopAtEos} a row that emits EOS is filled with pad and decoding ends when all rows
     * have stopped.
     */
    @Override
    public GenerationResult generate(ModelInputs prompt, int maxNewTokens, boolean stopAtEos) {
        int b = prompt.batchSize();
        int len = prompt.length();
        int[][] mask = prompt.attentionMask();
        int[][] pos = new int[b][len];
        int[] nextPos = new int[b];
        for (int r = 0; r < b; r++) {
            int cum = 0;
            for (int i = 0; i < len; i++) {
                cum += mask[r][i];
                pos[r][i] = mask[r][i] == 0 ? 1 : cum - 1;
            }
            nextPos[r] = cum;
        }
        Map<String, INDArray> ph = LlamaInputs.forSequence(
                new ModelInputs(prompt.inputIds(), mask, null, null, pos), rope, config);
        LlamaInputs.putLastRows(ph, b, len);
        Map<String, INDArray> prefill = trainingGraph().output(ph, lastLogitsAndPresentKeyValues());
        Greedy.Step step = LeanDecoding.use(graphs.adapter(), config.hiddenAct(), prefill.get(LlamaGraph.LAST_LOGITS).dataType())
                ? leanSteps(prefill, mask, nextPos, maxNewTokens) : graphSteps(prefill, mask, nextPos);
        Greedy.Decoded decoded = Greedy.run(prefill.get(LlamaGraph.LAST_LOGITS), maxNewTokens, stopAtEos,
                config.eosTokenId(), padTokenId, step);
        List<int[]> newTokens = decoded.tokens();
        List<INDArray> stepLogits = decoded.logits();
        int steps = newTokens.size();
        int[][] gen = new int[b][steps];
        int[][] seq = new int[b][len + steps];
        for (int r = 0; r < b; r++) {
            System.arraycopy(prompt.inputIds()[r], 0, seq[r], 0, len);
            for (int s = 0; s < steps; s++) {
                gen[r][s] = newTokens.get(s)[r];
                seq[r][len + s] = gen[r][s];
            }
        }
        return new GenerationResult(seq, gen, stepLogits);
    }

    /**
     * Decoding steps on the lean decoder: the prompt's keys and values from the prefill go into a cache sized for
     * the whole generation; each step writes one slot.
     */
    private Greedy.Step leanSteps(Map<String, INDArray> prefill, int[][] mask, int[] nextPos, int maxNewTokens) {
        int len = mask[0].length;
        LeanLlama lean = new LeanLlama(config, weights, graphs.adapter(), rope, mask, len + maxNewTokens);
        for (int i = 0; i < config.numHiddenLayers(); i++) {
            lean.loadCache(i, prefill.get(LlamaGraph.presentKey(i)), prefill.get(LlamaGraph.presentValue(i)));
        }
        int[] slot = {len};
        return next -> {
            INDArray logits = lean.step(next, nextPos.clone(), slot[0]++);
            for (int r = 0; r < nextPos.length; r++) {
                nextPos[r]++;
            }
            return logits;
        };
    }

    /** Decoding steps on the SameDiff step graph, the cache growing by concatenation. */
    private Greedy.Step graphSteps(Map<String, INDArray> prefill, int[][] mask, int[] nextPos) {
        int b = mask.length;
        int layers = config.numHiddenLayers();
        String[] outs = logitsAndPresentKeyValues();
        int[][][] keyMask = {Arrays.stream(mask).map(int[]::clone).toArray(int[][]::new)};
        List<Map<String, INDArray>> out = new ArrayList<>(List.of(prefill));
        return next -> {
            keyMask[0] = appendOnes(keyMask[0]);
            int[][] stepPos = new int[b][1];
            int[][] ids = new int[b][1];
            for (int r = 0; r < b; r++) {
                stepPos[r][0] = nextPos[r]++;
                ids[r][0] = next[r];
            }
            Map<String, INDArray> sp = LlamaInputs.tokens(ids, keyMask[0], stepPos, rope, config);
            for (int i = 0; i < layers; i++) {
                sp.put(LlamaGraph.pastKey(i), out.get(0).get(LlamaGraph.presentKey(i)));
                sp.put(LlamaGraph.pastValue(i), out.get(0).get(LlamaGraph.presentValue(i)));
            }
            out.set(0, stepGraph().output(sp, outs));
            return out.get(0).get(LlamaGraph.LOGITS).reshape(b, config.vocabSize());
        };
    }

    /**
     * Log-likelihoods of several continuations of each prompt, running every prompt once: the prompts go through
     * the full graph together (left-padded, as for generation), and all continuations through the decoding graph
     * with their prompt's keys and values as the cache. For label ranking this replaces scoring L full sequences per
     * example with one prompt plus L short continuations.
     *
     * @param prompts       [P][len_p] prompt ids (at least one token each)
     * @param continuations [P][L_p][len] the continuations of each prompt
     * @param counted       same shape as {@code continuations}: which continuation tokens enter the sum
     * @return [P][L_p]: Σ over counted t of log p(continuation[t] | prompt, continuation[&lt;t])
     */
    public double[][] continuationLogLikelihoods(int[][] prompts, int[][][] continuations, boolean[][][] counted) {
        int b = prompts.length;
        int len = Arrays.stream(prompts).mapToInt(p -> p.length).max().orElseThrow();
        int[][] ids = new int[b][len];
        int[][] mask = new int[b][len];
        int[][] pos = new int[b][len];
        int[] nextPos = new int[b];
        for (int r = 0; r < b; r++) {
            int off = len - prompts[r].length;
            Arrays.fill(ids[r], padTokenId);
            System.arraycopy(prompts[r], 0, ids[r], off, prompts[r].length);
            Arrays.fill(mask[r], off, len, 1);
            Arrays.fill(pos[r], 0, off, 1);
            for (int i = off; i < len; i++) {
                pos[r][i] = i - off;
            }
            nextPos[r] = prompts[r].length;
        }
        int layers = config.numHiddenLayers();
        Map<String, INDArray> prefill = LlamaInputs.tokens(ids, mask, pos, rope, config);
        LlamaInputs.putLastRows(prefill, b, len);
        Map<String, INDArray> out = trainingGraph().output(prefill, lastLogitsAndPresentKeyValues());
        float[] lastLogits = out.get(LlamaGraph.LAST_LOGITS).dup('c').data().asFloat();

        // one decoding-graph row per (prompt, continuation), right-padded, with its prompt's cache
        List<int[]> owner = new ArrayList<>();
        int contLen = 1;
        for (int p = 0; p < b; p++) {
            for (int j = 0; j < continuations[p].length; j++) {
                owner.add(new int[]{p, j});
                contLen = Math.max(contLen, continuations[p][j].length);
            }
        }
        int rows = owner.size();
        double[][] result = new double[b][];
        for (int p = 0; p < b; p++) {
            result[p] = new double[continuations[p].length];
        }
        if (rows == 0) {
            return result;
        }
        int vocab = config.vocabSize();
        int[][] cIds = new int[rows][contLen];
        int[][] keyMask = new int[rows][len + contLen];
        int[][] cPos = new int[rows][contLen];
        int[] rowOf = new int[rows];
        for (int r = 0; r < rows; r++) {
            int p = owner.get(r)[0];
            int[] cont = continuations[p][owner.get(r)[1]];
            rowOf[r] = p;
            Arrays.fill(cIds[r], padTokenId);
            System.arraycopy(cont, 0, cIds[r], 0, cont.length);
            System.arraycopy(mask[p], 0, keyMask[r], 0, len);
            Arrays.fill(keyMask[r], len, len + cont.length, 1);
            for (int t = 0; t < contLen; t++) {
                cPos[r][t] = t < cont.length ? nextPos[p] + t : 1;
            }
        }
        Map<String, INDArray> sp = LlamaInputs.tokens(cIds, keyMask, cPos, rope, config);
        long[] rowIndex = Arrays.stream(rowOf).asLongStream().toArray();
        for (int i = 0; i < layers; i++) {
            sp.put(LlamaGraph.pastKey(i), io.kif4j.transformer.nn.Rows.of(out.get(LlamaGraph.presentKey(i)), rowIndex));
            sp.put(LlamaGraph.pastValue(i), io.kif4j.transformer.nn.Rows.of(out.get(LlamaGraph.presentValue(i)), rowIndex));
        }
        float[] stepLogits = stepGraph().outputSingle(sp, LlamaGraph.LOGITS).dup('c').data().asFloat();
        for (int r = 0; r < rows; r++) {
            int p = owner.get(r)[0];
            int j = owner.get(r)[1];
            int[] cont = continuations[p][j];
            double sum = 0;
            for (int t = 0; t < cont.length; t++) {
                if (counted[p][j][t]) {
                    sum += t == 0 ? LogProbs.logSoftmaxAt(lastLogits, p * vocab, vocab, cont[0])
                            : LogProbs.logSoftmaxAt(stepLogits, (r * contLen + t - 1) * vocab, vocab, cont[t]);
                }
            }
            result[p][j] = sum;
        }
        io.kif4j.transformer.nn.NativeMemory.afterStep();
        return result;
    }

    /** A prefill's outputs: the last position's logits, then each layer's present keys and values. */
    private String[] lastLogitsAndPresentKeyValues() {
        String[] outs = logitsAndPresentKeyValues();
        outs[0] = LlamaGraph.LAST_LOGITS;
        return outs;
    }

    /** A decoding step's outputs: the logits, then each layer's present keys and values. */
    private String[] logitsAndPresentKeyValues() {
        int layers = config.numHiddenLayers();
        String[] outs = new String[1 + 2 * layers];
        outs[0] = LlamaGraph.LOGITS;
        for (int i = 0; i < layers; i++) {
            outs[1 + 2 * i] = LlamaGraph.presentKey(i);
            outs[2 + 2 * i] = LlamaGraph.presentValue(i);
        }
        return outs;
    }

    private static int[][] appendOnes(int[][] mask) {
        int[][] m = new int[mask.length][];
        for (int r = 0; r < mask.length; r++) {
            m[r] = Arrays.copyOf(mask[r], mask[r].length + 1);
            m[r][mask[r].length] = 1;
        }
        return m;
    }

    @Override
    public int eosTokenId() {
        return config.eosTokenId();
    }

    @Override
    public int padTokenId() {
        return padTokenId;
    }

    @Override
    public int vocabSize() {
        return config.vocabSize();
    }
}
