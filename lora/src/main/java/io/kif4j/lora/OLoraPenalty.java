package io.kif4j.lora;

import io.kif4j.lora.train.LossTerm;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.factory.Nd4j;

/**
 * O-LoRA's two loss terms (spec §7, O-LoRA, "Loss as coded") on an adapter whose first {@code oldRank} ranks are the
 * frozen pairs of earlier tasks (A_{<t}: rows of A, B_{<t}: columns of B) and the rest the new pair (A_t, B_t).
 */
public final class OLoraPenalty {

    private OLoraPenalty() {
    }

    /**
     * Spec §7, O-LoRA's λ₁ term: λ₁ Σ_modules Σ_pq f((A Aᵀ ⊙ M)_pq), M selecting old rows × new rows, so the sum runs
     * over A_{<t} A_tᵀ; f = |·| (the authors' code, L1) or (·)² ({@code squared}: the paper's form).
     */
    public static LossTerm orthogonality(double lambda1, boolean squared, int oldRank) {
        return (SameDiff sd, LoraAdapter adapter) -> {
            int r = adapter.config().r();
            float[] mask = new float[r * r];
            for (int p = 0; p < oldRank; p++) {
                for (int q = oldRank; q < r; q++) {
                    mask[p * r + q] = 1f;
                }
            }
            SDVariable m = sd.constant(Nd4j.create(mask, new long[]{r, r}, 'c'));
            SDVariable total = null;
            for (LoraModule mod : adapter.modules()) {
                SDVariable a = sd.getVariable(mod.aName());
                SDVariable aat = sd.mmul(a, a, false, true, false).mul(m);
                SDVariable term = sd.sum(squared ? aat.mul(aat) : sd.math.abs(aat));
                total = total == null ? term : total.add(term);
            }
            return total.mul(lambda1);
        };
    }

    /**
     * Spec §7, O-LoRA's λ₂ term: λ₂ Σ_modules (‖A_t‖_F + ‖B_t‖_F) over the new pair: rows ≥ oldRank of A, columns ≥
     * oldRank of B (O-LoRA's {@code torch.norm(param, p=2)} over its loranew_ parameters). A tiny constant under the
     * root keeps the gradient at B_t = 0 at zero, as torch's is, instead of 0/0.
     */
    public static LossTerm newPairNorms(double lambda2, int oldRank) {
        return (SameDiff sd, LoraAdapter adapter) -> {
            int r = adapter.config().r();
            float[] keep = new float[r];
            for (int q = oldRank; q < r; q++) {
                keep[q] = 1f;
            }
            SDVariable rows = sd.constant(Nd4j.create(keep, new long[]{r, 1}, 'c'));
            SDVariable cols = sd.constant(Nd4j.create(keep, new long[]{1, r}, 'c'));
            SDVariable total = null;
            for (LoraModule mod : adapter.modules()) {
                SDVariable a = sd.getVariable(mod.aName()).mul(rows);
                SDVariable b = sd.getVariable(mod.bName()).mul(cols);
                SDVariable term = sd.math.sqrt(sd.sum(a.mul(a)).add(1e-20))
                        .add(sd.math.sqrt(sd.sum(b.mul(b)).add(1e-20)));
                total = total == null ? term : total.add(term);
            }
            return total.mul(lambda2);
        };
    }
}
