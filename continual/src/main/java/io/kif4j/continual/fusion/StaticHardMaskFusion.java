package io.kif4j.continual.fusion;

import io.kif4j.lora.LoraAdapter;
import io.kif4j.lora.SkillUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * KIF's static fusion (spec §4.2, Eq. 15). Thresholds δ_p and δ_c are the {@code quantile} percentiles of p and
 * of c taken separately ({@code np.percentile(·, 80)}); then, per unit, with strict comparisons:
 * <ul>
 *   <li>p &gt; δ_p ∧ c &gt; δ_c (shared): γ·prev + (1−γ)·cur</li>
 *   <li>p &gt; δ_p ∧ c ≤ δ_c (old-task-specific): prev</li>
 *   <li>p ≤ δ_p ∧ c &gt; δ_c (new-task-specific): cur</li>
 *   <li>otherwise (low relevance): ½(prev + cur)</li>
 * </ul>
 * Units are usually matrix-level, so A and B of a module may land in different cases.
 */
public final class StaticHardMaskFusion implements FusionRule {

    private static final Logger LOG = LoggerFactory.getLogger(StaticHardMaskFusion.class);

    public static final String SHARED = "shared";
    public static final String OLD_SPECIFIC = "old_specific";
    public static final String NEW_SPECIFIC = "new_specific";
    public static final String LOW_RELEVANCE = "low_relevance";

    private final double gamma;
    private final double quantile;

    /**
     * @param gamma    the weight on the previous model for shared units (0.7)
     * @param quantile the threshold quantile in [0, 1] (0.8: the top 20 % count as important)
     */
    public StaticHardMaskFusion(double gamma, double quantile) {
        if (!(gamma >= 0 && gamma <= 1 && quantile >= 0 && quantile <= 1)) {
            throw new IllegalArgumentException("gamma and quantile must be in [0, 1], got " + gamma + ", " + quantile);
        }
        this.gamma = gamma;
        this.quantile = quantile;
    }

    /** The papers' γ = 0.7, 80th percentile. */
    public StaticHardMaskFusion() {
        this(0.7, 0.8);
    }

    @Override
    public String name() {
        return "static";
    }

    /** Eq. 15's thresholds {δ_p, δ_c} for these units. */
    public double[] thresholds(List<SkillUnit> units, Map<String, Double> p, Map<String, Double> c) {
        FusionInputs.checkScores(units, p, c);
        return new double[]{percentileOrNaN(FusionInputs.values(units, p)),
                percentileOrNaN(FusionInputs.values(units, c))};
    }

    /** {@code np.percentile}: NaN when any score is NaN, so that no unit is above it (strict >). */
    private double percentileOrNaN(double[] v) {
        for (double x : v) {
            if (Double.isNaN(x)) {
                return Double.NaN;
            }
        }
        return Quantiles.percentile(v, 100 * quantile);
    }

    /** One unit's case of Eq. 15 and the weight its parameters give the previous model. */
    public record Decision(String kase, double weightOnPrevious) {
    }

    /** Eq. 15's case of every unit (in the units' order), with strict comparisons against {@link #thresholds}. */
    public Map<String, Decision> decide(List<SkillUnit> units, Map<String, Double> p, Map<String, Double> c) {
        Map<String, Decision> out = new LinkedHashMap<>();
        if (units.isEmpty()) {
            return out;
        }
        double[] delta = thresholds(units, p, c);
        for (SkillUnit u : units) {
            boolean oldImportant = p.get(u.id()) > delta[0];
            boolean newImportant = c.get(u.id()) > delta[1];
            Decision d;
            if (oldImportant && newImportant) {
                d = new Decision(SHARED, gamma);
            } else if (oldImportant) {
                d = new Decision(OLD_SPECIFIC, 1);
            } else if (newImportant) {
                d = new Decision(NEW_SPECIFIC, 0);
            } else {
                d = new Decision(LOW_RELEVANCE, 0.5);
            }
            out.put(u.id(), d);
        }
        return out;
    }

    /** Eq. 15 (spec §4.2): each unit's case by {@link #decide}, its mixing by {@link Mixer#mix}. */
    @Override
    public FusionResult fuse(LoraAdapter previous, LoraAdapter current, List<SkillUnit> units,
                             Map<String, Double> p, Map<String, Double> c) {
        FusionInputs.checkCompatible(previous, current);
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (String k : List.of(SHARED, OLD_SPECIFIC, NEW_SPECIFIC, LOW_RELEVANCE)) {
            counts.put(k, 0);
        }
        Map<String, Double> wPrev = new LinkedHashMap<>();
        decide(units, p, c).forEach((id, d) -> {
            counts.merge(d.kase(), 1, Integer::sum);
            wPrev.put(id, d.weightOnPrevious());
        });
        LoraAdapter fused = Mixer.mix(previous, current, units, wPrev);
        LOG.debug("static fusion: cases {}", counts);
        return new FusionResult(fused, counts, Double.NaN);
    }
}
