package io.kif4j.transformer.decode;

import org.bytedeco.openblas.global.openblas_nolapack;

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

    private Blas() {
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

    /** y[rows, out] = x[rows, in] · Wᵀ (+ beta · y), W [out, in] as PyTorch stores it. */
    static void linear(Buf x, Buf w, Buf y, int rows, int in, int out, float beta) {
        gemm(true, rows, out, in, 1f, x, 0, in, w, 0, in, beta, y, 0, out);
    }
}
