package io.kif4j.transformer.decode;

import io.kif4j.transformer.llama.LlamaRotaryEmbedding;
import io.kif4j.transformer.nn.LinearAdapter;
import io.kif4j.transformer.nn.WeightTable;
import io.kif4j.weights.LlamaConfig;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;

/**
 * The decoding step of {@code LlamaForCausalLM} (llama, qwen2, mistral, gemma) without a graph: one new token
 * per row through embed_tokens, the decoder layers, the final norm and the head, on preallocated arrays with a
 * KV cache sized for the whole generation. The prompt's keys and values come from the graph's prefill
 * ({@link #loadCache}). Same arithmetic as {@code LlamaGraph} with {@code withPast}; see {@link LeanDecoding}
 * for when it is used.
 */
public final class LeanLlama {

    private final LlamaConfig c;
    private final LlamaRotaryEmbedding rope;
    private final int batch;
    private final Buf embed;                 // [V, hidden]
    private final LeanLlamaDecoderLayer[] layers;
    private final LeanRmsNorm norm;
    private final LeanLinear head;           // lm_head, or embed_tokens when tied; adapted as the graph's
    private final Buf h;                     // [B, hidden]
    private final Buf normed;
    private final int[][] padSlots;          // per row, the prompt's padding slots
    private final float[][][] tables;        // {cosQ, sinQ, cosK, sinK} [B][hd/2]
    private final float queryScale;

    /**
     * @param promptMask [B][len] the prompt's attention mask (left padding)
     * @param capacity   cache slots: prompt length + the tokens to be fed
     */
    public LeanLlama(LlamaConfig c, WeightTable weights, LinearAdapter adapter, LlamaRotaryEmbedding rope,
                     int[][] promptMask, int capacity) {
        this.c = c;
        this.rope = rope;
        this.batch = promptMask.length;
        DecodeWeights w = new DecodeWeights(weights, adapter, batch);
        long hidden = c.hiddenSize();
        embed = w.weight("model.embed_tokens.weight", c.vocabSize(), hidden);
        CachedAttention core = new CachedAttention(batch, c.numAttentionHeads(), c.numKeyValueHeads(), c.headDim(),
                capacity);
        layers = new LeanLlamaDecoderLayer[c.numHiddenLayers()];
        for (int i = 0; i < layers.length; i++) {
            layers[i] = new LeanLlamaDecoderLayer(w, "model.layers." + i, c, batch, capacity, core);
        }
        norm = new LeanRmsNorm(w.weight("model.norm.weight", hidden).nd, c.rmsNormEps(), c.gemmaNorms());
        head = w.linear("lm_head", c.tieWordEmbeddings() ? embed : w.weight("lm_head.weight", c.vocabSize(), hidden),
                hidden, c.vocabSize());
        h = Buf.zeros(batch, hidden);
        normed = Buf.zeros(batch, hidden);
        padSlots = new int[batch][];
        for (int b = 0; b < batch; b++) {
            int[] m = promptMask[b];
            padSlots[b] = java.util.stream.IntStream.range(0, m.length).filter(i -> m[i] == 0).toArray();
        }
        int half = c.headDim() / 2;
        tables = new float[4][batch][half];
        queryScale = (float) (1.0 / Math.sqrt(c.headDim()));
    }

    /** Slots 0..S−1 of layer {@code layer}'s cache from the prefill's present keys and values [B, kv, S, hd]. */
    public void loadCache(int layer, INDArray keys, INDArray values) {
        layers[layer].selfAttn.cache.load(keys, values);
    }

    /**
     * One decoding step.
     *
     * @param tokens    [B] the new token of each row
     * @param positions [B] its RoPE position
     * @param slot      its cache slot (the same for every row: left padding counts)
     * @return logits [B, V], a new array
     */
    public INDArray step(int[] tokens, int[] positions, int slot) {
        int hidden = c.hiddenSize();
        float scale = c.embeddingScale();
        for (int b = 0; b < batch; b++) {
            int src = tokens[b] * hidden;
            for (int i = 0; i < hidden; i++) {
                h.put(b * hidden + i, scale == 1f ? embed.get(src + i) : embed.get(src + i) * scale);
            }
            rope.angles(positions[b], tables[2][b], tables[3][b]);
            for (int i = 0; i < tables[0][b].length; i++) {
                tables[0][b][i] = tables[2][b][i] * queryScale;
                tables[1][b][i] = tables[3][b][i] * queryScale;
            }
        }
        int[][] masked = masked(slot);
        for (LeanLlamaDecoderLayer layer : layers) {
            layer.forward(h, tables, slot, masked, batch);
        }
        norm.forward(h, normed, batch);
        Buf logits = Buf.zeros(batch, c.vocabSize());
        head.forward(normed, logits, batch);
        return logits.nd;
    }

    /** Padding, and with a sliding window w the slots ≤ slot − w (HF's eager mask, counted in cache slots). */
    private int[][] masked(int slot) {
        int w = c.slidingWindow();
        if (w <= 0 || slot - w < 0) {
            return padSlots;
        }
        int[][] m = new int[batch][];
        for (int b = 0; b < batch; b++) {
            int[] pads = padSlots[b];
            m[b] = java.util.stream.IntStream.concat(Arrays.stream(pads).filter(p -> p > slot - w),
                    java.util.stream.IntStream.rangeClosed(0, slot - w)).toArray();
        }
        return m;
    }
}
