package io.kif4j.lora;

import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class EwcPenaltyTest {

    /** Spec §7: the running sums (ΣF, ΣFθ*, ΣFθ*²) give λ/2 Σ_j Σ_i F_j,i (θ_i − θ*_j,i)², summed here term by term. */
    @Test
    void theInGraphTermIsTheFisherWeightedDistanceToEveryEarlierTask() {
        INDArray a = Nd4j.createFromArray(new float[][]{{1, 2, -1}, {0.5f, 0, 3}}); // [r 2, in 3]
        INDArray b = Nd4j.createFromArray(new float[][]{{1, -2}, {0, 1}});          // [out 2, r 2]
        LoraAdapter adapter = LoraAdapter.of(new LoraConfig(2, 4, 0, List.of("x"), null, "none", false, null, null),
                Map.of("x", new INDArray[]{a, b}));
        double lambda = 3;
        Map<String, INDArray> fs = new HashMap<>();
        Map<String, INDArray> ft = new HashMap<>();
        Map<String, INDArray> ftt = new HashMap<>();
        SameDiff sd = SameDiff.create();
        double expected = 0;
        for (String v : adapter.variableNames()) {
            INDArray theta = adapter.array(v);
            sd.var(v, theta);
            fs.put(v, Nd4j.zeros(DataType.FLOAT, theta.shape()));
            ft.put(v, Nd4j.zeros(DataType.FLOAT, theta.shape()));
            ftt.put(v, Nd4j.zeros(DataType.FLOAT, theta.shape()));
            for (int task = 0; task < 2; task++) { // two earlier tasks, each with its Fisher and its θ*
                INDArray f = Nd4j.linspace(DataType.FLOAT, 0.5 + task, 0.25, theta.length()).reshape(theta.shape());
                INDArray anchor = theta.add(Nd4j.linspace(DataType.FLOAT, -1 + task, 0.5, theta.length()).reshape(theta.shape()));
                fs.get(v).addi(f);
                ft.get(v).addi(f.mul(anchor));
                ftt.get(v).addi(f.mul(anchor).muli(anchor));
                for (long i = 0; i < theta.length(); i++) {
                    double d = theta.getDouble(i) - anchor.getDouble(i);
                    expected += f.getDouble(i) * d * d;
                }
            }
        }
        expected *= lambda / 2;
        SDVariable term = EwcPenalty.of(lambda, fs, ft, ftt).build(sd, adapter);
        assertEquals(expected, sd.outputSingle(Map.of(), term.name()).getDouble(0), 1e-5 * expected);
    }
}
