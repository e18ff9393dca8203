package io.kif4j.continual.fusion;

import io.kif4j.continual.tensors.HostArrays;
import io.kif4j.lora.LoraAdapter;
import io.kif4j.lora.LoraModule;
import io.kif4j.lora.SkillUnit;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The model-merging baselines users compare against, as PEFT's {@code add_weighted_adapter} computes them for
 * LoRA adapters of equal rank (its {@code merge_utils}): the previous fused adapter θ̃_{t−1} and the current one θ_t
 * are the two "task tensors" with weights (w_prev, w_cur), merged matrix by matrix (every lora_A, every lora_B) in
 * factor space. Units and scores are ignored.
 * <ul>
 *   <li>{@link Combination#TASK_ARITHMETIC} (PEFT "linear"): Σ_i √w_i·T_i;</li>
 *   <li>{@link Combination#MAGNITUDE_PRUNE}: each T_i keeps its top density·n entries by |·|, then the weighted sum;</li>
 *   <li>{@link Combination#TIES}: trim as magnitude_prune, elect each entry's sign from the trimmed tensors
 *       (Σ_i T_i, or the count of signs), and average the weighted entries that agree with it (disjoint merge);</li>
 *   <li>{@link Combination#DARE_LINEAR}: each entry kept with probability density and rescaled by 1/density,
 *       then the weighted sum;</li>
 *   <li>{@link Combination#DARE_TIES}: DARE's random drop and rescale, then TIES' sign election and disjoint
 *       merge.</li>
 * </ul>
 * PEFT scales both factors by √(w·scaling) and gives the merged adapter lora_alpha = r; keeping the adapters'
 * scaling and scaling the factors by √w gives the same update ΔW. DARE's drop is seeded (one generator per
 * {@link #fuse} call, drawn over the tensors in adapter order), so runs repeat.
 */
public final class MergingFusion implements FusionRule {

    /** PEFT's combination types for equal-rank LoRA adapters. */
    public enum Combination {
        TASK_ARITHMETIC, MAGNITUDE_PRUNE, TIES, DARE_LINEAR, DARE_TIES;

        /** Whether the merge averages agreeing entries (TIES' disjoint merge) rather than summing them. */
        public boolean disjoint() {
            return this == TIES || this == DARE_TIES;
        }

        /**
         * Weights under which an adapter merged with itself comes back unchanged: (1, 1) for the disjoint merges,
         * (¼, ¼) for the sums (each factor is (√¼ + √¼)·T = T).
         */
        public double[] identityWeights() {
            return disjoint() ? new double[]{1, 1} : new double[]{0.25, 0.25};
        }

        /** "task-arithmetic", "ties", "dare-linear", … */
        public String id() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    /** How TIES elects the sign of an entry: the sign of the sum ("total") or of the count of signs ("frequency"). */
    public enum MajoritySign { TOTAL, FREQUENCY }

    /** Case counts: nonzero entries kept by the sparsification, nonzero entries it zeroed, kept entries outvoted. */
    public static final String KEPT = "kept";
    public static final String DROPPED = "dropped";
    public static final String DISAGREEING = "disagreeing";

    private final Combination combination;
    private final double wPrev;
    private final double wCur;
    private final double density;
    private final MajoritySign sign;
    private final long seed;

    /**
     * @param weights (w_prev, w_cur) ≥ 0, PEFT's {@code weights}
     * @param density the fraction of entries kept, in [0, 1] (unused by task arithmetic; 1 keeps all)
     * @param seed    DARE's drop seed
     */
    public MergingFusion(Combination combination, double[] weights, double density, MajoritySign sign, long seed) {
        if (weights.length != 2 || !(weights[0] >= 0 && weights[1] >= 0) || Double.isInfinite(weights[0] + weights[1])) {
            throw new IllegalArgumentException("merge weights must be two finite numbers >= 0 (previous, current), got "
                    + Arrays.toString(weights));
        }
        if (!(density >= 0 && density <= 1)) {
            throw new IllegalArgumentException("merge density must be in [0, 1], got " + density);
        }
        this.combination = combination;
        this.wPrev = weights[0];
        this.wCur = weights[1];
        this.density = density;
        this.sign = sign;
        this.seed = seed;
    }

    @Override
    public String name() {
        return combination.id();
    }

    /** PEFT's {@code add_weighted_adapter([previous, current], weights, combination_type, density, …)}. */
    @Override
    public FusionResult fuse(LoraAdapter previous, LoraAdapter current, List<SkillUnit> units,
                             Map<String, Double> p, Map<String, Double> c) {
        FusionInputs.checkCompatible(previous, current);
        SplittableRandom random = new SplittableRandom(seed);
        long[] counts = new long[3];
        Map<String, INDArray[]> modules = new LinkedHashMap<>();
        for (LoraModule cm : current.modules()) {
            LoraModule pm = previous.module(cm.path());
            INDArray a = merge(pm.a(), cm.a(), random, counts);
            INDArray b = merge(pm.b(), cm.b(), random, counts);
            modules.put(cm.path(), new INDArray[]{a, b});
        }
        Map<String, Integer> byCase = new LinkedHashMap<>();
        byCase.put(KEPT, (int) counts[0]);
        byCase.put(DROPPED, (int) counts[1]);
        if (combination.disjoint()) {
            byCase.put(DISAGREEING, (int) counts[2]);
        }
        return new FusionResult(LoraAdapter.of(current.config(), modules), byCase, Double.NaN);
    }

    /** One matrix: the two task tensors sparsified, signs elected where asked, then summed or disjoint-merged. */
    private INDArray merge(INDArray prevT, INDArray curT, SplittableRandom random, long[] counts) {
        double[][] t = {toDouble(HostArrays.read(prevT, null)), toDouble(HostArrays.read(curT, null))};
        double[] w = {Math.sqrt(wPrev), Math.sqrt(wCur)};
        for (double[] x : t) {
            long before = nonzero(x);
            switch (combination) {
                case MAGNITUDE_PRUNE, TIES -> keepLargest(x, density);
                case DARE_LINEAR, DARE_TIES -> dropRandomly(x, density, random);
                case TASK_ARITHMETIC -> { }
            }
            long after = nonzero(x);
            counts[0] += after;
            counts[1] += before - after;
        }
        int n = t[0].length;
        float[] out = new float[n];
        for (int k = 0; k < n; k++) {
            if (!combination.disjoint()) {
                out[k] = (float) (w[0] * t[0][k] + w[1] * t[1][k]);
                continue;
            }
            // Elect the sign (ties go to +), then average the weighted entries of that sign (zeros never agree).
            double vote = sign == MajoritySign.TOTAL ? t[0][k] + t[1][k] : Math.signum(t[0][k]) + Math.signum(t[1][k]);
            double elected = vote >= 0 ? 1 : -1;
            double sum = 0;
            int agree = 0;
            for (int i = 0; i < 2; i++) {
                if (Math.signum(t[i][k]) == elected) {
                    sum += w[i] * t[i][k];
                    agree++;
                } else if (t[i][k] != 0) {
                    counts[2]++;
                }
            }
            out[k] = (float) (sum / Math.max(agree, 1));
        }
        return HostArrays.create(out, prevT.shape());
    }

    /**
     * PEFT's magnitude pruning: keep the k = ⌊density·n⌋ entries of largest |x| ({@code torch.topk}); among equal
     * magnitudes the lower index wins, so the choice is deterministic.
     */
    static void keepLargest(double[] x, double density) {
        if (density >= 1) {
            return;
        }
        int k = (int) (density * x.length);
        Integer[] order = new Integer[x.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (i, j) -> {
            int c = Double.compare(Math.abs(x[j]), Math.abs(x[i]));
            return c != 0 ? c : Integer.compare(i, j);
        });
        for (int r = k; r < order.length; r++) {
            x[order[r]] = 0;
        }
    }

    /** DARE: keep each entry with probability density, rescaled by 1/density so the expectation is unchanged. */
    static void dropRandomly(double[] x, double density, SplittableRandom random) {
        if (density >= 1) {
            return;
        }
        for (int i = 0; i < x.length; i++) {
            boolean keep = random.nextDouble() < density;
            x[i] = keep ? x[i] / density : 0;
        }
    }

    private static long nonzero(double[] x) {
        return Arrays.stream(x).filter(v -> v != 0).count();
    }

    private static double[] toDouble(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }
}
