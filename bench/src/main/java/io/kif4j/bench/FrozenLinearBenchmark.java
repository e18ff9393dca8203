package io.kif4j.bench;

import io.kif4j.transformer.nn.FrozenMatMul;
import io.kif4j.transformer.nn.Relu;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.custom.XwPlusB;
import org.nd4j.linalg.factory.Nd4j;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

import java.util.Map;

/**
 * Frozen linear layers, old form against new: a backward pass into a LoRA-like trainable matrix through six
 * frozen 512×512 layers on 1024 rows, with y = x·Wᵀ as {@code matmul} (its backward always computes the frozen
 * weight's gradient too), as {@code xw_plus_b} over a transposed view (the weight's gradient is a separate op
 * that never runs, but the forward is slow), or as {@link FrozenMatMul} with {@link Relu} (the code's form now:
 * {@code matmul} forward, a backward for the input only, and ReLU's backward as g·step(x)).
 */
public class FrozenLinearBenchmark extends GraphBenchmark {

    @Param({"matmul", "xw_plus_b", "frozen_matmul"})
    String frozen;

    @Setup
    public void setUp() {
        Nd4j.getRandom().setSeed(1);
        int n = 1024;
        int d = 512;
        graph = SameDiff.create();
        SDVariable x = graph.placeHolder("x", DataType.FLOAT, -1, d);
        SDVariable a = graph.var("a", Nd4j.randn(DataType.FLOAT, 8, d).muli(0.05));
        SDVariable h = x.add(graph.mmul(graph.mmul(x, a, false, true, false), a)); // trainable path
        for (int l = 0; l < 6; l++) {
            INDArray w = Nd4j.randn(DataType.FLOAT, d, d).muli(0.05);
            h = switch (frozen) {
                case "matmul" -> graph.mmul(h, graph.constant(w), false, true, false);
                case "xw_plus_b" -> new XwPlusB(graph, h, graph.constant(w.transpose()),
                        graph.constant(Nd4j.zeros(DataType.FLOAT, d))).outputVariable();
                default -> FrozenMatMul.apply(graph, h, graph.constant(w));
            };
            h = frozen.equals("frozen_matmul") ? Relu.apply(graph, h) : graph.nn.relu(h, 0);
        }
        graph.setLossVariables(graph.sum("loss", h.mul(h)));
        inputs = Map.of("x", Nd4j.randn(DataType.FLOAT, n, d));

    }

    @Benchmark
    public Object frozenLinearBackward() {
        return backward("a");
    }
}
