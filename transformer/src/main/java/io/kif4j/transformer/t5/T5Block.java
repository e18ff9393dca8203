package io.kif4j.transformer.t5;

import io.kif4j.transformer.nn.Attended;
import io.kif4j.transformer.nn.Graph;
import io.kif4j.transformer.nn.KeyValue;
import io.kif4j.weights.T5Config;
import org.nd4j.autodiff.samediff.SDVariable;

/**
 * HF's {@code T5Block}: {@code layer.0} self-attention, then in the decoder {@code layer.1} cross-attention, then
 * the feed-forward layer ({@code layer.1} in the encoder, {@code layer.2} in the decoder).
 */
final class T5Block {

    /** The block's output and what a decoding loop caches: self-attention and cross-attention keys/values. */
    record Output(SDVariable hidden, KeyValue self, KeyValue cross) {
    }

    private final T5LayerSelfAttention selfAttention;
    private final T5LayerCrossAttention crossAttention; // null in the encoder
    private final T5LayerFF ff;

    T5Block(Graph g, String prefix, T5Config c, boolean isDecoder, boolean hasRelativeAttentionBias) {
        selfAttention = new T5LayerSelfAttention(g, prefix + ".layer.0", c, hasRelativeAttentionBias);
        crossAttention = isDecoder ? new T5LayerCrossAttention(g, prefix + ".layer.1", c) : null;
        ff = new T5LayerFF(g, prefix + ".layer." + (isDecoder ? 2 : 1), c);
    }

    T5LayerSelfAttention selfAttentionLayer() {
        return selfAttention;
    }

    /**
     * @param positionBias [·, num_heads, T, K]: the stack's relative position bias plus its mask
     * @param past         cached self-attention keys/values, or null
     * @param encoder      the encoder side (decoder only)
     * @param crossCached  cached cross-attention keys/values, or null (decoder only)
     */
    Output forward(SDVariable hidden, T5Graph.Dims dims, SDVariable positionBias, KeyValue past,
                   T5Graph.Encoded encoder, KeyValue crossCached) {
        Attended self = selfAttention.forward(hidden, dims, past, positionBias);
        SDVariable h = self.output();
        KeyValue cross = null;
        if (crossAttention != null) {
            Attended c = crossAttention.forward(h, dims, encoder, crossCached);
            h = c.output();
            cross = c.cache();
        }
        return new Output(ff.forward(h), self.cache(), cross);
    }
}
