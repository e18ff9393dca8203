package io.kif4j.cli;

import io.kif4j.continual.fusion.FusionSpace;
import io.kif4j.continual.fusion.FusionStep;
import io.kif4j.continual.fusion.RecurrentFusion;
import io.kif4j.continual.importance.UnitScores;
import io.kif4j.lora.SkillUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "fuse", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"One knowledge-fusion step on adapter folders, as the KIF / Recurrent-KIF authors' code does it.",
                "  --rule static|adaptive: fuse --previous (the fused adapter of task t-1) with --current (trained on "
                        + "task t) by the units' scores (KIF's Eq. 15 / KIFLoRA's Eq. 16-17). Score files are the authors' "
                        + "Module_Name,Importance_Score CSVs (PEFT names, '|||i' rank-one ids) or kif4j's unit_scores.csv "
                        + "(previous: its cumulative column; current: its raw column). Writes OUT/adapter_model.safetensors, "
                        + "OUT/adapter_config.json (copied from --current) and OUT/" + FusionStep.CUMULATIVE_FILE
                        + " (Eq. 13, in the previous score file's format).",
                "  Both write OUT/" + FusionStep.DECISIONS_FILE + ": thresholds, case counts and each unit's case or "
                        + "softmax weight (static/adaptive), or the mask counts (recurrent).",
                "  --rule recurrent: one Recurrent-KIF round, anchor + w_in*(inner - anchor) + w_out*(current - inner) "
                        + "with element masks from --element-scores (inner.score:<var>, outer.score:<var>). Writes the "
                        + "adapter and OUT/" + FusionStep.OMEGA_FILE + " (omega_in:<var>, omega_out:<var>).",
                "Defaults are the authors' code's (tau 0.25; the paper and `kif run` use 0.15)."})
final class FuseCommand implements Callable<Integer> {

    @Option(names = "--rule", required = true, description = "static, adaptive or recurrent.") String rule;

    @Option(names = "--previous", paramLabel = "DIR", description = "static/adaptive: the previous fused adapter (PEFT folder) Required by its rule (default: none).") Path previous;

    @Option(names = "--current", paramLabel = "DIR", description = "The current adapter (PEFT folder) Required by its rule (default: none).") Path current;

    @Option(names = "--previous-scores", paramLabel = "CSV", description = "static/adaptive: I(U<=t-1), as stored after task t-1 Required by its rule (default: none).") Path previousScores;

    @Option(names = "--current-scores", paramLabel = "CSV", description = "static/adaptive: I(U_t), the raw unit scores of task t Required by its rule (default: none).") Path currentScores;

    @Option(names = "--anchor", paramLabel = "DIR", description = "recurrent: the adapter at the start of the round Required by its rule (default: none).") Path anchor;

    @Option(names = "--inner", paramLabel = "DIR", description = "recurrent: the adapter after the inner steps Required by its rule (default: none).") Path inner;

    @Option(names = "--element-scores", paramLabel = "FILE", description = "recurrent: safetensors with inner.score:<var> "
            + "and outer.score:<var> (or their Ibar/Ubar). Required by its rule (default: none).") Path elementScores;

    @Option(names = "--tau", description = "adaptive: softmax temperature (default 0.25, the authors' code; the paper: 0.15).") double tau = FusionStep.Options.codeDefaults(FusionStep.Rule.ADAPTIVE).tau();

    @Option(names = "--gamma", description = "static: weight on the previous model for shared units (default 0.7).") double gamma = 0.7;

    @Option(names = "--quantile", description = "static: threshold quantile of p and c; recurrent: of all element "
            + "scores (default 0.8: the top 20 %% are important).") double quantile = 0.8;

    @Option(names = "--beta", description = "Eq. 13: weight on history in the cumulative score (default 0.7).") double beta = 0.7;

    @Option(names = "--fusion-space", description = "adaptive: factors (the paper, default) or delta (mix b_i a_i^T, "
            + "re-factorise by SVD).") String fusionSpace = "factors";

    @Option(names = "--constant-scores", description = "Norm of constant scores: zero (default) or nan (the authors' "
            + "code: 0/0 flows into the result).") String constantScores = "zero";

    @Option(names = "--missing-units", description = "A unit one score file lacks, or a parameter no unit covers: "
            + "error (default, as the authors' code) or keep-current (fuse the rest; copy those from --current).") String missingUnits = "error";

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output folder.") Path out;

    @Option(names = "--json", description = "Print one JSON object instead of the summary lines.") boolean json;

    @Override
    public Integer call() {
        String r = rule.toLowerCase(Locale.ROOT);
        checkRange("--quantile", quantile, 0, 1);
        if (r.equals("recurrent")) {
            require("recurrent", "--anchor", anchor, "--inner", inner, "--current", current, "--element-scores", elementScores);
            RecurrentFusion.Result res = FusionStep.fuseRecurrent(anchor, inner, current, elementScores, quantile, out);
            long scalars = res.counts().values().stream().mapToLong(Integer::longValue).sum();
            if (json) {
                System.out.println(JsonOut.object("rule", "recurrent", "scalars", scalars,
                        "threshold_inner", (double) res.thresholds()[0], "threshold_outer", (double) res.thresholds()[1],
                        "mask_counts", res.counts(), "out", out.toString()));
            } else {
                System.out.printf(Locale.ROOT, "recurrent-kif round: %d LoRA scalars, quantile %s, thresholds inner %s "
                        + "outer %s; %s%n", scalars, quantile, res.thresholds()[0], res.thresholds()[1], counts(res.counts()));
                System.out.println("wrote " + out.resolve("adapter_model.safetensors") + ", adapter_config.json, "
                        + FusionStep.OMEGA_FILE);
            }
            return 0;
        }
        FusionStep.Rule kind = switch (r) {
            case "static" -> FusionStep.Rule.STATIC;
            case "adaptive" -> FusionStep.Rule.ADAPTIVE;
            default -> throw new IllegalArgumentException("--rule: expected static, adaptive or recurrent, got '" + rule + "'");
        };
        require(r, "--previous", previous, "--current", current, "--previous-scores", previousScores,
                "--current-scores", currentScores);
        if (!(tau >= 0) || Double.isInfinite(tau)) {
            throw new IllegalArgumentException("--tau: expected a finite number >= 0, got " + tau);
        }
        checkRange("--gamma", gamma, 0, 1);
        checkRange("--beta", beta, 0, 1);
        FusionStep.Options o = new FusionStep.Options(kind, tau, gamma, quantile, beta,
                choice("--fusion-space", fusionSpace, FusionSpace.class),
                choice("--constant-scores", constantScores, UnitScores.ConstantScores.class),
                choice("--missing-units", missingUnits, FusionStep.MissingUnits.class));
        FusionStep.Scored s = FusionStep.fuse(previous, current, previousScores, currentScores, o, out);
        String units = s.units().size() + " skill units (" + (s.units().get(0).kind() == SkillUnit.Kind.RANK_ONE
                ? "rank-one" : "matrix") + ")";
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("rule", r);
            m.put("units", s.units().size());
            m.put("left_out", s.leftOut().size());
            if (s.thresholds() != null) {
                m.put("threshold_p", finiteOrNull(s.thresholds()[0]));
                m.put("threshold_c", finiteOrNull(s.thresholds()[1]));
            } else {
                m.put("tau", tau);
            }
            m.put("cases", s.fusion().caseCounts());
            m.put("out", out.toString());
            System.out.println(JsonOut.write(m));
        } else {
            String how = s.thresholds() != null
                    ? String.format(Locale.ROOT, "thresholds p %s c %s", s.thresholds()[0], s.thresholds()[1])
                    : "tau " + tau + " (units leaning to the previous / current model / even)";
            System.out.println(r + " fusion of " + units + ", " + how + ": " + counts(s.fusion().caseCounts())
                    + (s.leftOut().isEmpty() ? "" : "; " + s.leftOut().size() + " units scored in one file only, "
                    + "copied from --current"));
            System.out.println("wrote " + out.resolve("adapter_model.safetensors") + ", adapter_config.json, "
                    + FusionStep.CUMULATIVE_FILE);
        }
        return 0;
    }

    private static Object finiteOrNull(double v) {
        return Double.isFinite(v) ? v : null;
    }

    private static String counts(Map<String, Integer> c) {
        StringBuilder b = new StringBuilder();
        c.forEach((k, v) -> b.append(b.length() == 0 ? "" : ", ").append(k).append(' ').append(v));
        return b.toString();
    }

    /** Pairs of flag name and value: every one must be given for this rule. */
    private static void require(String rule, Object... flagsAndValues) {
        for (int i = 0; i < flagsAndValues.length; i += 2) {
            if (flagsAndValues[i + 1] == null) {
                throw new IllegalArgumentException("--rule " + rule + " needs " + flagsAndValues[i]);
            }
        }
    }

    private static void checkRange(String flag, double v, double lo, double hi) {
        if (!(v >= lo && v <= hi)) {
            throw new IllegalArgumentException(flag + ": expected a number in [" + lo + ", " + hi + "], got " + v);
        }
    }

    private static <E extends Enum<E>> E choice(String flag, String value, Class<E> type) {
        for (E e : type.getEnumConstants()) {
            if (e.name().replace('_', '-').equalsIgnoreCase(value)) {
                return e;
            }
        }
        throw new IllegalArgumentException(flag + ": expected one of " + List.of(type.getEnumConstants()).stream()
                .map(e -> e.name().toLowerCase(Locale.ROOT).replace('_', '-')).toList() + ", got '" + value + "'");
    }
}
