package io.kif4j.transformer.llama;

import io.kif4j.weights.LlamaConfig;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * RoPE tables in HF's rotate_half layout, computed on the host from the position ids and fed as placeholders.
 * Like HF, inv_freq, the angles and cos/sin are float32, so long positions round the same way.
 */
public final class LlamaRotaryEmbedding {

    private final int headDim;
    private final float[] invFreq; // [headDim / 2]

    public LlamaRotaryEmbedding(int headDim, double theta) {
        this(headDim, theta, null);
    }

    /** @param scaling HF's rope_scaling, or null for plain RoPE */
    public LlamaRotaryEmbedding(int headDim, double theta, LlamaConfig.RopeScaling scaling) {
        this.headDim = headDim;
        this.invFreq = new float[headDim / 2];
        for (int i = 0; i < invFreq.length; i++) {
            float exponent = (float) (2 * i) / headDim;
            invFreq[i] = 1.0f / (float) Math.pow(theta, exponent);
            if (scaling != null) {
                invFreq[i] = (float) scaled(invFreq[i], scaling);
            }
        }
    }

    /**
     * One inverse frequency under HF's rope_scaling ({@code _compute_linear_scaling_rope_parameters},
     * {@code _compute_llama3_parameters}): linear divides by the factor; llama3 keeps wavelengths below
     * original_max / high_freq_factor, divides those above original_max / low_freq_factor by the factor, and
     * interpolates between with s = (original_max / wavelength − low) / (high − low).
     */
    static double scaled(double inv, LlamaConfig.RopeScaling s) {
        if (s.type().equals("linear")) {
            return inv / s.factor();
        }
        double wavelen = 2 * Math.PI / inv;
        double lowWavelen = s.originalMaxPositionEmbeddings() / s.lowFreqFactor();
        double highWavelen = s.originalMaxPositionEmbeddings() / s.highFreqFactor();
        if (wavelen < highWavelen) {
            return inv;
        }
        if (wavelen > lowWavelen) {
            return inv / s.factor();
        }
        double smooth = (s.originalMaxPositionEmbeddings() / wavelen - s.lowFreqFactor())
                / (s.highFreqFactor() - s.lowFreqFactor());
        return (1 - smooth) * inv / s.factor() + smooth * inv;
    }

    /**
     * cos and sin of one position's angles, headDim / 2 each (the table repeats them for the second half), in
     * float32 as {@link #tables}.
     */
    public void angles(int position, float[] cos, float[] sin) {
        float pos = position;
        for (int i = 0; i < invFreq.length; i++) {
            float angle = pos * invFreq[i];
            cos[i] = (float) Math.cos(angle);
            sin[i] = (float) Math.sin(angle);
        }
    }

    /** cos and sin, each [B, 1, T, headDim]: {@code cat(angles, angles)} per position. */
    public INDArray[] cosSin(int[][] positionIds) {
        int b = positionIds.length;
        int t = positionIds[0].length;
        float[] cos = new float[b * t * headDim];
        float[] sin = new float[b * t * headDim];
        int half = headDim / 2;
        for (int r = 0; r < b; r++) {
            for (int p = 0; p < t; p++) {
                int base = (r * t + p) * headDim;
                float pos = positionIds[r][p];
                for (int i = 0; i < half; i++) {
                    float angle = pos * invFreq[i];
                    float c = (float) Math.cos(angle);
                    float s = (float) Math.sin(angle);
                    cos[base + i] = c;
                    cos[base + half + i] = c;
                    sin[base + i] = s;
                    sin[base + half + i] = s;
                }
            }
        }
        long[] shape = {b, 1, t, headDim};
        return new INDArray[]{Nd4j.create(cos, shape, 'c'), Nd4j.create(sin, shape, 'c')};
    }

    /**
     * Tables for RoPE on 2-D projections [B·T, n·headDim] (row r·T + p, every head the same angles), for the
     * query heads and the key/value heads: {cosQ, sinQ, cosK, sinK}. The query tables are multiplied by
     * {@code queryScale} (1/√headDim), which moves the attention's score scaling into RoPE.
     */
    public INDArray[] tables(int[][] positionIds, int queryHeads, int kvHeads, float queryScale) {
        int b = positionIds.length;
        int t = positionIds[0].length;
        int half = headDim / 2;
        int qw = queryHeads * headDim;
        int kw = kvHeads * headDim;
        float[] cq = new float[b * t * qw];
        float[] sq = new float[b * t * qw];
        float[] ck = new float[b * t * kw];
        float[] sk = new float[b * t * kw];
        float[] cos = new float[headDim];
        float[] sin = new float[headDim];
        for (int r = 0; r < b; r++) {
            for (int p = 0; p < t; p++) {
                float pos = positionIds[r][p];
                for (int i = 0; i < half; i++) {
                    float angle = pos * invFreq[i];
                    cos[i] = cos[half + i] = (float) Math.cos(angle);
                    sin[i] = sin[half + i] = (float) Math.sin(angle);
                }
                int row = r * t + p;
                for (int h = 0; h < queryHeads; h++) {
                    int base = row * qw + h * headDim;
                    for (int i = 0; i < headDim; i++) {
                        cq[base + i] = cos[i] * queryScale;
                        sq[base + i] = sin[i] * queryScale;
                    }
                }
                for (int h = 0; h < kvHeads; h++) {
                    System.arraycopy(cos, 0, ck, row * kw + h * headDim, headDim);
                    System.arraycopy(sin, 0, sk, row * kw + h * headDim, headDim);
                }
            }
        }
        return new INDArray[]{Nd4j.create(cq, new long[]{(long) b * t, qw}, 'c'),
                Nd4j.create(sq, new long[]{(long) b * t, qw}, 'c'),
                Nd4j.create(ck, new long[]{(long) b * t, kw}, 'c'),
                Nd4j.create(sk, new long[]{(long) b * t, kw}, 'c')};
    }

    /**
     * Whether rotate_half over n heads is one matmul with a block-diagonal [n·hd, n·hd] matrix (narrow layers,
     * where a matmul costs less than the reshapes around a per-head one) rather than a per-head [hd, hd] one.
     */
    public static boolean blockDiagonal(int heads, int headDim) {
        return (long) heads * headDim <= 128;
    }

    /** rotate_half for n heads side by side: n copies of {@link #rotateHalfMatrix} on the diagonal. */
    public static INDArray rotateHalfBlocks(int heads, int headDim) {
        int w = heads * headDim;
        INDArray one = rotateHalfMatrix(headDim);
        INDArray m = Nd4j.zeros(org.nd4j.linalg.api.buffer.DataType.FLOAT, w, w);
        for (int h = 0; h < heads; h++) {
            m.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(h * headDim, (h + 1) * headDim),
                    org.nd4j.linalg.indexing.NDArrayIndex.interval(h * headDim, (h + 1) * headDim)).assign(one);
        }
        return m;
    }

    /**
     * R with x·R = rotate_half(x) = cat(−x2, x1), so RoPE is a tiny matmul instead of slicing, which needs
     * no run-time shapes and is exact (entries are 0 and ±1).
     */
    public static INDArray rotateHalfMatrix(int headDim) {
        int half = headDim / 2;
        float[] r = new float[headDim * headDim];
        for (int j = 0; j < half; j++) {
            r[(j + half) * headDim + j] = -1f;
            r[j * headDim + j + half] = 1f;
        }
        return Nd4j.create(r, new long[]{headDim, headDim}, 'c');
    }
}
