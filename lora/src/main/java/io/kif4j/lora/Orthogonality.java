package io.kif4j.lora;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.List;

/**
 * KIFLoRA's orthogonality regulariser (spec §2.3, Eq. 5, as TaSL's {@code compute_orth_regu}):
 * (1 / N_mat) Σ_modules (‖A·Aᵀ − I‖_F + ‖Bᵀ·B − I‖_F), Frobenius norms NOT squared, N_mat = 2 × modules.
 */
public final class Orthogonality {

    public static final String PENALTY = "orth_penalty";
    public static final String TOTAL_LOSS = "total_loss";

    /** The papers' coefficient γ_orth. */
    public static final double DEFAULT_COEFFICIENT = 0.1;

    private Orthogonality() {
    }

    /** Eq. 5: the mean penalty over the given (A, B) pairs. */
    public static SDVariable penalty(SameDiff sd, List<SDVariable[]> pairs, int rank, DataType type) {
        SDVariable eye = sd.constant(Nd4j.eye(rank).castTo(type));
        List<SDVariable> terms = new ArrayList<>();
        for (SDVariable[] ab : pairs) {
            SDVariable aat = sd.mmul(ab[0], ab[0], false, true, false).sub(eye);   // [r, r]
            SDVariable btb = sd.mmul(ab[1], ab[1], true, false, false).sub(eye);   // [r, r]
            terms.add(sd.math.sqrt(sd.sum(aat.mul(aat))));
            terms.add(sd.math.sqrt(sd.sum(btb.mul(btb))));
        }
        SDVariable sum = terms.get(0);
        for (int i = 1; i < terms.size(); i++) {
            sum = sum.add(terms.get(i));
        }
        return sum.div(terms.size());
    }

    /**
     * Adds coefficient × penalty to the graph's loss and makes the sum the loss: the adapter's variables must
     * already be in {@code sd}. Returns the name of the new loss.
     */
    public static String addToLoss(SameDiff sd, LoraAdapter adapter, double coefficient) {
        if (sd.hasVariable(TOTAL_LOSS)) {
            return TOTAL_LOSS;
        }
        List<SDVariable[]> pairs = new ArrayList<>();
        for (LoraModule m : adapter.modules()) {
            pairs.add(new SDVariable[]{sd.getVariable(m.aName()), sd.getVariable(m.bName())});
        }
        SDVariable p = sd.identity(PENALTY, penalty(sd, pairs, adapter.config().r(), DataType.FLOAT));
        SDVariable loss = sd.getVariable(sd.getLossVariables().get(0));
        SDVariable total = loss.add(TOTAL_LOSS, p.mul(coefficient));
        sd.setLossVariables(total);
        return TOTAL_LOSS;
    }
}
