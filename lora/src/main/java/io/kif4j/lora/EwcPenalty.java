package io.kif4j.lora;

import io.kif4j.lora.train.LossTerm;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Map;

/**
 * EWC's quadratic penalty on the LoRA parameters (spec §7, EWC): λ/2 Σ_{j<t} Σ_i F_{j,i} (θ_i − θ*_{j,i})², from the
 * sum over earlier tasks kept as three running tensors per variable: ΣF, ΣFθ* and ΣFθ*² (the online variant passes
 * γ·F + F_new and the last θ* in the same form).
 */
public final class EwcPenalty {

    private EwcPenalty() {
    }

    /**
     * Spec §7, EWC: λ/2 Σ_vars Σ (ΣF·θ² − 2·ΣFθ*·θ + ΣFθ*²) = λ/2 Σ_j Σ_i F_j,i (θ_i − θ*_j,i)². The maps, keyed by
     * the adapter's variable names, are read when the trainer builds its graph.
     *
     * @param fisherSum    Σ_j F_j
     * @param fisherTheta  Σ_j F_j θ*_j
     * @param fisherTheta2 Σ_j F_j θ*_j²
     */
    public static LossTerm of(double lambda, Map<String, INDArray> fisherSum, Map<String, INDArray> fisherTheta,
                              Map<String, INDArray> fisherTheta2) {
        return (sd, adapter) -> {
            SDVariable total = null;
            for (String v : adapter.variableNames()) {
                SDVariable theta = sd.getVariable(v);
                SDVariable f = sd.constant(fisherSum.get(v));
                SDVariable ft = sd.constant(fisherTheta.get(v));
                SDVariable term = sd.sum(f.mul(theta).mul(theta).sub(ft.mul(theta).mul(2)))
                        .add(fisherTheta2.get(v).sumNumber().doubleValue());
                total = total == null ? term : total.add(term);
            }
            return total.mul(lambda / 2);
        };
    }
}
