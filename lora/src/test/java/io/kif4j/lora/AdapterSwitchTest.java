package io.kif4j.lora;

import io.kif4j.transformer.LanguageModel;
import io.kif4j.transformer.ModelInputs;
import io.kif4j.transformer.Models;
import io.kif4j.transformer.testing.Fixture;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * {@link Lora#use} with PEFT adapters: another adapter of the fixture adapter's layout keeps the model's graph and
 * gives exactly a fresh model's logits, loss and LoRA gradients; a grown adapter (another rank) rebuilds it. On the
 * first fixture of each family.
 */
class AdapterSwitchTest {

    @TestFactory
    Stream<DynamicTest> sameLayoutSwitchesKeepTheGraph() {
        return Stream.of("llama", "t5").map(family -> {
            Fixture f = Fixture.all(family).get(0);
            return DynamicTest.dynamicTest(f.name(), () -> check(f));
        });
    }

    private static void check(Fixture f) {
        ModelInputs batch = f.inputs().batch();
        LanguageModel model = Models.load(f.dir());
        LoraAdapter x = LoraAdapter.load(f.dir().resolve("lora"));
        Lora.use(model, x, AttachedAdapter.Mode.EVAL).built();
        SameDiff graph = model.trainingGraph();
        Lora.LossAndGradients ofX = Lora.lossAndGradients(model, x, batch);
        INDArray logitsX = model.score(batch).logits();

        LoraAdapter y = x.copy();
        Nd4j.getRandom().setSeed(5);
        for (LoraModule m : y.modules()) {
            m.a().addi(Nd4j.randn(DataType.FLOAT, m.a().shape()).muli(0.05));
            m.b().addi(Nd4j.randn(DataType.FLOAT, m.b().shape()).muli(0.05));
        }
        Lora.use(model, y, AttachedAdapter.Mode.EVAL).built();               // built() checks every module is used
        assertSame(graph, model.trainingGraph(), f.name() + ": the same layout keeps the graph");
        INDArray logitsY = model.score(batch).logits();
        assertNotEquals(0.0, Fixture.maxAbsDiff(logitsY, logitsX), f.name() + ": the adapters differ");
        LanguageModel fresh = Models.load(f.dir());
        Lora.use(fresh, y, AttachedAdapter.Mode.EVAL).built();
        assertEquals(0.0, Fixture.maxAbsDiff(logitsY, fresh.score(batch).logits()), f.name() + ": y's logits");
        same(Lora.lossAndGradients(fresh, y, batch), Lora.lossAndGradients(model, y, batch), f.name() + ": y");

        Lora.use(model, x, AttachedAdapter.Mode.EVAL);
        assertSame(graph, model.trainingGraph());
        assertEquals(0.0, Fixture.maxAbsDiff(model.score(batch).logits(), logitsX), f.name() + ": x again");
        same(ofX, Lora.lossAndGradients(model, x, batch), f.name() + ": x again");

        Lora.use(model, x.grow(2, 1), AttachedAdapter.Mode.EVAL);
        assertNotSame(graph, model.trainingGraph(), f.name() + ": another rank rebuilds");
    }

    private static void same(Lora.LossAndGradients expected, Lora.LossAndGradients actual, String what) {
        assertEquals(expected.loss(), actual.loss(), 0.0, what + ": loss");
        assertEquals(expected.gradients().keySet(), actual.gradients().keySet(), what);
        expected.gradients().forEach((v, g) -> assertEquals(0.0, Fixture.maxAbsDiff(actual.gradients().get(v), g),
                what + ": gradient of " + v));
    }
}
