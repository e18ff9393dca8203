package io.kif4j.transformer.nn;

import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link FrozenMatMul}, {@link FrozenScale}, {@link RowScale}, {@link Relu}, {@link FrozenBias} and {@link Sum} give the values and gradients of
 * SameDiff's own ops, and the frozen operands get no gradient op in the gradient function.
 */
class FrozenOpsTest {

    /** The output and gradients of one form, and whether its gradient function has a gradient of the constant. */
    record Run(INDArray[] values, boolean constantGradient) {
    }

    /** loss = Σ (op(x, c) ⊙ probe) with x a variable: the output and the gradients of the variables. */
    private static Run valueAndGradient(INDArray x0, INDArray c0, boolean cTrainable, long[] outShape,
                                               BiFunction<SameDiff, SDVariable[], SDVariable> op) {
        SameDiff sd = SameDiff.create();
        new Graph(sd, null, LinearAdapter.NONE);
        SDVariable x = sd.var("x", x0.dup());
        SDVariable c = cTrainable ? sd.var("c", c0.dup()) : sd.constant("c", c0.dup());
        SDVariable y = op.apply(sd, new SDVariable[]{x, c});
        Nd4j.getRandom().setSeed(3);
        SDVariable probe = sd.constant("probe", Nd4j.rand(DataType.FLOAT, outShape));
        sd.setLossVariables(sd.sum("loss", y.mul(probe)));
        List<String> vars = cTrainable ? List.of("x", "c") : List.of("x");
        Gradients.Result r = Gradients.compute(sd, Map.of(), List.of("loss"), vars);
        boolean constantGradient = !cTrainable && sd.getFunction("grad").hasVariable("c-grad");
        INDArray y0 = sd.output(Map.of(), y.name()).get(y.name());
        return new Run(cTrainable ? new INDArray[]{y0, r.gradients().get("x"), r.gradients().get("c")}
                : new INDArray[]{y0, r.gradients().get("x")}, constantGradient);
    }

    /** Same values as SameDiff's op; for a frozen operand, no gradient of it in the gradient function. */
    /** {@code ours} against {@code reference} on the same inputs: value and gradients. */
    private static void same(INDArray x, INDArray c, boolean cTrainable, long[] outShape,
                             BiFunction<SameDiff, SDVariable[], SDVariable> reference,
                             BiFunction<SameDiff, SDVariable[], SDVariable> ours) {
        same(valueAndGradient(x, c, cTrainable, outShape, reference), valueAndGradient(x, c, cTrainable, outShape, ours));
    }

    private static void same(Run reference, Run ours) {
        assertFalse(ours.constantGradient(), "a gradient was made for the frozen operand");
        INDArray[] expected = reference.values();
        INDArray[] actual = ours.values();
        for (int i = 0; i < expected.length; i++) {
            assertTrue(expected[i].equalsWithEps(actual[i], 1e-5), "output " + i + ": " + expected[i] + " vs " + actual[i]);
        }
    }

    @Test
    void frozenMatMulIsMatmulWithoutTheWeightGradient() {
        INDArray x = Nd4j.randn(DataType.FLOAT, 5, 4);
        INDArray w = Nd4j.randn(DataType.FLOAT, 3, 4);
        same(x, w, false, new long[]{5, 3}, (sd, v) -> sd.mmul(v[0], v[1], false, true, false),
                (sd, v) -> FrozenMatMul.apply(sd, v[0], v[1]));
    }

    @Test
    void frozenScaleIsMultiplyWithoutTheScaleGradient() {
        INDArray x = Nd4j.randn(DataType.FLOAT, 5, 4);
        INDArray s = Nd4j.randn(DataType.FLOAT, 4);
        same(x, s, false, x.shape(), (sd, v) -> v[0].mul(v[1]), (sd, v) -> FrozenScale.apply(sd, v[0], v[1]));
        INDArray mask = Nd4j.randn(DataType.FLOAT, 5, 4);
        same(x, mask, false, x.shape(), (sd, v) -> v[0].mul(v[1]), (sd, v) -> FrozenScale.apply(sd, v[0], v[1]));
    }

    @Test
    void rowScaleIsABroadcastMultiplyWithBothGradients() {
        INDArray x = Nd4j.randn(DataType.FLOAT, 5, 4);
        INDArray r = Nd4j.randn(DataType.FLOAT, 5, 1);
        same(x, r, true, x.shape(), (sd, v) -> v[0].mul(v[1]), (sd, v) -> RowScale.apply(sd, v[0], v[1]));
    }

    @Test
    void reluMatchesSameDiffs() {
        INDArray x = Nd4j.randn(DataType.FLOAT, 6, 7);
        INDArray unused = Nd4j.zeros(DataType.FLOAT, 1);
        same(x, unused, false, x.shape(), (sd, v) -> sd.nn.relu(v[0], 0), (sd, v) -> Relu.apply(sd, v[0]));
    }

    @Test
    void frozenBiasIsAddWithoutTheBiasGradient() {
        INDArray x = Nd4j.randn(DataType.FLOAT, 2, 3, 4, 5);
        INDArray b = Nd4j.randn(DataType.FLOAT, 2, 1, 1, 5);
        same(x, b, false, x.shape(), (sd, v) -> v[0].add(v[1]), (sd, v) -> FrozenBias.apply(sd, v[0], v[1]));
    }

    @Test
    void sumIsAddWithBothGradients() {
        INDArray x = Nd4j.randn(DataType.FLOAT, 5, 4);
        INDArray y = Nd4j.randn(DataType.FLOAT, 5, 4);
        same(x, y, true, x.shape(), (sd, v) -> v[0].add(v[1]), (sd, v) -> Sum.apply(sd, v[0], v[1]));
    }
}
