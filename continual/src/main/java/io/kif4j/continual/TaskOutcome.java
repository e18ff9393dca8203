package io.kif4j.continual;

import io.kif4j.lora.LoraAdapter;

import java.util.List;
import java.util.Map;

/**
 * What learning one task produced.
 *
 * @param adapter    θ̃_t, the adapter to evaluate and continue from
 * @param losses     training loss per optimizer step
 * @param unitScores per skill unit: raw, normalized and cumulative importance (empty for methods without any)
 * @param notes      method-specific figures for the log and report (e.g. fusion case counts)
 */
public record TaskOutcome(LoraAdapter adapter, List<Double> losses, Map<String, double[]> unitScores,
                          Map<String, Object> notes) {

    public static TaskOutcome of(LoraAdapter adapter, List<Double> losses) {
        return new TaskOutcome(adapter, losses, Map.of(), Map.of());
    }
}
