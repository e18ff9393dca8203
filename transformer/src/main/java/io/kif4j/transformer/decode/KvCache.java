package io.kif4j.transformer.decode;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * One attention layer's keys and values, [B, kvHeads, capacity, headDim] each, preallocated for the whole
 * generation: slot s of row b holds the key of the token at cache position s (left padding included, as HF's
 * cache), so a step writes one slot instead of concatenating a new cache.
 */
final class KvCache {

    final Buf keys;
    final Buf values;
    final int batch;
    final int heads;
    final int capacity;
    final int headDim;

    KvCache(int batch, int heads, int capacity, int headDim) {
        this.batch = batch;
        this.heads = heads;
        this.capacity = capacity;
        this.headDim = headDim;
        keys = Buf.zeros(batch, heads, capacity, headDim);
        values = Buf.zeros(batch, heads, capacity, headDim);
    }

    /** A cache holding exactly {@code k}, {@code v} [B, heads, S, headDim] (T5's cross-attention keys/values). */
    static KvCache of(INDArray k, INDArray v) {
        long[] s = k.shape();
        KvCache c = new KvCache((int) s[0], (int) s[1], (int) s[2], (int) s[3]);
        c.load(k, v);
        return c;
    }

    /** Slots 0..S−1 from a graph's present keys and values [B, heads, S, headDim]. */
    void load(INDArray k, INDArray v) {
        long len = k.size(2);
        keys.nd.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(0, len), NDArrayIndex.all()).assign(k);
        values.nd.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(0, len), NDArrayIndex.all()).assign(v);
    }

    /** Writes slot {@code slot} of every row from k, v [B, heads·headDim] (one token per row). */
    void put(Buf k, Buf v, int slot) {
        int width = heads * headDim;
        for (int b = 0; b < batch; b++) {
            for (int h = 0; h < heads; h++) {
                int src = b * width + h * headDim;
                int dst = offset(b, h) + slot * headDim;
                for (int d = 0; d < headDim; d++) {
                    keys.put(dst + d, k.get(src + d));
                    values.put(dst + d, v.get(src + d));
                }
            }
        }
    }

    /** Element offset of slot 0 of (row b, head h). */
    int offset(int b, int h) {
        return (b * heads + h) * capacity * headDim;
    }
}
