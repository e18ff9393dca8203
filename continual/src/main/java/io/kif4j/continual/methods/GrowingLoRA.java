package io.kif4j.continual.methods;

import io.kif4j.continual.ContinualMethod;
import io.kif4j.continual.RunConfig;
import io.kif4j.continual.TaskContext;
import io.kif4j.continual.TaskOutcome;
import io.kif4j.lora.LoraAdapter;
import io.kif4j.lora.OLoraPenalty;
import io.kif4j.lora.train.LossTerm;
import org.nd4j.linalg.api.buffer.DataType;

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

    /** O-LoRA's λ₁ term on A_{<t} A_tᵀ (spec §7), built in the graph by {@link OLoraPenalty}. */
    LossTerm penalty(int oldRank) {
        return OLoraPenalty.orthogonality(lambda1, squared, oldRank);
    }

    /** O-LoRA's λ₂ term, the new pair's Frobenius norms (spec §7), built in the graph by {@link OLoraPenalty}. */
    LossTerm newPairNorms(int oldRank) {
        return OLoraPenalty.newPairNorms(lambda2, oldRank);
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
