package io.kif4j.transformer.decode;

import io.kif4j.transformer.nn.LinearAdapter;
import io.kif4j.transformer.nn.WeightTable;
import io.kif4j.weights.T5Config;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.function.IntUnaryOperator;
import java.util.stream.IntStream;

/**
 * The decoding step of {@code T5ForConditionalGeneration} without a graph: one new token per row through the
 * shared embedding, the decoder blocks, the final norm and the output projection (tied: {@code shared.weight}
 * after × d_model^-0.5; else {@code lm_head}). The graph's first step supplies the encoder side (each block's
 * cross-attention keys/values) and the start token's self-attention cache ({@link #load}). Same arithmetic as
 * {@code T5Graph} in {@code DECODER_STEP} mode; see {@link LeanDecoding} for when it is used.
 */
public final class LeanT5Decoder {

    private final T5Config c;
    private final int batch;
    private final Buf shared;                 // [V, d_model]
    private final LeanT5Block[] block;
    private final LeanRmsNorm finalLayerNorm;
    private final LeanLinear lmHead;
    private final float[] relativeBias;       // relative_attention_bias [buckets, heads], row-major
    private final IntUnaryOperator bucket;
    private final int[][] encoderPads;
    private final Buf h;
    private final Buf normed;

    /**
     * @param encoderMask [B][S] the encoder's attention mask
     * @param capacity    self-attention cache slots: the start token plus the tokens to be fed
     * @param bucket      the decoder's relative position bucket of key − query (unidirectional)
     */
    public LeanT5Decoder(T5Config c, WeightTable weights, LinearAdapter adapter, int[][] encoderMask, int capacity,
                         IntUnaryOperator bucket) {
        this.c = c;
        this.batch = encoderMask.length;
        this.bucket = bucket;
        DecodeWeights w = new DecodeWeights(weights, adapter, batch);
        shared = w.weight("shared.weight", c.vocabSize(), c.dModel());
        int s = encoderMask[0].length;
        block = new LeanT5Block[c.numDecoderLayers()];
        for (int i = 0; i < block.length; i++) {
            block[i] = new LeanT5Block(w, "decoder.block." + i, c, batch, capacity, s);
        }
        relativeBias = w.weight("decoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight",
                c.relativeAttentionNumBuckets(), c.numHeads()).nd.dup('c').data().asFloat();
        finalLayerNorm = new LeanRmsNorm(w.weight("decoder.final_layer_norm.weight", c.dModel()).nd,
                c.layerNormEpsilon(), false);
        lmHead = c.tieWordEmbeddings() ? w.linear("lm_head", shared, c.dModel(), c.vocabSize())
                : w.linear("lm_head", c.dModel(), c.vocabSize(), false);
        encoderPads = new int[batch][];
        for (int b = 0; b < batch; b++) {
            int[] m = encoderMask[b];
            encoderPads[b] = IntStream.range(0, s).filter(i -> m[i] == 0).toArray();
        }
        h = Buf.zeros(batch, c.dModel());
        normed = Buf.zeros(batch, c.dModel());
    }

    /**
     * Block {@code layer}'s caches from the graph's first step: its self-attention keys/values of the start token
     * [B, heads, 1, d_kv] and its cross-attention keys/values [B, heads, S, d_kv].
     */
    public void load(int layer, INDArray selfKeys, INDArray selfValues, INDArray crossKeys, INDArray crossValues) {
        block[layer].selfAttention.cache.load(selfKeys, selfValues);
        block[layer].encDecAttention.cache.load(crossKeys, crossValues);
    }

    /**
     * @param tokens   [B] the new token of each row
     * @param position its decoder position (the start token is 0)
     * @return logits [B, V], a new array
     */
    public INDArray step(int[] tokens, int position) {
        int d = c.dModel();
        for (int b = 0; b < batch; b++) {
            int src = tokens[b] * d;
            for (int i = 0; i < d; i++) {
                h.put(b * d + i, shared.get(src + i));
            }
        }
        int heads = c.numHeads();
        float[][] positionBias = new float[heads][position + 1];
        for (int k = 0; k <= position; k++) {
            int row = bucket.applyAsInt(k - position) * heads;
            for (int hd = 0; hd < heads; hd++) {
                positionBias[hd][k] = relativeBias[row + hd];
            }
        }
        for (LeanT5Block blk : block) {
            blk.forward(h, position, positionBias, encoderPads, batch);
        }
        finalLayerNorm.forward(h, normed, batch);
        if (c.tieWordEmbeddings()) {
            float scale = (float) Math.pow(d, -0.5);
            for (int i = 0; i < batch * d; i++) {
                normed.put(i, normed.get(i) * scale);
            }
        }
        Buf logits = Buf.zeros(batch, c.vocabSize());
        lmHead.forward(normed, logits, batch);
        return logits.nd;
    }
}
