package io.kif4j.transformer.t5;

import io.kif4j.transformer.nn.CrossEntropy;
import io.kif4j.transformer.nn.Graph;
import io.kif4j.transformer.nn.GraphNames;
import io.kif4j.transformer.nn.KeyValue;
import io.kif4j.transformer.nn.Linear;
import io.kif4j.transformer.nn.LinearAdapter;
import io.kif4j.transformer.nn.WeightTable;
import io.kif4j.weights.T5Config;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code T5ForConditionalGeneration} as a SameDiff graph: the shared embedding, the encoder and decoder stacks,
 * the output projection ({@code shared.weight} after scaling by d_model^-0.5 when tied, else {@code lm_head}),
 * and the loss.
 *
 * <p>Hidden states stay 2-D [B·T, d_model] between blocks; only attention reshapes to heads. The relative
 * position buckets and the additive masks are computed on the host ({@link T5Inputs}); the bias is gathered from
 * the constant {@code relative_attention_bias} table in the graph.
 *
 * <p>Two shapes of graph: {@link Mode#FULL} runs encoder and decoder (scoring, training, the first decoding step)
 * and also outputs the decoder keys/values ({@code present.*}, {@code cross.*}); {@link Mode#DECODER_STEP} runs
 * the decoder alone on new tokens, reading the self-attention cache ({@code past.*}) and the cross-attention
 * keys/values ({@code cross.*}) from placeholders.
 */
public final class T5Graph {

    public static final String INPUT_IDS = "input_ids";
    /** [B, 1, 1, S]: 0 for real encoder tokens, a large negative for padding. */
    public static final String ENCODER_ATTN_BIAS = "encoder_attn_bias";
    /** INT [S, S]: relative position buckets of the encoder (bidirectional). */
    public static final String ENCODER_POSITION_BUCKETS = "encoder_position_buckets";
    public static final String DECODER_INPUT_IDS = "decoder_input_ids";
    /** [B, 1, T, K]: the causal mask of the T new decoder positions against all K decoder positions. */
    public static final String DECODER_ATTN_BIAS = "decoder_attn_bias";
    /** INT [T, K]: relative position buckets of the decoder (causal). */
    public static final String DECODER_POSITION_BUCKETS = "decoder_position_buckets";
    public static final String ENCODER_LAST_HIDDEN_STATE = "encoder_last_hidden_state";
    /** LONG shape vectors fed with each batch (see {@link Dims}). */
    public static final String SHAPE_ENCODER_HEADS = "shape_encoder_heads";
    public static final String SHAPE_ENCODER_HIDDEN = "shape_encoder_hidden";
    public static final String SHAPE_DECODER_HEADS = "shape_decoder_heads";
    public static final String SHAPE_LOGITS = "shape_logits";
    /** Cross-attention keys of decoder block {@code layer}: an output of FULL, a placeholder of DECODER_STEP. */
    public static String crossKey(int layer) {
        return "cross." + layer + ".key";
    }

    public static String crossValue(int layer) {
        return "cross." + layer + ".value";
    }

    public enum Mode { FULL, DECODER_STEP }

    /**
     * Run-time shapes of one stream, fed by the host as LONG vectors (a reshape reads them directly instead of
     * size/cast/stack ops per reshape): the head split [B, T, num_heads, d_kv] and the stream's output
     * ([B, S, d_model] for the encoder, [B, T, vocab] for the decoder's logits).
     */
    record Dims(SDVariable heads, SDVariable out) {
    }

    /** The encoder side the decoder reads: its output [B·S, d_model] (null in DECODER_STEP) and padding mask. */
    record Encoded(SDVariable hidden, Dims dims, SDVariable attnBias) {
    }

    private T5Graph() {
    }

    /** @param trainable the base weights (HF names) that train, as {@link Graph} */
    public static SameDiff build(T5Config c, WeightTable weights, LinearAdapter adapter, Mode mode,
                                 java.util.function.Predicate<String> trainable) {
        Graph g = new Graph(SameDiff.create(), weights, adapter, trainable);
        SameDiff sd = g.sd;
        int h = c.numHeads();
        int dKv = c.dKv();
        int decoderLayers = c.numDecoderLayers();

        SDVariable shared = g.weight("shared.weight", c.vocabSize(), c.dModel());   // [vocab, d_model]
        SDVariable encoderBias = g.floatInput(ENCODER_ATTN_BIAS, -1, 1, 1, -1);
        Encoded encoded;
        KeyValue[] past = null;
        KeyValue[] crossCached = null;
        if (mode == Mode.FULL) {
            SDVariable ids = sd.placeHolder(INPUT_IDS, DataType.INT, -1, -1);
            Dims dims = new Dims(g.shapePlaceholder(SHAPE_ENCODER_HEADS, 4), g.shapePlaceholder(SHAPE_ENCODER_HIDDEN, 3));
            SDVariable buckets = sd.placeHolder(ENCODER_POSITION_BUCKETS, DataType.INT, -1, -1);
            T5Stack encoder = new T5Stack(g, "encoder", c, false);
            SDVariable hidden = encoder.forward(shared, ids, dims, buckets, encoderBias, null, null, null).hidden();
            sd.reshape(ENCODER_LAST_HIDDEN_STATE, hidden, dims.out());
            encoded = new Encoded(hidden, dims, encoderBias);
        } else {
            past = new KeyValue[decoderLayers];
            crossCached = new KeyValue[decoderLayers];
            for (int i = 0; i < decoderLayers; i++) {
                past[i] = new KeyValue(sd.placeHolder(GraphNames.pastKey(i), g.dataType(), -1, h, -1, dKv),
                        sd.placeHolder(GraphNames.pastValue(i), g.dataType(), -1, h, -1, dKv));
                crossCached[i] = new KeyValue(sd.placeHolder(crossKey(i), g.dataType(), -1, h, -1, dKv),
                        sd.placeHolder(crossValue(i), g.dataType(), -1, h, -1, dKv));
            }
            encoded = new Encoded(null, null, encoderBias);
        }

        SDVariable decoderIds = sd.placeHolder(DECODER_INPUT_IDS, DataType.INT, -1, -1);
        Dims decoderDims = new Dims(g.shapePlaceholder(SHAPE_DECODER_HEADS, 4), g.shapePlaceholder(SHAPE_LOGITS, 3));
        SDVariable decoderBuckets = sd.placeHolder(DECODER_POSITION_BUCKETS, DataType.INT, -1, -1);
        SDVariable decoderBias = g.floatInput(DECODER_ATTN_BIAS, -1, 1, -1, -1);
        T5Stack decoder = new T5Stack(g, "decoder", c, true);
        T5Stack.Output out = decoder.forward(shared, decoderIds, decoderDims, decoderBuckets, decoderBias, past,
                encoded, crossCached);
        for (int i = 0; i < decoderLayers; i++) {
            GraphNames.namePresent(sd, i, out.self()[i]);
            if (mode == Mode.FULL) {
                sd.updateVariableNameAndReference(sd.identity(out.cross()[i].key()), crossKey(i));
                sd.updateVariableNameAndReference(sd.identity(out.cross()[i].value()), crossValue(i));
            }
        }

        SDVariable hidden = out.hidden();                                             // [B·T, d_model]
        Linear lmHead;
        if (c.tieWordEmbeddings()) {
            hidden = hidden.mul(Math.pow(c.dModel(), -0.5));
            lmHead = new Linear(g, "lm_head", shared, c.dModel(), c.vocabSize());     // shared.weight [vocab, d_model]
        } else {
            lmHead = new Linear(g, "lm_head", c.dModel(), c.vocabSize());             // [vocab, d_model]
        }
        SDVariable logits2d = lmHead.forward(hidden);                                 // [B·T, vocab]
        sd.reshape(GraphNames.LOGITS, logits2d, decoderDims.out());
        if (mode == Mode.DECODER_STEP) {
            return sd;
        }

        // Labels are the decoder targets as CrossEntropy.targets: weights 1/count on counted positions and 0
        // elsewhere, so the sum is HF's mean over labels != -100.
        SDVariable labelWeights = g.floatInput(GraphNames.LABEL_WEIGHTS, -1, 1);
        SDVariable labels = sd.placeHolder(GraphNames.LABELS, DataType.INT, -1);
        SDVariable loss = lmHead.adapted() || Graph.trains(lmHead.weight()) // the label-row gather needs a frozen head
                ? CrossEntropy.weightedSum(sd, GraphNames.LOSS, logits2d, labelWeights, labels, c.vocabSize())
                : CrossEntropy.weightedSumOfProduct(sd, GraphNames.LOSS, logits2d, hidden, lmHead.weight(), labelWeights, labels);
        sd.setLossVariables(loss);
        weights.checkAllUsed(name -> name.equals("encoder.embed_tokens.weight")
                || name.equals("decoder.embed_tokens.weight")
                || (c.tieWordEmbeddings() && name.equals("lm_head.weight")));
        return sd;
    }

    /**
     * The tensors HF's {@code save_pretrained} writes for this config, by state-dict name, with their shapes
     * (without the {@code *.embed_tokens.weight} aliases of {@code shared.weight}).
     */
    public static Map<String, long[]> stateDictShapes(T5Config c) {
        Map<String, long[]> m = new LinkedHashMap<>();
        long d = c.dModel();
        long inner = c.innerDim();
        m.put("shared.weight", new long[]{c.vocabSize(), d});
        for (String stack : new String[]{"encoder", "decoder"}) {
            boolean dec = stack.equals("decoder");
            int layers = dec ? c.numDecoderLayers() : c.numLayers();
            for (int i = 0; i < layers; i++) {
                String p = stack + ".block." + i + ".layer.";
                attention(m, p + "0.SelfAttention", d, inner);
                if (i == 0) {
                    m.put(p + "0.SelfAttention.relative_attention_bias.weight",
                            new long[]{c.relativeAttentionNumBuckets(), c.numHeads()});
                }
                m.put(p + "0.layer_norm.weight", new long[]{d});
                int ff = 1;
                if (dec) {
                    attention(m, p + "1.EncDecAttention", d, inner);
                    m.put(p + "1.layer_norm.weight", new long[]{d});
                    ff = 2;
                }
                String f = p + ff + ".DenseReluDense.";
                if (c.isGatedAct()) {
                    m.put(f + "wi_0.weight", new long[]{c.dFf(), d});
                    m.put(f + "wi_1.weight", new long[]{c.dFf(), d});
                } else {
                    m.put(f + "wi.weight", new long[]{c.dFf(), d});
                }
                m.put(f + "wo.weight", new long[]{d, c.dFf()});
                m.put(p + ff + ".layer_norm.weight", new long[]{d});
            }
            m.put(stack + ".final_layer_norm.weight", new long[]{d});
        }
        if (!c.tieWordEmbeddings()) {
            m.put("lm_head.weight", new long[]{c.vocabSize(), d});
        }
        return m;
    }

    private static void attention(Map<String, long[]> m, String p, long d, long inner) {
        m.put(p + ".q.weight", new long[]{inner, d});
        m.put(p + ".k.weight", new long[]{inner, d});
        m.put(p + ".v.weight", new long[]{inner, d});
        m.put(p + ".o.weight", new long[]{d, inner});
    }
}
