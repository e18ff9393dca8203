package io.kif4j.transformer.t5;

import io.kif4j.transformer.nn.Graph;
import io.kif4j.transformer.nn.KeyValue;
import io.kif4j.transformer.nn.RmsNorm;
import io.kif4j.weights.T5Config;
import org.nd4j.autodiff.samediff.SDVariable;

/**
 * HF's {@code T5Stack}, the encoder or the decoder: token embedding (the shared table), the blocks, and
 * {@code final_layer_norm}. The relative position bias is computed once from block 0's table and, with the mask
 * added, passed to every block, as HF passes {@code position_bias} on from the first layer.
 */
final class T5Stack {

    /** Hidden states after the final norm [B·T, d_model], and per block what a decoding loop caches. */
    record Output(SDVariable hidden, KeyValue[] self, KeyValue[] cross) {
    }

    private final Graph g;
    private final T5Block[] block;
    private final RmsNorm finalLayerNorm; // weight [d_model]

    /** @param name "encoder" or "decoder", the HF module name */
    T5Stack(Graph g, String name, T5Config c, boolean isDecoder) {
        this.g = g;
        int layers = isDecoder ? c.numDecoderLayers() : c.numLayers();
        block = new T5Block[layers];
        for (int i = 0; i < layers; i++) {
            block[i] = new T5Block(g, name + ".block." + i, c, isDecoder, i == 0);
        }
        finalLayerNorm = new RmsNorm(g, name + ".final_layer_norm.weight", c.dModel(), c.layerNormEpsilon());
    }

    /**
     * @param embedTokens {@code shared.weight} [vocab, d_model]
     * @param ids         INT [B, T]
     * @param buckets     INT [T, K]: relative position buckets of the T queries against the K keys
     * @param mask        additive mask, [B, 1, 1 or T, K]
     * @param past        cached self-attention keys/values per block, or null
     * @param encoder     the encoder side, or null for the encoder itself
     * @param crossCached cached cross-attention keys/values per block, or null
     */
    Output forward(SDVariable embedTokens, SDVariable ids, T5Graph.Dims dims, SDVariable buckets, SDVariable mask,
                   KeyValue[] past, T5Graph.Encoded encoder, KeyValue[] crossCached) {
        SDVariable h = g.rows(embedTokens, g.sd.reshape(ids, -1), embedTokens.getShape()[0]); // [B·T, d_model]
        SDVariable positionBias = block[0].selfAttentionLayer().attention().computeBias(buckets).add(mask);
        KeyValue[] self = new KeyValue[block.length];
        KeyValue[] cross = new KeyValue[block.length];
        for (int i = 0; i < block.length; i++) {
            T5Block.Output out = block[i].forward(h, dims, positionBias, past == null ? null : past[i], encoder,
                    crossCached == null ? null : crossCached[i]);
            h = out.hidden();
            self[i] = out.self();
            cross[i] = out.cross();
        }
        return new Output(finalLayerNorm.forward(h), self, cross);
    }
}
