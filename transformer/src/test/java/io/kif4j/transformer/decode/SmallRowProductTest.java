package io.kif4j.transformer.decode;

import io.kif4j.transformer.nn.LinearAdapter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The decoder's weight product y = x·Wᵀ + b ({@link LeanLinear}) on both kernels, the Vector API one
 * ({@link VectorLinear}) and sgemm, against ND4J's mmul, at shapes that exercise every remainder: rows not a
 * multiple of the 8-row group, inputs not a multiple of the vector length, odd outputs; the Vector API kernel
 * also split over 2 and 3 threads.
 * The surefire execution {@code without-vector-module} (transformer/pom.xml) runs this class in a JVM without
 * {@code jdk.incubator.vector}, where {@link Blas#vectorKernel()} must choose sgemm.
 */
class SmallRowProductTest {

    private static final String MODULE = "jdk.incubator.vector";

    @AfterEach
    void restore() {
        System.clearProperty(Blas.KERNEL_PROPERTY);
    }

    @Test
    void kernelChoiceFollowsTheModuleAndTheProperty() {
        boolean present = ModuleLayer.boot().findModule(MODULE).isPresent();
        assertEquals(!"false".equals(System.getProperty("kif.test.vector.module")), present,
                "this JVM's " + MODULE + " module (the surefire execution decides)");
        assertEquals(present, Blas.vectorKernel());
        System.setProperty(Blas.KERNEL_PROPERTY, "blas");
        assertEquals(false, Blas.vectorKernel());
    }

    @Test
    void bothKernelsEqualMmul() {
        int[][] shapes = {{8, 512, 300}, {1, 64, 7}, {3, 37, 129}, {11, 130, 66}, {16, 24, 1}};
        for (String kernel : new String[]{"", "blas"}) {
            System.setProperty(Blas.KERNEL_PROPERTY, kernel);
            for (int[] s : shapes) {
                check(kernel.isEmpty() ? "default kernel" : kernel, 0, s[0], s[1], s[2]);
            }
        }
    }

    @Test
    void vectorKernelSplitOverThreadsEqualsMmul() {
        assumeTrue(ModuleLayer.boot().findModule(MODULE).isPresent(), "no " + MODULE + " in this JVM");
        for (int threads : new int[]{2, 3}) {
            check("vector", threads, 8, 96, 1000);
            check("vector", threads, 5, 40, 131);
        }
    }

    /** LeanLinear's product on the kernel Blas chooses (threads 0), or VectorLinear on that many threads. */
    private static void check(String kernel, int threads, int rows, int in, int out) {
        Nd4j.getRandom().setSeed(rows * 31L + in * 7L + out);
        INDArray w = Nd4j.rand(DataType.FLOAT, out, in).subi(0.5);
        INDArray b = Nd4j.rand(DataType.FLOAT, out);
        INDArray x = Nd4j.rand(DataType.FLOAT, rows, in).subi(0.5);
        INDArray expected = x.mmul(w.transpose()).addiRowVector(b);
        Buf y = Buf.zeros(rows, out);
        if (threads == 0) {
            new LeanLinear(null, Buf.of(w), Buf.of(b), in, out, LinearAdapter.NONE, rows).forward(Buf.of(x), y, rows);
        } else {
            VectorLinear.linear(Buf.of(x), Buf.of(w), Buf.of(b), y, rows, in, out, new float[rows * in],
                    new float[rows * in], new float[rows * out], threads);
        }
        double worst = 0;
        for (int i = 0; i < rows * out; i++) {
            worst = Math.max(worst, Math.abs(y.get(i) - expected.getFloat((long) i / out, (long) i % out)));
        }
        // sums of up to 512 products of magnitude < 0.5: float32 rounding in another order stays far below 1e-4
        assertTrue(worst < 1e-4, kernel + " (" + threads + " threads), [" + rows + ", " + in + "] x [" + in + ", "
                + out + "]: worst difference " + worst);
    }
}
