package io.kif4j.bench;

import io.kif4j.transformer.nn.Gradients;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Grouped-query attention (stories260K's shape: batch 8, 4 key/value heads × 2 query heads each, 128 tokens,
 * head size 8), forward and backward: keys and values tiled to every query head ({@code tile}, the old graph) or
 * the query heads of a group stacked along time ({@code stack}, the new one).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx3g", "-Dorg.bytedeco.javacpp.maxbytes=8G"})
public class GroupedQueryAttentionBenchmark {

    @Param({"tile", "stack"})
    String gqa;

    SameDiff attentionGraph;
    Map<String, INDArray> attentionInputs;

    @Setup
    public void setUp() {
        Nd4j.getRandom().setSeed(1);
        // attention: B 8, kv heads 4, groups 2, T 128, hd 8 (stories260K)
        int b = 8, kv = 4, groups = 2, t = 128, hd = 8;
        attentionGraph = SameDiff.create();
        SDVariable q = attentionGraph.var("q", Nd4j.randn(DataType.FLOAT, b, kv * groups, t, hd));
        SDVariable k = attentionGraph.var("k", Nd4j.randn(DataType.FLOAT, b, kv, t, hd));
        SDVariable v = attentionGraph.var("v", Nd4j.randn(DataType.FLOAT, b, kv, t, hd));
        SDVariable ctx;
        if (gqa.equals("tile")) {
            SDVariable kt = attentionGraph.reshape(attentionGraph.tile(attentionGraph.expandDims(k, 2), 1, 1, groups, 1, 1),
                    b, kv * groups, t, hd);
            SDVariable vt = attentionGraph.reshape(attentionGraph.tile(attentionGraph.expandDims(v, 2), 1, 1, groups, 1, 1),
                    b, kv * groups, t, hd);
            SDVariable p = attentionGraph.nn.softmax(attentionGraph.mmul(q, kt, false, true, false), 3);
            ctx = attentionGraph.mmul(p, vt);
        } else {
            SDVariable qs = attentionGraph.reshape(q, b, kv, groups * t, hd);
            SDVariable p = attentionGraph.nn.softmax(attentionGraph.mmul(qs, k, false, true, false), 3);
            ctx = attentionGraph.reshape(attentionGraph.mmul(p, v), b, kv * groups, t, hd);
        }
        attentionGraph.setLossVariables(attentionGraph.sum("loss", ctx.mul(ctx)));
        attentionInputs = Map.of();
    }

    @Benchmark
    public Object groupedQueryAttentionBackward() {
        return Gradients.compute(attentionGraph, attentionInputs, List.of("loss"), List.of("q", "k", "v")).gradients();
    }
}
