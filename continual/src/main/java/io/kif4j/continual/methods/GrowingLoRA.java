package io.kif4j.continual.methods;

import io.kif4j.continual.ContinualMethod;
import io.kif4j.continual.RunConfig;
import io.kif4j.continual.TaskContext;
import io.kif4j.continual.TaskOutcome;
import io.kif4j.lora.LoraAdapter;
import io.kif4j.lora.LoraModule;
import io.kif4j.lora.train.LossTerm;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A new LoRA pair (A_t, B_t) per task while the earlier pairs stay frozen; inference uses W₀ + α/r Σ_i B_i A_i
 * with no task id (spec §7). IncLoRA has no extra loss; O-LoRA adds λ₁ Σ_modules Σ|(A_{<t} A_tᵀ)_pq| — the
 * authors' code's L1 form (default) — or the paper's squared form Σ (A_{<t} A_tᵀ)²_pq — and, as the code does,
 * λ₂ Σ_modules (‖A_t‖_F + ‖B_t‖_F) on the new pair (spec §7; from the first task on).
 */
public class GrowingLoRA implements ContinualMethod {

    private final String name;
    private final double lambda1;
    private final boolean squared;
    private final double lambda2;

    private GrowingLoRA(String name, double lambda1, boolean squared, double lambda2) {
        this.name = name;
        this.lambda1 = lambda1;
        this.squared = squared;
        this.lambda2 = lambda2;
    }

    /** O-LoRA with λ₁ = λ₂ = 0 (spec §7). */
    public static GrowingLoRA incLora() {
        return new GrowingLoRA("inclora", 0, false, 0);
    }

    /** O-LoRA with λ₁ (0.5 for the 4-task orders), the L1 (code) or squared (paper) penalty, and λ₂. */
    public static GrowingLoRA olora(RunConfig config) {
        return olora(OLoraSettings.of(config));
    }

    public static GrowingLoRA olora(OLoraSettings s) {
        return new GrowingLoRA("olora", s.lambda1(), s.squared(), s.lambda2());
    }

    /** O-LoRA's λ₁, its penalty form (squared: the paper's; else the code's L1), and λ₂. */
    public record OLoraSettings(double lambda1, boolean squared, double lambda2) {
        public static OLoraSettings of(RunConfig c) {
            return new OLoraSettings(c.oloraLambda1, "squared".equals(c.oloraPenalty), c.oloraLambda2);
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public boolean usesReplay() {
        return false;
    }

    @Override
    public TaskOutcome learn(TaskContext ctx) {
        LoraAdapter adapter;
        int frozen;
        if (ctx.previous() == null) {
            adapter = ctx.fresh();
            frozen = 0;
        } else {
            frozen = ctx.previous().config().r();
            adapter = ctx.previous().grow(ctx.loraConfig().r(), ctx.seed() * 1_000_003L + ctx.index());
        }
        Map<String, Object> notes = new LinkedHashMap<>();
        notes.put("rank", adapter.config().r());
        List<LossTerm> terms = new ArrayList<>();
        if (frozen > 0 && lambda1 > 0) {
            terms.add(penalty(frozen));
        }
        if (lambda2 > 0) {
            terms.add(newPairNorms(frozen));
        }
        var r = ctx.trainOn(adapter, ctx.trainConfig(), FreezeParts.leadingRanks(frozen), terms.toArray(LossTerm[]::new));
        return new TaskOutcome(adapter, r.stepLosses(), Map.of(), notes);
    }

    /** λ₁ Σ_modules Σ_pq f((A Aᵀ ⊙ M)_pq), M selecting old rows × new rows, f = |·| or (·)². */
    LossTerm penalty(int oldRank) {
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
     * λ₂ Σ_modules (‖A_t‖_F + ‖B_t‖_F) over the new pair: rows ≥ oldRank of A, columns ≥ oldRank of B (O-LoRA's
     * {@code torch.norm(param, p=2)} over its loranew_ parameters). A tiny constant under the root keeps the gradient
     * at B_t = 0 at zero, as torch's is, instead of 0/0.
     */
    LossTerm newPairNorms(int oldRank) {
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

    /** The penalty's value for given A matrices, straight from the definition (for tests). */
    double penaltyValue(java.util.List<org.nd4j.linalg.api.ndarray.INDArray> as, int oldRank) {
        double sum = 0;
        for (var a : as) {
            var old = a.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, oldRank), org.nd4j.linalg.indexing.NDArrayIndex.all());
            var fresh = a.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(oldRank, a.rows()), org.nd4j.linalg.indexing.NDArrayIndex.all());
            var prod = old.mmul(fresh.transpose()).castTo(DataType.DOUBLE);
            for (long i = 0; i < prod.length(); i++) {
                double x = prod.getDouble(i);
                sum += squared ? x * x : Math.abs(x);
            }
        }
        return lambda1 * sum;
    }
}
