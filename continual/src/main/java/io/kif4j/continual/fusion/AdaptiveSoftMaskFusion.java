package io.kif4j.continual.fusion;

import io.kif4j.continual.tensors.HostArrays;
import io.kif4j.lora.LoraAdapter;
import io.kif4j.lora.LoraModule;
import io.kif4j.lora.SkillUnit;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * KIFLoRA's adaptive fusion (spec §4.3, Eq. 16–17): per unit a two-way softmax with temperature τ over the
 * normalised scores, α_{t−1} = e^{p/τ} / (e^{p/τ} + e^{c/τ}) and α_t = 1 − α_{t−1}, mixes the unit's parameters
 * as α_t·cur + α_{t−1}·prev. In {@link FusionSpace#FACTORS} (the paper) the unit's parameters — row i of A and
 * column i of B — are mixed directly. In {@link FusionSpace#DELTA} the rank-one updates are mixed,
 * ΔW = Σ_i α_t,i b_i a_iᵀ + α_{t−1},i b̃_i ã_iᵀ, and refactorised to rank r (see {@link LowRank}).
 *
 * <p>τ = 0 is allowed and is the limit τ → 0: the unit with the larger score wins outright, a tie averages.
 */
public final class AdaptiveSoftMaskFusion implements FusionRule {

    private static final Logger LOG = LoggerFactory.getLogger(AdaptiveSoftMaskFusion.class);

    /** Units where the previous model got more than half the weight, less than half, exactly half. */
    public static final String PREVIOUS = "previous";
    public static final String CURRENT = "current";
    public static final String EVEN = "even";

    /** The paper's temperature; TaSL's code defaults to 0.25. */
    public static final double PAPER_TAU = 0.15;
    public static final double CODE_TAU = 0.25;

    private final double tau;
    private final FusionSpace space;

    public AdaptiveSoftMaskFusion(double tau, FusionSpace space) {
        if (!(tau >= 0) || Double.isInfinite(tau)) {
            throw new IllegalArgumentException("temperature tau must be finite and >= 0, got " + tau);
        }
        this.tau = tau;
        this.space = space;
    }

    public double tau() {
        return tau;
    }

    public FusionSpace space() {
        return space;
    }

    @Override
    public String name() {
        return space == FusionSpace.FACTORS ? "adaptive" : "adaptive-delta";
    }

    /**
     * Eq. 16: α_{t−1} = e^{p/τ} / (e^{p/τ} + e^{c/τ}), computed as a logistic of (c − p)/τ from the side whose
     * exponent is ≤ 0, so no τ overflows or divides 0 by 0 (τ = 0 gives 1, 0 or ½).
     */
    public static double previousWeight(double p, double c, double tau) {
        if (p == c) {
            return 0.5;
        }
        double d = (c - p) / tau; // ±∞ when τ = 0 or tiny: exp then gives exactly 0
        if (d >= 0) {
            double e = Math.exp(-d);
            return e / (1 + e);
        }
        return 1 / (1 + Math.exp(d));
    }

    /** Eq. 16–17 (spec §4.3), in factor or delta space. */
    @Override
    public FusionResult fuse(LoraAdapter previous, LoraAdapter current, List<SkillUnit> units,
                             Map<String, Double> p, Map<String, Double> c) {
        FusionInputs.checkCompatible(previous, current);
        FusionInputs.checkScores(units, p, c);
        checkNormalised(units, p, "previous");
        checkNormalised(units, c, "current");
        Map<String, Integer> counts = new LinkedHashMap<>();
        counts.put(PREVIOUS, 0);
        counts.put(CURRENT, 0);
        counts.put(EVEN, 0);
        Map<String, Double> alphaPrev = new LinkedHashMap<>();
        for (SkillUnit u : units) {
            double a = previousWeight(p.get(u.id()), c.get(u.id()), tau);
            alphaPrev.put(u.id(), a);
            counts.merge(a > 0.5 ? PREVIOUS : a < 0.5 ? CURRENT : EVEN, 1, Integer::sum);
        }
        FusionResult r = space == FusionSpace.FACTORS
                ? factors(previous, current, units, alphaPrev, counts)
                : delta(previous, current, units, alphaPrev, counts);
        LOG.debug("{} fusion (tau {}): {} truncation error {}", name(), tau, counts, r.truncationError());
        return r;
    }

    /** Factor space: each unit's parts ← α_t·cur + α_{t−1}·prev, Eq. 17 as {@link Mixer#mix} computes it. */
    private static FusionResult factors(LoraAdapter previous, LoraAdapter current, List<SkillUnit> units,
                                        Map<String, Double> alphaPrev, Map<String, Integer> counts) {
        return new FusionResult(Mixer.mix(previous, current, units, alphaPrev), counts, Double.NaN);
    }

    /**
     * Delta space: per module, ΔW = [B_t·diag(α_t) | B̃·diag(α_{t−1})] · [A_t ; Ã] (no cross terms), truncated to
     * rank r. Rank-one components without a unit keep the current model's (α_t = 1); modules without any unit
     * are copied from the current adapter.
     */
    private static FusionResult delta(LoraAdapter previous, LoraAdapter current, List<SkillUnit> units,
                                      Map<String, Double> alphaPrev, Map<String, Integer> counts) {
        Map<String, double[]> byModule = new LinkedHashMap<>();
        int r = current.config().r();
        for (SkillUnit u : units) {
            if (u.kind() != SkillUnit.Kind.RANK_ONE) {
                throw new IllegalArgumentException("delta-space fusion needs rank-one skill units, got " + u.id());
            }
            if (current.module(u.module()) == null) {
                throw new IllegalArgumentException("skill unit for unknown module " + u.module());
            }
            double[] a = byModule.computeIfAbsent(u.module(), k -> new double[r]); // α_{t−1} = 0: keep current
            a[u.index()] = alphaPrev.get(u.id());
        }
        Map<String, INDArray[]> modules = new LinkedHashMap<>();
        Map<String, Double> errors = new LinkedHashMap<>();
        double maxError = 0;
        for (LoraModule cm : current.modules()) {
            double[] ap = byModule.get(cm.path()); // α_{t−1} per rank-one component
            if (ap == null) {
                modules.put(cm.path(), new INDArray[]{cm.a().dup(), cm.b().dup()});
                continue;
            }
            LoraModule pm = previous.module(cm.path());
            int out = (int) cm.out();
            int in = (int) cm.in();
            float[] bc = HostArrays.read(cm.b(), null);
            float[] bp = HostArrays.read(pm.b(), null);
            double[] l = new double[out * 2 * r];           // [B_t·diag(α_t) | B̃·diag(α_{t−1})]
            for (int o = 0; o < out; o++) {
                for (int i = 0; i < r; i++) {
                    l[o * 2 * r + i] = bc[o * r + i] * (1 - ap[i]);
                    l[o * 2 * r + r + i] = bp[o * r + i] * ap[i];
                }
            }
            double[] rr = new double[2 * r * in];           // [A_t ; Ã]
            float[] ac = HostArrays.read(cm.a(), null);
            float[] apr = HostArrays.read(pm.a(), null);
            for (int k = 0; k < r * in; k++) {
                rr[k] = ac[k];
                rr[r * in + k] = apr[k];
            }
            LowRank.Factors f = LowRank.truncate(l, rr, out, 2 * r, in, r);
            modules.put(cm.path(), new INDArray[]{HostArrays.create(toFloat(f.a()), r, in),
                    HostArrays.create(toFloat(f.b()), out, r)});
            errors.put(cm.path(), f.relativeError());
            maxError = Math.max(maxError, f.relativeError());
        }
        return new FusionResult(LoraAdapter.of(current.config(), modules), counts, maxError, errors);
    }

    private static float[] toFloat(double[] x) {
        float[] f = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            f[i] = (float) x[i];
        }
        return f;
    }

    /** The softmax assumes min–max normalised scores; raw scores (~1e-7) would silently give α ≈ ½ everywhere. */
    private static void checkNormalised(List<SkillUnit> units, Map<String, Double> scores, String which) {
        for (SkillUnit u : units) {
            double v = scores.get(u.id());
            if (v < -1e-9 || v > 1 + 1e-9) {
                throw new IllegalArgumentException("the " + which + " score of " + u.id() + " is " + v
                        + ": adaptive fusion needs min-max normalised scores in [0, 1] (UnitScores.normalize)");
            }
        }
    }
}
