package io.kif4j.transformer.decode;

import io.kif4j.transformer.nn.Threads;
import org.bytedeco.openblas.global.openblas_nolapack;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Row-major sgemm through the CPU backend's own OpenBLAS (the library ND4J's {@code nd4j-native} calls, with its
 * thread setting), on element offsets into {@link Buf}s. A call costs about a microsecond here, against 20-40 µs
 * for {@code Nd4j.gemm}, which goes through an op, its validation and shape objects: the decoder makes some
 * hundreds of small products per token (measured in docs/PERFORMANCE.md).
 */
final class Blas {

    private static final int ROW_MAJOR = 101;
    private static final int NO_TRANS = 111;
    private static final int TRANS = 112;

    /** System property: {@code blas} runs the decoder's weight products on sgemm even when the Vector API is there. */
    static final String KERNEL_PROPERTY = "kif.decode.kernel";
    private static final String VECTOR_MODULE = "jdk.incubator.vector";
    private static final Logger LOG = LoggerFactory.getLogger(Blas.class);
    private static final AtomicBoolean LOGGED = new AtomicBoolean();

    private Blas() {
    }

    /**
     * Whether the decoder's weight products (few rows × a whole weight) run on {@link VectorLinear} rather than
     * sgemm: when the JVM has the Vector API module ({@code --add-modules jdk.incubator.vector}, which ./kif and
     * the tests pass) and {@code -Dkif.decode.kernel=blas} does not ask for sgemm. Without the module, the class
     * would not even load, so this is the one place that looks. Logged once, at debug level.
     */
    static boolean vectorKernel() {
        boolean present = ModuleLayer.boot().findModule(VECTOR_MODULE).isPresent();
        boolean wanted = !"blas".equalsIgnoreCase(System.getProperty(KERNEL_PROPERTY, "").trim());
        if (LOGGED.compareAndSet(false, true)) {
            LOG.debug("lean decoder weight products: {}", present && wanted ? "Vector API kernel"
                    : "OpenBLAS sgemm (" + (present ? "-D" + KERNEL_PROPERTY + "=blas" : "no " + VECTOR_MODULE
                    + " module in this JVM") + ")");
        }
        return present && wanted;
    }

    /**
     * y[rows, out] = x[rows, in] · Wᵀ (+ bias) on {@link VectorLinear}, over the BLAS's thread count; only when
     * {@link #vectorKernel()} said so.
     *
     * @param xs, xp [rows · in] and ys [rows · out]: the caller's scratch
     */
    static void vectorLinear(Buf x, Buf w, Buf bias, Buf y, int rows, int in, int out, float[] xs, float[] xp,
                             float[] ys) {
        VectorLinear.linear(x, w, bias, y, rows, in, out, xs, xp, ys, Threads.blas());
    }

    /**
     * C[m, n] = alpha · A[m, k] · op(B) + beta · C, op(B) = Bᵀ of a [n, k] B when {@code transB}, else B [k, n].
     *
     * @param lda, ldb, ldc row strides (elements) of A, B and C
     */
    static void gemm(boolean transB, int m, int n, int k, float alpha, Buf a, long aOff, int lda, Buf b, long bOff,
                     int ldb, float beta, Buf c, long cOff, int ldc) {
        openblas_nolapack.cblas_sgemm(ROW_MAJOR, NO_TRANS, transB ? TRANS : NO_TRANS, m, n, k, alpha, a.at(aOff), lda,
                b == a ? a.at2(bOff) : b.at(bOff), ldb, beta, c == a || c == b ? c.at2(cOff) : c.at(cOff), ldc);
    }

    /** y[rows, out] = x[rows, in] · Wᵀ, W [out, in] as PyTorch stores it. */
    static void linear(Buf x, Buf w, Buf y, int rows, int in, int out) {
        gemm(true, rows, out, in, 1f, x, 0, in, w, 0, in, 0f, y, 0, out);
    }

    /**
     * yᵀ[out, rows] = W · xᵀ: the same product with the weight as the left operand. For the few rows of a decoding
     * step OpenBLAS 0.3.19 runs this orientation about 1.5× faster on the layers' shapes (8 × 512 × 1408: 2.3 vs
     * 3.4 ms per layer of LLaMA-small on one thread); on the vocabulary head they are even.
     */
    static void linearTransposed(Buf x, Buf w, Buf yt, int rows, int in, int out) {
        gemm(true, out, rows, in, 1f, w, 0, in, x, 0, in, 0f, yt, 0, rows);
    }

    /**
     * y[n] = alpha · op(A)·x + beta · y for a row-major A [m, k] (op(A) = Aᵀ [k, m] when {@code trans}, so y has
     * k entries). For one query head a matrix-vector call costs ~1.5 µs against ~11 µs for sgemm with one row.
     */
    static void gemv(boolean trans, int m, int k, Buf a, long aOff, Buf x, long xOff, Buf y, long yOff) {
        openblas_nolapack.cblas_sgemv(ROW_MAJOR, trans ? TRANS : NO_TRANS, m, k, 1f, a.at(aOff), k,
                x == a ? a.at2(xOff) : x.at(xOff), 1, 0f, y == a || y == x ? y.at2(yOff) : y.at(yOff), 1);
    }
}
