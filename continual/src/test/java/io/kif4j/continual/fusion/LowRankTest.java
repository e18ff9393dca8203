package io.kif4j.continual.fusion;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The QR, Jacobi SVD and truncation behind delta-space fusion, against ND4J's LAPACK SVD. */
class LowRankTest {

    static double[] random(SplittableRandom r, int n) {
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = r.nextDouble() * 2 - 1;
        }
        return x;
    }

    static INDArray mat(double[] x, int rows, int cols) {
        return Nd4j.create(x, new long[]{rows, cols}, 'c');
    }

    static double[] lapackSingularValues(double[] x, int rows, int cols) {
        INDArray s = Nd4j.create(DataType.DOUBLE, Math.min(rows, cols));
        Nd4j.getBlasWrapper().lapack().gesvd(mat(x, rows, cols).dup('f'), s, null, null);
        return s.toDoubleVector();
    }

    @Test
    void qrOfFullAndRankDeficientMatrices() {
        SplittableRandom rnd = new SplittableRandom(3);
        double[] x = random(rnd, 10 * 4);
        for (int i = 0; i < 10; i++) {
            x[i * 4 + 2] = 0;               // a zero column
            x[i * 4 + 3] = 2 * x[i * 4];    // a dependent column
        }
        for (int[] dims : new int[][]{{10, 4}, {3, 5}}) {
            double[] a = dims[0] == 10 ? x : random(rnd, 15);
            LowRank.Qr qr = LowRank.qr(a, dims[0], dims[1]);
            INDArray q = mat(qr.q(), dims[0], qr.cols());
            assertEquals(0, q.transpose().mmul(q).sub(Nd4j.eye(qr.cols()).castTo(DataType.DOUBLE))
                    .amaxNumber().doubleValue(), 1e-12, "orthonormal columns");
            assertEquals(0, q.mmul(mat(qr.r(), qr.cols(), dims[1])).sub(mat(a, dims[0], dims[1]))
                    .amaxNumber().doubleValue(), 1e-12, "Q·R = X");
        }
    }

    @Test
    void jacobiSvdMatchesLapack() {
        SplittableRandom rnd = new SplittableRandom(4);
        for (int[] d : new int[][]{{6, 4}, {4, 6}, {16, 16}}) {
            double[] x = random(rnd, d[0] * d[1]);
            LowRank.Svd svd = LowRank.svd(x, d[0], d[1]);
            assertArrayEquals(lapackSingularValues(x, d[0], d[1]), svd.s(), 1e-12);
            int k = svd.s().length;
            INDArray rebuilt = mat(svd.u(), d[0], k).mulRowVector(Nd4j.createFromArray(svd.s()))
                    .mmul(mat(svd.v(), d[1], k).transpose());
            assertEquals(0, rebuilt.sub(mat(x, d[0], d[1])).amaxNumber().doubleValue(), 1e-12);
        }
    }

    @Test
    void truncationOfAThinProduct() {
        SplittableRandom rnd = new SplittableRandom(5);
        int m = 30, k = 6, n = 20;
        double[] l = random(rnd, m * k);
        double[] r = random(rnd, k * n);
        INDArray dense = mat(l, m, k).mmul(mat(r, k, n));
        double[] sv = lapackSingularValues(dense.data().asDouble(), m, n);
        for (int rank : new int[]{2, 3, 6, 8}) {
            LowRank.Factors f = LowRank.truncate(l, r, m, k, n, rank);
            double tail = 0, total = 0;
            for (int j = 0; j < sv.length; j++) {
                total += sv[j] * sv[j];
                tail += j >= rank ? sv[j] * sv[j] : 0;
            }
            double measured = mat(f.b(), m, rank).mmul(mat(f.a(), rank, n)).sub(dense).norm2Number().doubleValue()
                    / dense.norm2Number().doubleValue();
            assertEquals(Math.sqrt(tail / total), f.relativeError(), 1e-9, "rank " + rank);
            assertEquals(measured, f.relativeError(), 1e-9, "rank " + rank);
            if (rank >= k) {
                assertTrue(f.relativeError() < 1e-7, "exact at rank " + rank + " ≥ true rank " + k);
            }
        }
    }
}
