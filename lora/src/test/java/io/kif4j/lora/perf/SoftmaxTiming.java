package io.kif4j.lora.perf;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax;
import org.nd4j.linalg.api.ops.impl.transforms.gradient.SoftmaxBp;
import org.nd4j.linalg.factory.Nd4j;

/** Not a test: softmax and its backward on 4-D attention scores vs the same data as 2-D rows. */
public final class SoftmaxTiming {
    public static void main(String[] args) {
        Nd4j.getEnvironment().setMaxMasterThreads(1);
        for (long[] shape : new long[][]{{8, 8, 16, 16}, {8, 8, 16, 128}, {8, 8, 128, 128}}) {
            INDArray x4 = Nd4j.rand(DataType.FLOAT, shape);
            INDArray g4 = Nd4j.rand(DataType.FLOAT, shape);
            long rows = x4.length() / shape[3];
            INDArray x2 = x4.reshape(rows, shape[3]);
            INDArray g2 = g4.reshape(rows, shape[3]);
            for (int rep = 0; rep < 3; rep++) {
                double f4 = time(() -> Nd4j.exec(new SoftMax(x4, Nd4j.createUninitialized(DataType.FLOAT, shape), 3)));
                double f2 = time(() -> Nd4j.exec(new SoftMax(x2, Nd4j.createUninitialized(DataType.FLOAT, rows, shape[3]), 1)));
                double b4 = time(() -> Nd4j.exec(new SoftmaxBp(x4, g4, Nd4j.createUninitialized(DataType.FLOAT, shape), 3)));
                double b2 = time(() -> Nd4j.exec(new SoftmaxBp(x2, g2, Nd4j.createUninitialized(DataType.FLOAT, rows, shape[3]), 1)));
                System.out.printf("%s: softmax 4-D %.2f ms, 2-D %.2f ms; softmax_bp 4-D %.2f ms, 2-D %.2f ms%n",
                        java.util.Arrays.toString(shape), f4, f2, b4, b2);
            }
        }
    }

    static double time(Runnable r) {
        r.run();
        long s = System.nanoTime();
        for (int i = 0; i < 10; i++) {
            r.run();
        }
        return (System.nanoTime() - s) / 1e7;
    }
}
