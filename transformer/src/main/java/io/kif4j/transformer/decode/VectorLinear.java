package io.kif4j.transformer.decode;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * y[m, out] = x[m, in] · Wᵀ for the few rows of a decoding step, W [out, in] row-major in native memory: each
 * weight row is read from memory once and multiplied against all m activation rows, which stay in L1 (a Java
 * copy, m · in floats). With the JDK's Vector API (incubator module {@code jdk.incubator.vector}); only
 * {@link Blas} touches this class, and only when that module is present, since loading it otherwise fails.
 *
 * <p>Why: OpenBLAS 0.3.19 packs the weight for an 8-row sgemm and reads it at 2.6–3.3 GB/s, where one pass over
 * it runs at 10–19 GB/s, and a decoding step is mostly reading weights. Measured on one thread, quiet machine
 * (docs/PERFORMANCE.md): LLaMA-small's head [8, 512] × [512, 32000] 21–23 ms on sgemm, 12.5–15.7 ms here; a
 * whole decoding step (batch 8) 67.7 → 39.9 ms.
 */
final class VectorLinear {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();

    private static final int CORES = Runtime.getRuntime().availableProcessors();
    /** Helper threads for {@link #linear} with more than one thread (daemons, made on first use). */
    private static volatile ExecutorService pool;

    private VectorLinear() {
    }

    /**
     * y[rows, out] = x[rows, in] · Wᵀ (+ bias), split by output columns over {@code threads} threads (the caller
     * runs the first share).
     *
     * @param xs, xp [rows · in] scratch for the activations (as given, packed), ys [rows · out] for the products
     */
    static void linear(Buf x, Buf w, Buf bias, Buf y, int rows, int in, int out, float[] xs, float[] xp,
                       float[] ys, int threads) {
        x.fb.get(0, xs, 0, rows * in);
        pack(xs, xp, rows, in);
        int parts = Math.max(1, Math.min(Math.min(threads, CORES), out / 64));
        if (parts == 1) {
            product(xs, xp, rows, in, w.bytes, ys, out, 0, out);
        } else {
            Future<?>[] others = new Future<?>[parts - 1];
            ExecutorService p = pool();
            for (int t = 1; t < parts; t++) {
                int lo = split(out, parts, t);
                int hi = split(out, parts, t + 1);
                others[t - 1] = p.submit(() -> product(xs, xp, rows, in, w.bytes, ys, out, lo, hi));
            }
            product(xs, xp, rows, in, w.bytes, ys, out, 0, split(out, parts, 1));
            for (Future<?> f : others) {
                try {
                    f.get();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while decoding", e);
                } catch (ExecutionException e) {
                    throw new IllegalStateException(e.getCause());
                }
            }
        }
        if (bias != null) {
            for (int i = 0; i < rows; i++) {
                for (int j = 0; j < out; j++) {
                    ys[i * out + j] += bias.get(j);
                }
            }
        }
        y.fb.put(0, ys, 0, rows * out);
    }

    /** Start of share t of parts over n columns. */
    private static int split(int n, int parts, int t) {
        return (int) ((long) n * t / parts);
    }

    /** The helper threads, one fewer than the cores (split shares beyond that would only queue). */
    private static ExecutorService pool() {
        ExecutorService p = pool;
        if (p == null) {
            synchronized (VectorLinear.class) {
                if (pool == null) {
                    AtomicInteger n = new AtomicInteger();
                    pool = Executors.newFixedThreadPool(CORES - 1, r -> {
                        Thread t = new Thread(r, "kif-decode-" + n.incrementAndGet());
                        t.setDaemon(true);
                        return t;
                    });
                }
                p = pool;
            }
        }
        return p;
    }

    /** Activation rows per pass over a weight row: 8 accumulators, 9 loads per 8 FMAs (AVX2 has 16 registers). */
    static final int GROUP = 8;

    /**
     * Output columns [lo, hi) of y = x · Wᵀ.
     *
     * @param x  [m, in] the activations, row-major
     * @param xp the same rows, packed for {@link #eightRows}: group g of {@link #GROUP} rows at g · GROUP · in,
     *           laid out [in / L][GROUP][L]
     * @param w  W [out, in] row-major, float32 in native order, position 0 at W[0, 0]
     * @param y  [m, out] row-major, written at columns lo..hi−1 only
     */
    static void product(float[] x, float[] xp, int m, int in, ByteBuffer w, float[] y, int out, int lo, int hi) {
        int vecIn = in - in % L;
        int groups = m / GROUP;
        for (int j = lo; j < hi; j++) {
            int wOff = j * in * Float.BYTES;
            for (int g = 0; g < groups; g++) {
                eightRows(x, xp, g * GROUP, in, vecIn, w, wOff, y, out, j);
            }
            for (int i = groups * GROUP; i < m; i++) {
                y[i * out + j] = dot(x, i * in, in, vecIn, w, wOff);
            }
        }
    }

    /** Packs x [m, in] into {@code xp} as {@link #product} reads it (the rows of whole groups only). */
    static void pack(float[] x, float[] xp, int m, int in) {
        int vecIn = in - in % L;
        for (int g = 0; g + GROUP <= m; g += GROUP) {
            int p = g * in;
            for (int k = 0; k < vecIn; k += L) {
                for (int i = g; i < g + GROUP; i++) {
                    System.arraycopy(x, i * in + k, xp, p, L);
                    p += L;
                }
            }
        }
    }

    /** Weight row j (byte offset wOff) against activation rows r..r+7. */
    private static void eightRows(float[] x, float[] xp, int r, int in, int vecIn, ByteBuffer w, int wOff, float[] y,
                                  int out, int j) {
        FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        int p = r * in;
        for (int k = 0; k < vecIn; k += L, p += GROUP * L) {
            FloatVector v = FloatVector.fromByteBuffer(S, w, wOff + k * Float.BYTES, ORDER);
            a0 = v.fma(FloatVector.fromArray(S, xp, p), a0);
            a1 = v.fma(FloatVector.fromArray(S, xp, p + L), a1);
            a2 = v.fma(FloatVector.fromArray(S, xp, p + 2 * L), a2);
            a3 = v.fma(FloatVector.fromArray(S, xp, p + 3 * L), a3);
            a4 = v.fma(FloatVector.fromArray(S, xp, p + 4 * L), a4);
            a5 = v.fma(FloatVector.fromArray(S, xp, p + 5 * L), a5);
            a6 = v.fma(FloatVector.fromArray(S, xp, p + 6 * L), a6);
            a7 = v.fma(FloatVector.fromArray(S, xp, p + 7 * L), a7);
        }
        store(a0, x, r, in, vecIn, w, wOff, y, out, j);
        store(a1, x, r + 1, in, vecIn, w, wOff, y, out, j);
        store(a2, x, r + 2, in, vecIn, w, wOff, y, out, j);
        store(a3, x, r + 3, in, vecIn, w, wOff, y, out, j);
        store(a4, x, r + 4, in, vecIn, w, wOff, y, out, j);
        store(a5, x, r + 5, in, vecIn, w, wOff, y, out, j);
        store(a6, x, r + 6, in, vecIn, w, wOff, y, out, j);
        store(a7, x, r + 7, in, vecIn, w, wOff, y, out, j);
    }

    /** y[i, j] = the lanes of acc plus the scalar tail of the row (in not a multiple of the vector length). */
    private static void store(FloatVector acc, float[] x, int i, int in, int vecIn, ByteBuffer w, int wOff, float[] y,
                              int out, int j) {
        float s = acc.reduceLanes(VectorOperators.ADD);
        for (int k = vecIn; k < in; k++) {
            s += w.getFloat(wOff + k * Float.BYTES) * x[i * in + k];
        }
        y[i * out + j] = s;
    }

    /** One weight row (byte offset wOff) · one activation row (from xOff). */
    private static float dot(float[] x, int xOff, int in, int vecIn, ByteBuffer w, int wOff) {
        FloatVector acc = FloatVector.zero(S);
        for (int k = 0; k < vecIn; k += L) {
            acc = FloatVector.fromByteBuffer(S, w, wOff + k * Float.BYTES, ORDER)
                    .fma(FloatVector.fromArray(S, x, xOff + k), acc);
        }
        float s = acc.reduceLanes(VectorOperators.ADD);
        for (int k = vecIn; k < in; k++) {
            s += w.getFloat(wOff + k * Float.BYTES) * x[xOff + k];
        }
        return s;
    }
}
