package io.kif4j.transformer.t5;

import io.kif4j.transformer.ModelInputs;
import io.kif4j.transformer.nn.CrossEntropy;
import io.kif4j.transformer.nn.GraphNames;
import io.kif4j.weights.T5Config;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Host-side placeholder values for {@link T5Graph}: additive masks, relative position buckets, the decoder
 * inputs (HF's {@code _shift_right} of the labels when none are given) and the label weights.
 *
 * <p>The bucket of a relative position never changes, so the log-bucketing runs once per offset and direction
 * and is cached; a [T, K] bucket matrix is then a table lookup.
 */
final class T5Inputs {

    /**
     * Added to masked attention scores. HF adds finfo(float32).min; any value that drives exp() to 0 gives the
     * same probabilities, and this one cannot overflow to -inf when a score is added.
     */
    static final float MASKED = -1e9f;

    private final T5Config config;
    /** [direction][sign]: buckets of relative positions 0, ±1, ±2, ... (direction 1 = bidirectional). */
    private final int[][][] bucketCache = {{new int[0], new int[0]}, {new int[0], new int[0]}};

    T5Inputs(T5Config config) {
        this.config = config;
    }

    /** Bucket of {@code relativePosition} = key − query, cached. */
    synchronized int bucket(int relativePosition, boolean bidirectional) {
        int dir = bidirectional ? 1 : 0;
        int sign = relativePosition < 0 ? 1 : 0;
        int distance = Math.abs(relativePosition);
        int[] cache = bucketCache[dir][sign];
        if (distance >= cache.length) {
            int n = Math.max(64, Integer.highestOneBit(distance) << 1);
            cache = new int[n];
            for (int d = 0; d < n; d++) {
                cache[d] = T5Attention.relativePositionBucket(sign == 1 ? -d : d, bidirectional,
                        config.relativeAttentionNumBuckets(), config.relativeAttentionMaxDistance());
            }
            bucketCache[dir][sign] = cache;
        }
        return cache[distance];
    }

    /** INT [T, K]: buckets of queries at positions offset..offset+T−1 against keys at 0..K−1. */
    INDArray positionBuckets(int queries, int keys, int queryOffset, boolean bidirectional) {
        int[][] b = new int[queries][keys];
        for (int q = 0; q < queries; q++) {
            for (int k = 0; k < keys; k++) {
                b[q][k] = bucket(k - (q + queryOffset), bidirectional);
            }
        }
        return Nd4j.createFromArray(b);
    }

    /** [B, 1, 1, S]: the padding mask of the encoder, for encoder self-attention and cross-attention. */
    static INDArray paddingBias(int[][] mask) {
        int b = mask.length;
        int s = mask[0].length;
        float[] bias = new float[b * s];
        for (int r = 0; r < b; r++) {
            for (int k = 0; k < s; k++) {
                if (mask[r][k] == 0) {
                    bias[r * s + k] = MASKED;
                }
            }
        }
        return Nd4j.create(bias, new long[]{b, 1, 1, s}, 'c');
    }

    /** [B, 1, T, P+T]: causal mask of T new decoder positions after P cached ones (no decoder padding mask). */
    static INDArray causalBias(int batch, int t, int past) {
        int k = past + t;
        float[] bias = new float[batch * t * k];
        for (int r = 0; r < batch; r++) {
            for (int q = 0; q < t; q++) {
                for (int j = past + q + 1; j < k; j++) {
                    bias[(r * t + q) * k + j] = MASKED;
                }
            }
        }
        return Nd4j.create(bias, new long[]{batch, 1, t, k}, 'c');
    }

    static INDArray shape(long... dims) {
        return Nd4j.createFromArray(dims);
    }

    /** The encoder inputs and the padding mask that the decoder's cross-attention reuses. */
    Map<String, INDArray> encoder(int[][] inputIds, int[][] attentionMask) {
        Map<String, INDArray> ph = new HashMap<>();
        int s = inputIds[0].length;
        ph.put(T5Graph.INPUT_IDS, Nd4j.createFromArray(inputIds));
        ph.put(T5Graph.ENCODER_ATTN_BIAS, paddingBias(attentionMask));
        ph.put(T5Graph.ENCODER_POSITION_BUCKETS, positionBuckets(s, s, 0, true));
        ph.put(T5Graph.SHAPE_ENCODER_HEADS, shape(inputIds.length, s, config.numHeads(), config.dKv()));
        ph.put(T5Graph.SHAPE_ENCODER_HIDDEN, shape(inputIds.length, s, config.dModel()));
        return ph;
    }

    /** Decoder inputs for T new tokens after {@code past} cached positions. */
    Map<String, INDArray> decoder(int[][] decoderIds, int past) {
        Map<String, INDArray> ph = new HashMap<>();
        int t = decoderIds[0].length;
        ph.put(T5Graph.DECODER_INPUT_IDS, Nd4j.createFromArray(decoderIds));
        ph.put(T5Graph.DECODER_POSITION_BUCKETS, positionBuckets(t, past + t, past, false));
        ph.put(T5Graph.DECODER_ATTN_BIAS, causalBias(decoderIds.length, t, past));
        ph.put(T5Graph.SHAPE_DECODER_HEADS, shape(decoderIds.length, t, config.numHeads(), config.dKv()));
        ph.put(T5Graph.SHAPE_LOGITS, shape(decoderIds.length, t, config.vocabSize()));
        return ph;
    }

    /** Every placeholder of the FULL graph for a teacher-forced batch. */
    Map<String, INDArray> forSequence(ModelInputs in) {
        int[][] decoderIds = in.decoderInputIds();
        if (decoderIds == null) {
            if (in.labels() == null) {
                throw new IllegalArgumentException("a T5 batch needs decoder_input_ids or labels");
            }
            decoderIds = shiftRight(in.labels(), config.decoderStartTokenId(), config.padTokenId());
        }
        if (decoderIds.length != in.batchSize()) {
            throw new IllegalArgumentException("decoder_input_ids has " + decoderIds.length + " rows, input_ids "
                    + in.batchSize());
        }
        Map<String, INDArray> ph = encoder(in.inputIds(), in.attentionMask());
        ph.putAll(decoder(decoderIds, 0));
        if (in.labels() != null) {
            if (in.labels()[0].length != decoderIds[0].length) {
                throw new IllegalArgumentException("labels have length " + in.labels()[0].length
                        + ", decoder_input_ids " + decoderIds[0].length);
            }
            putLabels(ph, in.labels(), config.vocabSize());
        }
        return ph;
    }

    /** HF's {@code _shift_right}: the start id, then the labels without their last item, −100 replaced by pad. */
    static int[][] shiftRight(int[][] labels, int decoderStartTokenId, int padTokenId) {
        int[][] out = new int[labels.length][];
        for (int r = 0; r < labels.length; r++) {
            int t = labels[r].length;
            out[r] = new int[t];
            out[r][0] = decoderStartTokenId;
            for (int i = 1; i < t; i++) {
                int l = labels[r][i - 1];
                out[r][i] = l == -100 ? padTokenId : l;
            }
        }
        return out;
    }

    /** Position t is scored against label t (no shift in an encoder-decoder); −100 takes no loss. */
    static void putLabels(Map<String, INDArray> ph, int[][] labels, int vocab) {
        int b = labels.length;
        int t = labels[0].length;
        int[] flat = new int[b * t];
        for (int r = 0; r < b; r++) {
            System.arraycopy(labels[r], 0, flat, r * t, t);
        }
        INDArray[] targets = CrossEntropy.targets(flat, vocab);
        ph.put(GraphNames.LABEL_WEIGHTS, targets[0]);
        ph.put(GraphNames.LABELS, targets[1]);
    }

    static int[][] column(int rows, int value) {
        int[][] m = new int[rows][1];
        for (int[] row : m) {
            Arrays.fill(row, value);
        }
        return m;
    }
}
