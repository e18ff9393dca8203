package io.kif4j.bench;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

import java.util.Map;

/**
 * Grouped-query attention (stories260K's shape: batch 8, 4 key/value heads × 2 query heads each, 128 tokens,
 * head size 8), forward and backward: keys and values tiled to every query head ({@code tile}, the old graph) or
 * the query heads of a group stacked along time ({@code stack}, the new one).
 */
public class GroupedQueryAttentionBenchmark extends GraphBenchmark {

    @Param({"tile", "stack"})
    String gqa;

    @Setup
    public void setUp() {
        Nd4j.getRandom().setSeed(1);
        // attention: B 8, kv heads 4, groups 2, T 128, hd 8 (stories260K)
        int b = 8, kv = 4, groups = 2, t = 128, hd = 8;
        graph = SameDiff.create();
        SDVariable q = graph.var("q", Nd4j.randn(DataType.FLOAT, b, kv * groups, t, hd));
        SDVariable k = graph.var("k", Nd4j.randn(DataType.FLOAT, b, kv, t, hd));
        SDVariable v = graph.var("v", Nd4j.randn(DataType.FLOAT, b, kv, t, hd));
        SDVariable ctx;
        if (gqa.equals("tile")) {
            SDVariable kt = graph.reshape(graph.tile(graph.expandDims(k, 2), 1, 1, groups, 1, 1),
                    b, kv * groups, t, hd);
            SDVariable vt = graph.reshape(graph.tile(graph.expandDims(v, 2), 1, 1, groups, 1, 1),
                    b, kv * groups, t, hd);
            SDVariable p = graph.nn.softmax(graph.mmul(q, kt, false, true, false), 3);
            ctx = graph.mmul(p, vt);
        } else {
            SDVariable qs = graph.reshape(q, b, kv, groups * t, hd);
            SDVariable p = graph.nn.softmax(graph.mmul(qs, k, false, true, false), 3);
            ctx = graph.reshape(graph.mmul(p, v), b, kv * groups, t, hd);
        }
        graph.setLossVariables(graph.sum("loss", ctx.mul(ctx)));
        inputs = Map.of();
    }

    @Benchmark
    public Object groupedQueryAttentionBackward() {
        return backward("q", "k", "v");
    }
}
