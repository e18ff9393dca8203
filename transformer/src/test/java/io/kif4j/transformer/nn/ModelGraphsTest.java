package io.kif4j.transformer.nn;

import io.kif4j.transformer.GenerationResult;
import io.kif4j.transformer.LanguageModel;
import io.kif4j.transformer.ModelInputs;
import io.kif4j.transformer.Models;
import io.kif4j.transformer.decode.LeanDecodingTest;
import io.kif4j.transformer.llama.LlamaGraph;
import io.kif4j.transformer.llama.LlamaModel;
import io.kif4j.transformer.t5.T5Graph;
import io.kif4j.transformer.t5.T5Model;
import io.kif4j.transformer.testing.Fixture;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiPredicate;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * Graphs are rebuilt only when the layout of the adapter changes: switching between two adapters of one layout
 * keeps both graphs and gives each adapter exactly the logits, gradients and generation of graphs freshly built
 * for it; an adapter of another layout rebuilds. On the first fixture of each family.
 */
class ModelGraphsTest {

    @TestFactory
    Stream<DynamicTest> sameLayoutKeepsTheGraphsAndOtherLayoutsRebuild() {
        return Stream.of("llama", "t5").map(family -> {
            Fixture f = Fixture.all(family).get(0);
            return DynamicTest.dynamicTest(f.name(), () -> check(f));
        });
    }

    private static void check(Fixture f) {
        LanguageModel model = Models.load(f.dir());
        ModelGraphs graphs = graphsOf(model);
        Map<String, INDArray> ph = model.placeholders(f.inputs().batch());

        TestAdapter a = new TestAdapter(4, 0.5, 1);
        graphs.setAdapter(a);
        SameDiff full = graphs.full();
        SameDiff step = graphs.step();
        assertEquals(2, graphs.builds);
        TestAdapter b = a.sameLayout(2);
        Result ofA = Result.of(full, ph, a);

        graphs.setAdapter(b);
        assertSame(full, graphs.full(), f.name() + ": the same layout keeps the full graph");
        assertSame(step, graphs.step(), f.name() + ": and the step graph");
        assertEquals(2, graphs.builds);
        b.arrays.forEach((name, arr) -> assertSame(arr, full.getVariable(name).getArr(), name + " is b's own array"));
        Result ofB = Result.of(full, ph, b);
        assertNotEquals(0.0, Fixture.maxAbsDiff(ofA.logits(), ofB.logits()), f.name() + ": the adapters differ");
        ofB.assertEquals(Result.of(graphsOf(model, b).full(), ph, b), f.name() + ": b on a kept graph vs fresh");

        graphs.setAdapter(a);
        assertSame(full, graphs.full());
        ofA.assertEquals(Result.of(full, ph, a), f.name() + ": a again");
        assertEquals(2, graphs.builds);

        graphs.setAdapter(new TestAdapter(2, 0.5, 3).sameShapesAs(a));      // another rank: another layout
        assertNotSame(full, graphs.full(), f.name() + ": another rank rebuilds");
        assertNotSame(step, graphs.step());
        assertEquals(4, graphs.builds);
        graphs.setAdapter(a.scaled(0.25));                                   // another scaling: another layout
        graphs.full();
        assertEquals(5, graphs.builds, f.name() + ": another scaling rebuilds");
        graphs.setAdapter(a);
        SameDiff extended = graphs.full();
        extended.setLossVariables(extended.identity("with_terms", extended.getVariable(GraphNames.LOSS).mul(2)));
        graphs.setAdapter(b);
        assertNotSame(extended, graphs.full(), f.name() + ": a graph whose loss a trainer extended is not kept");

        // through the model: generation on the kept step graph equals a fresh model's
        ModelInputs prompt = f.inputs().generation();
        int n = f.inputs().maxNewTokens();
        model.setAdapter(a);
        model.trainingGraph();
        model.setAdapter(b);
        GenerationResult kept = LeanDecodingTest.onGraph(() -> model.generate(prompt, n, false));
        LanguageModel fresh = Models.load(f.dir());
        fresh.setAdapter(b);
        GenerationResult built = LeanDecodingTest.onGraph(() -> fresh.generate(prompt, n, false));
        assertArrayEquals(built.sequences(), kept.sequences(), f.name() + ": generation");
        for (int s = 0; s < built.stepLogits().size(); s++) {
            same(built.stepLogits().get(s), kept.stepLogits().get(s), f.name() + ": step " + s + " logits");
        }
    }

    /** Bit for bit. */
    private static void same(INDArray expected, INDArray actual, String what) {
        assertArrayEquals(expected.shape(), actual.shape(), what);
        assertEquals(0.0, Fixture.maxAbsDiff(actual, expected), what);
    }

    /** Graphs of the model's own builders, counting builds. */
    private static ModelGraphs graphsOf(LanguageModel model) {
        if (model instanceof LlamaModel llama) {
            return new ModelGraphs((ad, t) -> LlamaGraph.build(llama.config(), model.weights(), ad, false, t),
                    ad -> LlamaGraph.build(llama.config(), model.weights(), ad, true, Graph.FROZEN));
        }
        T5Model t5 = (T5Model) model;
        return new ModelGraphs((ad, t) -> T5Graph.build(t5.config(), model.weights(), ad, T5Graph.Mode.FULL, t),
                ad -> T5Graph.build(t5.config(), model.weights(), ad, T5Graph.Mode.DECODER_STEP, Graph.FROZEN));
    }

    private static ModelGraphs graphsOf(LanguageModel model, LinearAdapter adapter) {
        ModelGraphs g = graphsOf(model);
        g.setAdapter(adapter);
        return g;
    }

    /** Logits, loss and the gradient of every adapter array on one batch. */
    private record Result(INDArray logits, INDArray loss, Map<String, INDArray> gradients) {

        static Result of(SameDiff sd, Map<String, INDArray> ph, TestAdapter adapter) {
            List<String> vars = new ArrayList<>(adapter.arrays.keySet());
            Gradients.Result r = Gradients.compute(sd, ph, List.of(GraphNames.LOGITS, GraphNames.LOSS), vars);
            return new Result(r.outputs().get(GraphNames.LOGITS).dup(), r.outputs().get(GraphNames.LOSS).dup(),
                    new LinkedHashMap<>(r.gradients()));
        }

        /** Exactly equal: the same graph shape on the same arrays. */
        void assertEquals(Result fresh, String what) {
            same(fresh.logits(), logits, what + ": logits");
            same(fresh.loss(), loss, what + ": loss");
            org.junit.jupiter.api.Assertions.assertEquals(fresh.gradients().keySet(), gradients.keySet(), what);
            fresh.gradients().forEach((v, g) -> same(g, gradients.get(v), what + ": gradient of " + v));
        }
    }

    /**
     * A LoRA-like term s·(x·Aᵀ)·Bᵀ on every self-attention projection, its arrays made (seeded) when a graph first
     * meets a layer; its layout is its variables' shapes and the scaling.
     */
    private record TestAdapter(int r, double scaling, long seed, Map<String, INDArray> arrays) implements LinearAdapter {

        TestAdapter(int r, double scaling, long seed) {
            this(r, scaling, seed, new LinkedHashMap<>());
        }

        /** Other arrays of the same shapes. */
        TestAdapter sameLayout(long seed) {
            return new TestAdapter(r, scaling, seed).sameShapesAs(this);
        }

        /** The same arrays, another scaling. */
        TestAdapter scaled(double scaling) {
            TestAdapter t = new TestAdapter(r, scaling, seed);
            t.arrays.putAll(arrays);
            return t;
        }

        /** Arrays of rank r for every layer {@code other} adapts. */
        TestAdapter sameShapesAs(TestAdapter other) {
            Nd4j.getRandom().setSeed(seed);
            other.arrays.forEach((name, arr) -> arrays.put(name, name.endsWith(".a")
                    ? Nd4j.randn(DataType.FLOAT, r, arr.size(1)) : Nd4j.randn(DataType.FLOAT, arr.size(0), r)));
            return this;
        }

        @Override
        public SDVariable delta(Graph g, String path, SDVariable x, long in, long out) {
            if (!path.contains("self_attn") && !path.contains("SelfAttention")) {
                return null;
            }
            if (!arrays.containsKey(path + ".a")) {
                Nd4j.getRandom().setSeed(seed + arrays.size());
                arrays.put(path + ".a", Nd4j.randn(DataType.FLOAT, r, in).muli(0.1));
                arrays.put(path + ".b", Nd4j.randn(DataType.FLOAT, out, r).muli(0.1));
            }
            SDVariable a = g.sd.hasVariable(path + ".a") ? g.sd.getVariable(path + ".a") : g.sd.var(path + ".a", arrays.get(path + ".a"));
            SDVariable b = g.sd.hasVariable(path + ".b") ? g.sd.getVariable(path + ".b") : g.sd.var(path + ".b", arrays.get(path + ".b"));
            return g.sd.mmul(g.sd.mmul(x, a, false, true, false).mul(scaling), b, false, true, false);
        }

        @Override
        public Layout layout() {
            Map<String, List<Long>> shapes = new LinkedHashMap<>();
            arrays.forEach((name, arr) -> shapes.put(name, List.of(arr.size(0), arr.size(1))));
            return new Layout(shapes, List.of(scaling));
        }

        @Override
        public void rebind(BiPredicate<String, INDArray> bind) {
            arrays.forEach(bind::test);
        }
    }
}
