package io.kif4j.transformer.nn;

import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Pins the SameDiff 1.0.0-M2.1 behaviours our graphs work around. If an upgrade fixes a quirk, the
 * "still broken" test here fails and the workaround can go.
 */
class SameDiffQuirksTest {

    @Test
    void reductionWithKeepDimsAndNegativeAxisIsWrongSoWeUsePositiveAxes() {
        INDArray x = Nd4j.rand(DataType.FLOAT, 3, 4, 5);
        INDArray expected = x.mean(true, 2);
        SameDiff sd = SameDiff.create();
        SDVariable in = sd.constant("x", x);
        SDVariable positive = sd.mean(in, true, 2);
        SDVariable negative = sd.mean(in, true, -1);
        Map<String, INDArray> out = sd.output(Map.of(), positive.name(), negative.name());
        assertTrue(expected.equalsWithEps(out.get(positive.name()), 1e-6), "positive axis is right");
        assertTrue(!expected.equalsWithEps(out.get(negative.name()).reshape(expected.shape()), 1e-6),
                "negative axis still wrong in this version: " + out.get(negative.name()));
    }

    /**
     * softmax over a row where every entry is masked (≈ −1e9: a left-pad query attends nothing): FLOAT shifts by
     * the row's max and gives the uniform row HF gives, DOUBLE does not shift, underflows to 0/0 and gives NaN, which
     * then spreads through the keys and values of later layers. So float64 graphs shift by the max themselves.
     */
    @Test
    void softmaxInDoubleIsNotMaxShiftedSoAFullyMaskedRowIsNaN() {
        for (DataType type : new DataType[]{DataType.FLOAT, DataType.DOUBLE}) {
            SameDiff sd = SameDiff.create();
            INDArray x = Nd4j.create(new double[][]{{-1e9, -1e9 + 1, -1e9}, {0.5, 1, 2}}).castTo(type);
            INDArray p = sd.nn.softmax(sd.constant("x", x), 1).eval();
            double z = Math.exp(0.5) + Math.exp(1) + Math.exp(2);
            assertEquals(Math.exp(2) / z, p.getDouble(1, 2), 1e-6, type + ": an ordinary row is right: " + p);
            if (type == DataType.FLOAT) {
                assertEquals(1.0, p.getRow(0).sumNumber().doubleValue(), 1e-6, "FLOAT: a masked row sums to 1: " + p);
            } else {
                assertTrue(Double.isNaN(p.getDouble(0, 0)), "DOUBLE: a masked row is still NaN in this version: " + p);
            }
        }
    }

    @Test
    void logSoftmaxWithAnAxisBreaksGradients() {
        SameDiff broken = SameDiff.create();
        SDVariable w = broken.var("w", Nd4j.rand(DataType.FLOAT, 4, 6));
        broken.sum(broken.nn.logSoftmax(w, 1)).markAsLoss();
        assertThrows(Throwable.class, () -> broken.calculateGradients(Map.of(), "w"));
    }

    private static final int[] Y = {0, 5, 2, 3};

    /** d/dlogits of Σ w_i CE_i = w_i (softmax − onehot). */
    private static INDArray expectedGradient(INDArray logits, float[] w) {
        INDArray p = org.nd4j.linalg.ops.transforms.Transforms.softmax(logits, true);
        for (int i = 0; i < Y.length; i++) {
            p.putScalar(i, Y[i], p.getDouble(i, Y[i]) - 1);
            p.getRow(i).muli(w[i]);
        }
        return p;
    }

    @Test
    void sparseSoftmaxCrossEntropyBackwardIgnoresTheIncomingGradient() {
        SameDiff sd = SameDiff.create();
        SDVariable logits = sd.var("logits", Nd4j.rand(DataType.FLOAT, 4, 6));
        SDVariable labels = sd.constant(Nd4j.createFromArray(Y));
        float[] w = {0.5f, 0.5f, 0f, 0f};
        SDVariable loss = sd.sum(sd.loss.sparseSoftmaxCrossEntropy(logits, labels).mul(sd.constant(Nd4j.createFromArray(w))));
        sd.setLossVariables(loss);
        INDArray g = sd.calculateGradients(Map.of(), "logits").get("logits");
        assertFalse(expectedGradient(logits.getArr(), w).equalsWithEps(g, 1e-4), "weights still dropped: " + g);
    }

    @Test
    void ourCrossEntropyHasTheRightValueAndGradient() {
        SameDiff sd = SameDiff.create();
        INDArray x = Nd4j.rand(DataType.FLOAT, 4, 6).muli(200).subi(100); // large logits: needs the max shift
        SDVariable logits = sd.var("logits", x);
        int[] labels = {Y[0], Y[1], -100, Y[3]};
        INDArray[] t = CrossEntropy.targets(labels, 6);
        SDVariable loss = CrossEntropy.weightedSum(sd, "loss", logits, sd.constant(t[0]), sd.constant(t[1]));
        sd.setLossVariables(loss);
        float third = 1f / 3;
        INDArray expected = expectedGradient(x, new float[]{third, third, 0f, third});
        INDArray g = sd.calculateGradients(Map.of(), "logits").get("logits");
        assertTrue(expected.equalsWithEps(g, 1e-5), "x " + x + "\nexpected " + expected + "\ngot " + g);
        double ce = 0;
        for (int i : new int[]{0, 1, 3}) {
            double m = x.getRow(i).maxNumber().doubleValue();
            double lse = m + Math.log(org.nd4j.linalg.ops.transforms.Transforms.exp(x.getRow(i).sub(m)).sumNumber().doubleValue());
            ce += (lse - x.getDouble(i, Y[i])) / 3;
        }
        assertEquals(ce, sd.outputSingle(Map.of(), "loss").getDouble(0), 1e-4);
    }

    @Test
    void gatherBackwardOnAOneDimensionalArrayIsGarbage() {
        SameDiff sd = SameDiff.create();
        SDVariable v = sd.var("x", Nd4j.rand(DataType.FLOAT, 4, 6));
        sd.setLossVariables(sd.sum(sd.gather(sd.reshape(v, 24), sd.constant(Nd4j.createFromArray(0, 11, 14, 21)), 0)));
        INDArray g = sd.calculateGradients(Map.of(), "x").get("x");
        assertFalse(g.getDouble(1, 5) == 1.0 && g.getDouble(3, 3) == 1.0, "gather backward still broken: " + g);
    }

    private static INDArray bernoulliDraw(SeededRandomOps seeds) {
        SameDiff sd = SameDiff.create();
        SDVariable shape = sd.constant(Nd4j.createFromArray(64L, 64L));
        SDVariable mask = new org.nd4j.linalg.api.ops.random.custom.RandomBernoulli(sd, shape, 0.5).outputVariable();
        if (seeds != null) {
            sd.addListeners(seeds);
        }
        Nd4j.getRandom().setSeed(42);
        return sd.outputSingle(Map.of(), mask.name());
    }

    /**
     * SameDiff's session runs random ops in a fresh native context whose generator is not seeded from
     * Nd4j.getRandom(): measured here, two `./kif train` runs with the same seed and dropout 0.05 gave first-epoch
     * losses 10.8473 and 10.8562 before the listener, and identical ones after. Whether two unseeded draws in one
     * process agree varies, so only the listener's guarantees are asserted.
     */
    @Test
    void randomOpsAreSeededByAListener() {
        SeededRandomOps seeds = new SeededRandomOps();
        seeds.setSeed(7);
        INDArray a = bernoulliDraw(seeds);
        assertTrue(a.equals(bernoulliDraw(seeds)), "SeededRandomOps makes draws reproducible");
        seeds.setSeed(8);
        assertFalse(a.equals(bernoulliDraw(seeds)), "and a new seed gives a new mask");
    }

    @Test
    void twoGathersOfOneConstantAreFineSoFrozenEmbeddingsStayConstants() {
        SameDiff sd = SameDiff.create();
        SDVariable emb = sd.constant("emb", Nd4j.rand(DataType.FLOAT, 10, 3));
        SDVariable w = sd.var("w", Nd4j.rand(DataType.FLOAT, 3, 3));
        SDVariable a = sd.gather(emb, new int[]{1, 2}, 0);
        SDVariable b = sd.gather(emb, new int[]{3, 4}, 0);
        sd.sum(sd.mmul(a, w).add(sd.mmul(b, w))).markAsLoss();
        assertNotNull(sd.calculateGradients(Map.of(), "w").get("w"));
    }

    @Test
    void twoGathersOfOneTrainableVariableBreakGradients() {
        SameDiff sd = SameDiff.create();
        SDVariable emb = sd.var("emb", Nd4j.rand(DataType.FLOAT, 10, 3));
        SDVariable a = sd.gather(emb, new int[]{1, 2}, 0);
        SDVariable b = sd.gather(emb, new int[]{3, 4}, 0);
        sd.sum(a.add(b)).markAsLoss();
        assertThrows(Throwable.class, () -> sd.calculateGradients(Map.of(), "emb"));
    }

    @Test
    void calculateGradientsAndOutputsSwitchesArrayReleaseOffSoWeRunTheGradientFunctionOurselves() {
        SameDiff sd = SameDiff.create();
        SDVariable w = sd.var("w", Nd4j.rand(DataType.FLOAT, 4, 6));
        sd.setLossVariables(sd.sum("loss", w.mul(w)));
        sd.calculateGradientsAndOutputs(Map.of(), java.util.List.of("loss"), java.util.List.of("w"));
        assertFalse(sd.getFunction("grad").isEnableCache(),
                "the gradient function releases arrays again: Gradients.compute may not be needed");
        Gradients.Result r = Gradients.compute(sd, Map.of(), java.util.List.of("loss"), java.util.List.of("w"));
        assertTrue(w.getArr().mul(2).equalsWithEps(r.gradients().get("w"), 1e-6));
    }

    @Test
    void theDefaultArrayHolderKeepsASecondCopyOfEveryConstantSoGraphsUseNonLazyOnes() {
        INDArray w = Nd4j.rand(DataType.FLOAT, 1024, 1024);                    // 4 MB
        long before = NativeMemory.allocatedBytes();
        SameDiff plain = SameDiff.create();
        plain.constant("w", w);
        long copied = NativeMemory.allocatedBytes() - before;
        assertTrue(copied >= w.length() * 4, "SameDiff's default holder no longer copies constants (" + copied
                + " bytes): Graph's setArrayHolders may not be needed");
        before = NativeMemory.allocatedBytes();
        SameDiff ours = SameDiff.create();
        new Graph(ours, null, LinearAdapter.NONE);
        ours.constant("w", w);
        assertTrue(NativeMemory.allocatedBytes() - before < w.length() * 4, "Graph's holders copy constants");
        assertTrue(ours.getVariable("w").getArr() == w || ours.getVariable("w").getArr().data() == w.data());
    }

    /** w·x summed, w a variable [2], x a placeholder; its gradient function made by one step. */
    private static SameDiff weightedSum() {
        SameDiff sd = SameDiff.create();
        new Graph(sd, null, LinearAdapter.NONE);                                // our non-lazy array holders
        SDVariable w = sd.var("w", Nd4j.createFromArray(1f, 2f));
        sd.setLossVariables(sd.sum("loss", sd.placeHolder("x", DataType.FLOAT, 2).mul(w)));
        lossOf(sd, true);
        return sd;
    }

    /** The loss at x = (3, 5), from the forward pass or from the gradient function. */
    private static double lossOf(SameDiff sd, boolean gradientFunction) {
        Map<String, INDArray> ph = Map.of("x", Nd4j.createFromArray(3f, 5f));
        return gradientFunction
                ? Gradients.compute(sd, ph, java.util.List.of("loss"), java.util.List.of("w")).outputs().get("loss").getDouble(0)
                : sd.output(ph, "loss").get("loss").getDouble(0);
    }

    /**
     * Giving an existing variable another array (associateArrayWithVariable, as setArray) stores a copy: an
     * optimizer's in-place step on the array is not seen. A fresh entry in the variables' holder stores the array
     * itself, so ModelGraphs.bind removes the entry and sets it anew.
     */
    @Test
    void settingTheArrayOfAnExistingVariableStoresACopySoModelGraphsReplacesTheEntry() {
        SameDiff sd = weightedSum();
        INDArray w = Nd4j.createFromArray(10f, 20f);
        sd.associateArrayWithVariable(w, "w");
        w.addi(1);                                                               // (11, 21): 3·11 + 5·21 = 138
        assertEquals(130.0, lossOf(sd, false), 1e-6, "associateArrayWithVariable now keeps the array itself: "
                + "ModelGraphs.bind may use it");
        sd = weightedSum();
        ModelGraphs.bind(sd, "w", w);
        w.addi(1);                                                               // (12, 22): 146
        assertEquals(146.0, lossOf(sd, false), 1e-6);
        assertTrue(sd.getVariable("w").getArr() == w);
    }

    /**
     * The gradient function, once made, holds the variables' arrays in holders of its own: replacing the graph's
     * entry leaves it computing with the old array. ModelGraphs.bind replaces the entry there too.
     */
    @Test
    void theGradientFunctionHoldsItsOwnArraysSoARebindReplacesThemThereToo() {
        SameDiff sd = weightedSum();
        INDArray w = Nd4j.createFromArray(10f, 20f);
        sd.getVariablesArrays().removeArray("w");
        sd.getVariablesArrays().setArray("w", w);
        assertEquals(130.0, lossOf(sd, false), 1e-6);
        assertEquals(13.0, lossOf(sd, true), 1e-6, "the gradient function now follows the graph's holder: "
                + "ModelGraphs.bind need not replace its entry");
        ModelGraphs.bind(sd, "w", w);
        w.addi(1);
        assertEquals(138.0, lossOf(sd, true), 1e-6);
    }
}
