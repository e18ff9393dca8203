package io.kif4j.transformer.llama;

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
        this.headDim = headDim;
        this.invFreq = new float[headDim / 2];
        for (int i = 0; i < invFreq.length; i++) {
            float exponent = (float) (2 * i) / headDim;
            invFreq[i] = 1.0f / (float) Math.pow(theta, exponent);
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
