package io.kif4j.transformer.llama;

import io.kif4j.transformer.nn.CrossEntropy;
import io.kif4j.transformer.nn.Graph;
import io.kif4j.transformer.nn.GraphNames;
import io.kif4j.transformer.nn.Linear;
import io.kif4j.transformer.nn.LinearAdapter;
import io.kif4j.transformer.nn.RmsNorm;
import io.kif4j.transformer.nn.WeightTable;
import io.kif4j.weights.LlamaConfig;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * {@code LlamaForCausalLM} as a SameDiff graph: embed_tokens, the decoder layers, the final norm and lm_head
 * (tied to embed_tokens when the config says so), plus the loss. The same graph is Qwen2, Mistral and Gemma's
 * {@code *ForCausalLM}: what differs is in {@link LlamaConfig} (biases, window, activation, Gemma's norms).
 *
 * <p>Hidden states stay 2-D [B·T, hidden] between blocks; only attention reshapes to heads. Masks and RoPE
 * tables are computed on the host ({@link LlamaInputs}) and fed as placeholders. With {@code withPast} the graph
 * also takes a KV cache per layer, for one-token decoding steps.
 */
public final class LlamaGraph {

    public static final String INPUT_IDS = "input_ids";
    public static final String ATTN_BIAS = "attn_bias";
    /** [B·T, heads·hd]: cos of the query positions, tiled over the query heads, times 1/√hd. */
    public static final String ROPE_COS = "rope_cos";
    /** [B·T, heads·hd]: likewise sin. */
    public static final String ROPE_SIN = "rope_sin";
    /** [B·T, kvHeads·hd]: cos for the keys (unscaled). */
    public static final String ROPE_COS_K = "rope_cos_k";
    public static final String ROPE_SIN_K = "rope_sin_k";
    /** LONG shape vectors fed with each batch: [B, T, heads, hd], [B, T, kvHeads, hd], [B, T, vocab]. */
    public static final String SHAPE_Q = "shape_q";
    public static final String SHAPE_KV = "shape_kv";
    public static final String SHAPE_LOGITS = "shape_logits";
    /** Grouped-query only: [B, kvHeads, groups·T, hd] and [B, heads, T, hd]. */
    public static final String SHAPE_GROUPED = "shape_grouped";
    public static final String SHAPE_HEADS = "shape_heads";
    /** INT [B]: the row of each sequence's last position in the [B·T, hidden] states, for {@link #LAST_LOGITS}. */
    public static final String LAST_ROWS = "last_rows";
    /**
     * [B, V]: the logits of each sequence's last position only. A prefill that needs only these (generation,
     * label ranking) skips the vocabulary head on every other position: at 8 × 128 tokens and vocab 32000 that was
     * 34 of the prefill's 82 GFLOP and a 131 MB array.
     */
    public static final String LAST_LOGITS = "last_logits";

    /** What every block reads besides its own input. */
    record Inputs(SDVariable cosQ, SDVariable sinQ, SDVariable cosK, SDVariable sinK, SDVariable attnBias,
                  SDVariable rotateQ, SDVariable rotateK, SDVariable shapeQ, SDVariable shapeKv,
                  SDVariable shapeGrouped, SDVariable shapeHeads) {
    }

    private LlamaGraph() {
    }

    /** @param trainable the base weights (HF names) that train, as {@link Graph} */
    public static SameDiff build(LlamaConfig c, WeightTable weights, LinearAdapter adapter, boolean withPast,
                                 java.util.function.Predicate<String> trainable) {
        Graph g = new Graph(SameDiff.create(), weights, adapter, trainable);
        SameDiff sd = g.sd;
        int hd = c.headDim();
        SDVariable ids = sd.placeHolder(INPUT_IDS, DataType.INT, -1, -1);
        int heads = c.numAttentionHeads();
        int kv = c.numKeyValueHeads();
        boolean grouped = c.kvGroups() > 1;
        Inputs in = new Inputs(
                g.floatInput(ROPE_COS, -1, (long) heads * hd),
                g.floatInput(ROPE_SIN, -1, (long) heads * hd),
                g.floatInput(ROPE_COS_K, -1, (long) kv * hd),
                g.floatInput(ROPE_SIN_K, -1, (long) kv * hd),
                g.floatInput(ATTN_BIAS, -1, 1, -1, -1),
                rotation(g, "rotate_half_q", heads, hd),
                rotation(g, "rotate_half_k", kv, hd),
                g.shapePlaceholder(SHAPE_Q, 4),
                g.shapePlaceholder(SHAPE_KV, 4),
                grouped ? g.shapePlaceholder(SHAPE_GROUPED, 4) : null,
                grouped ? g.shapePlaceholder(SHAPE_HEADS, 4) : null);

        SDVariable embed = g.weight("model.embed_tokens.weight", c.vocabSize(), c.hiddenSize());   // [V, hidden]
        SDVariable h = g.rows(embed, sd.reshape(ids, -1), c.vocabSize());                          // [B·T, hidden]
        if (c.embeddingScale() != 1f) {
            h = h.mul(c.embeddingScale());                                  // Gemma: × √hidden, the tied head unscaled
        }
        for (int i = 0; i < c.numHiddenLayers(); i++) {
            SDVariable pk = null;
            SDVariable pv = null;
            if (withPast) {
                pk = sd.placeHolder(GraphNames.pastKey(i), g.dataType(), -1, c.numKeyValueHeads(), -1, hd);
                pv = sd.placeHolder(GraphNames.pastValue(i), g.dataType(), -1, c.numKeyValueHeads(), -1, hd);
            }
            LlamaDecoderLayer.Output out = new LlamaDecoderLayer(g, "model.layers." + i, c).forward(h, in, pk, pv);
            h = out.hidden();
            GraphNames.namePresent(sd, i, out.present());
        }
        h = new RmsNorm(g, "model.norm.weight", c.hiddenSize(), c.rmsNormEps(), c.gemmaNorms()).forward(h);
        Linear lmHead = c.tieWordEmbeddings()
                ? new Linear(g, "lm_head", embed, c.hiddenSize(), c.vocabSize())    // embed_tokens [V, hidden]
                : new Linear(g, "lm_head", c.hiddenSize(), c.vocabSize());          // [V, hidden]
        SDVariable logits2d = lmHead.forward(h);                                                   // [B·T, V]
        sd.reshape(GraphNames.LOGITS, logits2d, g.shapePlaceholder(SHAPE_LOGITS, 3));
        SDVariable lastRows = sd.gather(h, sd.placeHolder(LAST_ROWS, DataType.INT, -1), 0);       // [B, hidden]
        sd.updateVariableNameAndReference(lmHead.forward(lastRows), LAST_LOGITS);                  // [B, V]

        // Labels arrive already shifted (position t holds the label of t+1), as CrossEntropy.targets; the
        // weights are 1/count on counted positions and 0 elsewhere: HF's mean over labels != -100.
        SDVariable labelWeights = g.floatInput(GraphNames.LABEL_WEIGHTS, -1, 1);
        SDVariable labels = sd.placeHolder(GraphNames.LABELS, DataType.INT, -1);
        SDVariable loss = lmHead.adapted() || Graph.trains(lmHead.weight()) // the label-row gather needs a frozen head
                ? CrossEntropy.weightedSum(sd, GraphNames.LOSS, logits2d, labelWeights, labels, c.vocabSize())
                : CrossEntropy.weightedSumOfProduct(sd, GraphNames.LOSS, logits2d, h, lmHead.weight(), labelWeights, labels);
        sd.setLossVariables(loss);
        weights.checkAllUsed(name -> name.endsWith(".rotary_emb.inv_freq")
                || (c.tieWordEmbeddings() && name.equals("lm_head.weight")));
        return sd;
    }

    /**
     * The tensors HF's {@code save_pretrained} writes for this config, by state-dict name, with their shapes
     * (no {@code lm_head.weight} when tied; no rotary {@code inv_freq} buffers).
     */
    public static java.util.Map<String, long[]> stateDictShapes(LlamaConfig c) {
        java.util.Map<String, long[]> m = new java.util.LinkedHashMap<>();
        long h = c.hiddenSize();
        long q = (long) c.numAttentionHeads() * c.headDim();
        long kv = (long) c.numKeyValueHeads() * c.headDim();
        long i = c.intermediateSize();
        m.put("model.embed_tokens.weight", new long[]{c.vocabSize(), h});
        for (int l = 0; l < c.numHiddenLayers(); l++) {
            String p = "model.layers." + l + ".";
            linear(m, p + "self_attn.q_proj", q, h, c.qkvBias());
            linear(m, p + "self_attn.k_proj", kv, h, c.qkvBias());
            linear(m, p + "self_attn.v_proj", kv, h, c.qkvBias());
            linear(m, p + "self_attn.o_proj", h, q, c.oProjBias());
            linear(m, p + "mlp.gate_proj", i, h, c.mlpBias());
            linear(m, p + "mlp.up_proj", i, h, c.mlpBias());
            linear(m, p + "mlp.down_proj", h, i, c.mlpBias());
            m.put(p + "input_layernorm.weight", new long[]{h});
            m.put(p + "post_attention_layernorm.weight", new long[]{h});
        }
        m.put("model.norm.weight", new long[]{h});
        if (!c.tieWordEmbeddings()) {
            m.put("lm_head.weight", new long[]{c.vocabSize(), h});
        }
        return m;
    }

    private static void linear(java.util.Map<String, long[]> m, String path, long out, long in, boolean bias) {
        m.put(path + ".weight", new long[]{out, in});
        if (bias) {
            m.put(path + ".bias", new long[]{out});
        }
    }

    /** The rotate_half matrix for n heads side by side, [n·hd, n·hd], or [hd, hd] applied per head. */
    private static SDVariable rotation(Graph g, String name, int n, int hd) {
        return g.floatConstant(name, LlamaRotaryEmbedding.blockDiagonal(n, hd)
                ? LlamaRotaryEmbedding.rotateHalfBlocks(n, hd) : LlamaRotaryEmbedding.rotateHalfMatrix(hd));
    }
}
