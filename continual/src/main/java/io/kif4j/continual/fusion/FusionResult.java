package io.kif4j.continual.fusion;

import io.kif4j.lora.LoraAdapter;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a {@link FusionRule} returns.
 *
 * @param fused                   the new adapter θ̃_t
 * @param caseCounts              how many units fell in each case of the rule (names per rule; may be empty)
 * @param truncationError         the largest relative truncation error ‖ΔW − B'A'‖_F / ‖ΔW‖_F over modules when
 *                                fusing in {@link FusionSpace#DELTA}; NaN otherwise
 * @param moduleTruncationErrors  that error per module path (DELTA only; empty otherwise)
 */
public record FusionResult(LoraAdapter fused, Map<String, Integer> caseCounts, double truncationError,
                           Map<String, Double> moduleTruncationErrors) {

    public FusionResult {
        // Copies that keep the rule's order (cases as the rule lists them, modules in graph order).
        caseCounts = Collections.unmodifiableMap(new LinkedHashMap<>(caseCounts));
        moduleTruncationErrors = Collections.unmodifiableMap(new LinkedHashMap<>(moduleTruncationErrors));
    }

    /** A result without per-module truncation errors. */
    public FusionResult(LoraAdapter fused, Map<String, Integer> caseCounts, double truncationError) {
        this(fused, caseCounts, truncationError, Map.of());
    }
}
