package io.kif4j.transformer.llama;

import io.kif4j.transformer.nn.Attended;
import io.kif4j.transformer.nn.Graph;
import io.kif4j.transformer.nn.KeyValue;
import io.kif4j.transformer.nn.RmsNorm;
import io.kif4j.weights.LlamaConfig;
import org.nd4j.autodiff.samediff.SDVariable;

/** Pre-norm attention and MLP with residuals, as HF's {@code LlamaDecoderLayer} (and Qwen2/Mistral/Gemma's). */
final class LlamaDecoderLayer {

    private final RmsNorm inputLayernorm;
    private final LlamaAttention selfAttn;
    private final RmsNorm postAttentionLayernorm;
    private final LlamaMLP mlp;

    LlamaDecoderLayer(Graph g, String prefix, LlamaConfig c) {
        inputLayernorm = new RmsNorm(g, prefix + ".input_layernorm.weight", c.hiddenSize(), c.rmsNormEps(), c.gemmaNorms());
        selfAttn = new LlamaAttention(g, prefix + ".self_attn", c);
        postAttentionLayernorm = new RmsNorm(g, prefix + ".post_attention_layernorm.weight", c.hiddenSize(), c.rmsNormEps(), c.gemmaNorms());
        mlp = new LlamaMLP(g, prefix + ".mlp", c);
    }

    /** The layer's output [B·T, hidden] and its self-attention keys/values, the cache grown by T. */
    record Output(SDVariable hidden, KeyValue present) {
    }

    Output forward(SDVariable x, LlamaGraph.Inputs in, SDVariable pastKey, SDVariable pastValue) {
        Attended attn = selfAttn.forward(inputLayernorm.forward(x), in, pastKey, pastValue);
        SDVariable h = x.add(attn.output());
        h = h.add(mlp.forward(postAttentionLayernorm.forward(h)));
        return new Output(h, attn.cache());
    }
}
