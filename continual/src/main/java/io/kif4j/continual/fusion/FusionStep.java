package io.kif4j.continual.fusion;

import io.kif4j.continual.importance.ScoreFile;
import io.kif4j.continual.importance.UnitScores;
import io.kif4j.lora.LoraAdapter;
import io.kif4j.lora.LoraModule;
import io.kif4j.lora.SkillUnit;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kif4j.common.AtomicFiles;
import io.kif4j.common.Json;
import io.kif4j.common.KifInputException;
import io.kif4j.weights.safetensors.SafetensorsFile;
import io.kif4j.weights.safetensors.SafetensorsWriter;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One fusion step on files, as {@code ./kif fuse} runs it: PEFT adapters in, score files in the KIF authors' or
 * kif4j's format, the fused adapter (PEFT layout) and the carried-forward scores out. The arithmetic is done by
 * the classes the methods use ({@link StaticHardMaskFusion}, {@link AdaptiveSoftMaskFusion},
 * {@link UnitScores#cumulative}, {@link RecurrentFusion}).
 */
public final class FusionStep {

    /** The carried-forward scores' file in the output folder. */
    public static final String CUMULATIVE_FILE = "cumulative_scores.csv";
    /** Recurrent-KIF's per-element weights in the output folder: {@code omega_in:<var>}, {@code omega_out:<var>}. */
    public static final String OMEGA_FILE = "omega.safetensors";
    /** The step's decisions in the output folder: thresholds, case counts and, per unit, p, c and its case / α. */
    public static final String DECISIONS_FILE = "fusion.json";

    /** Which importance-guided rule. */
    public enum Rule { STATIC, ADAPTIVE }

    /** A unit scored in one file but not in the other, or an adapter parameter no unit covers. */
    public enum MissingUnits {
        /** Refuse, naming the file and the unit: the authors' code fails on it too (assert / KeyError). */
        ERROR,
        /**
         * Fuse only the units both files score; every other parameter is copied from the current adapter
         * (spec §4.2: "any parameter without a score is copied from cur"), and such units are not carried forward.
         */
        KEEP_CURRENT
    }

    /**
     * Settings of a KIF / KIFLoRA step.
     *
     * @param tau      Eq. 16's temperature (adaptive)
     * @param gamma    Eq. 15's weight on the previous model for shared units (static)
     * @param quantile Eq. 15's threshold quantile (static)
     * @param beta     Eq. 13's weight on history
     * @param space    where the adaptive rule mixes
     * @param constant what Norm does with constant scores
     * @param missing  what a unit missing from a score file does
     */
    public record Options(Rule rule, double tau, double gamma, double quantile, double beta, FusionSpace space,
                          UnitScores.ConstantScores constant, MissingUnits missing) {

        /** The authors' code's values: τ 0.25, γ 0.7, quantile 0.8, β 0.7; factor space; Norm of constants 0. */
        public static Options codeDefaults(Rule rule) {
            return new Options(rule, AdaptiveSoftMaskFusion.CODE_TAU, 0.7, 0.8, 0.7, FusionSpace.FACTORS,
                    UnitScores.ConstantScores.ZERO, MissingUnits.ERROR);
        }

        FusionRule fusionRule() {
            return rule == Rule.STATIC ? new StaticHardMaskFusion(gamma, quantile)
                    : new AdaptiveSoftMaskFusion(tau, space);
        }
    }

    /**
     * What a KIF / KIFLoRA step did.
     *
     * @param units       the fused units, in score-file order
     * @param p           Norm(previous scores)
     * @param c           Norm(current scores)
     * @param cumulative  Eq. 13, carried to the next task
     * @param thresholds  {δ_p, δ_c} of Eq. 15 (static), null otherwise
     * @param decisions   static: each unit's case and weight on the previous model; adaptive: α_{t−1} (as weight)
     * @param leftOut     units only one score file has (MissingUnits.KEEP_CURRENT)
     */
    public record Scored(FusionResult fusion, List<SkillUnit> units, Map<String, Double> p, Map<String, Double> c,
                         Map<String, Double> cumulative, double[] thresholds,
                         Map<String, StaticHardMaskFusion.Decision> decisions, List<String> leftOut) {
    }

    private FusionStep() {
    }

    /**
     * A KIF (static) or KIFLoRA (adaptive) step: p = Norm(previous scores), c = Norm(current scores), the fused
     * adapter by Eq. 15 or 16–17, and the cumulative score Norm(β·p + (1 − β)·c) (Eq. 13). Writes
     * {@code out/adapter_model.safetensors} (the current adapter's keys), {@code out/adapter_config.json} (copied
     * from the current adapter) and {@code out/}{@value #CUMULATIVE_FILE} in the previous score file's format.
     */
    public static Scored fuse(Path previousDir, Path currentDir, Path previousScores, Path currentScores,
                              Options o, Path out) {
        LoraAdapter previous = LoraAdapter.load(previousDir);
        LoraAdapter current = LoraAdapter.load(currentDir);
        compatible(previousDir, previous, currentDir, current);
        ScoreFile prevFile = ScoreFile.read(previousScores, ScoreFile.Column.CUMULATIVE);
        ScoreFile curFile = ScoreFile.read(currentScores, ScoreFile.Column.RAW);
        Map<String, Double> prevRaw = new LinkedHashMap<>(prevFile.scores());
        Map<String, Double> curRaw = new LinkedHashMap<>(curFile.scores());
        List<String> leftOut = new ArrayList<>();
        for (var pair : List.of(List.of(prevFile, curFile), List.of(curFile, prevFile))) {
            for (String id : pair.get(0).scores().keySet()) {
                if (!pair.get(1).scores().containsKey(id)) {
                    if (o.missing() == MissingUnits.ERROR) {
                        throw KifInputException.of(pair.get(1).file(), "no score for skill unit " + id + " (it is in "
                                + pair.get(0).file() + "); --missing-units keep-current fuses only the units both "
                                + "files score");
                    }
                    leftOut.add(id);
                }
            }
        }
        prevRaw.keySet().removeAll(leftOut);
        curRaw.keySet().removeAll(leftOut);
        if (curRaw.isEmpty()) {
            throw KifInputException.of(currentScores, "no skill unit is scored in both score files");
        }
        List<SkillUnit> units = new ArrayList<>();
        for (String id : curRaw.keySet()) {
            units.add(ScoreFile.unit(id));
        }
        checkUnits(currentScores, units, current, o.missing());
        for (Map<String, Double> m : List.of(prevRaw, curRaw)) {
            Path f = m == prevRaw ? previousScores : currentScores;
            m.forEach((id, v) -> {
                if (Double.isInfinite(v)) {
                    throw KifInputException.of(f, "skill unit " + id + " has an infinite score");
                }
            });
        }
        Map<String, Double> p = UnitScores.normalize(prevRaw, o.constant());
        Map<String, Double> c = UnitScores.normalize(curRaw, o.constant());
        FusionRule rule = o.fusionRule();
        FusionResult fused = rule.fuse(previous, current, units, p, c);
        double[] thresholds = null;
        Map<String, StaticHardMaskFusion.Decision> decisions = new LinkedHashMap<>();
        if (rule instanceof StaticHardMaskFusion s) {
            thresholds = s.thresholds(units, p, c);
            decisions = s.decide(units, p, c);
        } else {
            for (SkillUnit u : units) {
                decisions.put(u.id(), new StaticHardMaskFusion.Decision("adaptive",
                        AdaptiveSoftMaskFusion.previousWeight(p.get(u.id()), c.get(u.id()), o.tau())));
            }
        }
        // Eq. 13 in the previous file's unit order, as the authors' code writes it.
        Map<String, Double> cumulative = new LinkedHashMap<>();
        Map<String, Double> mixed = UnitScores.cumulative(prevRaw, curRaw, o.beta(), o.constant());
        prevRaw.keySet().forEach(id -> cumulative.put(id, mixed.get(id)));
        writeAdapter(out, fused.fused(), currentDir);
        Path csv = out.resolve(CUMULATIVE_FILE);
        if (prevFile.format() == ScoreFile.Format.AUTHORS) {
            ScoreFile.writeAuthors(csv, cumulative, prevFile.names());
        } else {
            ScoreFile.writeKif4j(csv, curRaw, c, cumulative);
        }
        Scored result = new Scored(fused, units, p, c, cumulative, thresholds, decisions, leftOut);
        writeDecisions(out, o, result);
        return result;
    }

    /** {@value #DECISIONS_FILE}: what the step decided, for checking against the authors' importance.json. */
    private static void writeDecisions(Path out, Options o, Scored s) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("rule", o.rule().name().toLowerCase(java.util.Locale.ROOT));
        if (s.thresholds() != null) {
            ObjectNode th = root.putObject("thresholds");
            putNumber(th, "p", s.thresholds()[0]);
            putNumber(th, "c", s.thresholds()[1]);
        } else {
            root.put("tau", o.tau());
        }
        root.set("case_counts", Json.MAPPER.valueToTree(s.fusion().caseCounts()));
        ArrayNode units = root.putArray("units");
        for (SkillUnit u : s.units()) {
            ObjectNode n = units.addObject();
            n.put("unit", u.id());
            putNumber(n, "p", s.p().get(u.id()));
            putNumber(n, "c", s.c().get(u.id()));
            StaticHardMaskFusion.Decision d = s.decisions().get(u.id());
            if (s.thresholds() != null) {
                n.put("case", d.kase());
                putNumber(n, "weight_on_prev", d.weightOnPrevious());
            } else {
                putNumber(n, "alpha_prev", d.weightOnPrevious());
            }
        }
        root.set("left_out", Json.MAPPER.valueToTree(s.leftOut()));
        AtomicFiles.writeString(out.resolve(DECISIONS_FILE), root.toPrettyString() + "\n");
    }

    /** JSON has no NaN: a non-finite number is written as null. */
    private static void putNumber(ObjectNode n, String field, double v) {
        if (Double.isFinite(v)) {
            n.put(field, v);
        } else {
            n.putNull(field);
        }
    }

    /**
     * One Recurrent-KIF round on files (spec §6.2): θ_anchor from {@code anchorDir}, θ_k from {@code innerDir},
     * θ from {@code currentDir}, and the element scores {@code inner.score:<var>} / {@code outer.score:<var>} (or
     * their {@code Ibar}·{@code Ubar}) from a safetensors file. Writes the fused adapter and
     * {@code out/}{@value #OMEGA_FILE}.
     */
    public static RecurrentFusion.Result fuseRecurrent(Path anchorDir, Path innerDir, Path currentDir,
                                                       Path elementScores, double quantile, Path out) {
        LoraAdapter anchor = LoraAdapter.load(anchorDir);
        LoraAdapter inner = LoraAdapter.load(innerDir);
        LoraAdapter current = LoraAdapter.load(currentDir);
        compatible(anchorDir, anchor, currentDir, current);
        compatible(innerDir, inner, currentDir, current);
        SafetensorsFile scores = SafetensorsFile.open(elementScores);
        Map<String, INDArray> innerScores = new LinkedHashMap<>();
        Map<String, INDArray> outerScores = new LinkedHashMap<>();
        for (String v : current.variableNames()) {
            innerScores.put(v, elementScore(scores, elementScores, "inner", v, current.array(v).shape()));
            outerScores.put(v, elementScore(scores, elementScores, "outer", v, current.array(v).shape()));
        }
        RecurrentFusion.Result r = RecurrentFusion.fuse(variables(anchor), variables(inner), variables(current),
                innerScores, outerScores, quantile);
        Map<String, INDArray[]> modules = new LinkedHashMap<>();
        for (LoraModule m : current.modules()) {
            modules.put(m.path(), new INDArray[]{r.fused().get(m.aName()), r.fused().get(m.bName())});
        }
        writeAdapter(out, LoraAdapter.of(current.config(), modules), currentDir);
        Map<String, INDArray> omega = new LinkedHashMap<>();
        r.omegaIn().forEach((k, v) -> omega.put("omega_in:" + k, v));
        r.omegaOut().forEach((k, v) -> omega.put("omega_out:" + k, v));
        SafetensorsWriter.write(out.resolve(OMEGA_FILE), omega);
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("rule", "recurrent");
        root.put("quantile", quantile);
        ObjectNode th = root.putObject("thresholds");
        putNumber(th, "inner_float32", r.thresholds()[0]);
        putNumber(th, "outer_float32", r.thresholds()[1]);
        root.set("mask_counts", Json.MAPPER.valueToTree(r.counts()));
        AtomicFiles.writeString(out.resolve(DECISIONS_FILE), root.toPrettyString() + "\n");
        return r;
    }

    /** The adapter's arrays by LoRA variable name (not copied). */
    static Map<String, INDArray> variables(LoraAdapter a) {
        Map<String, INDArray> m = new LinkedHashMap<>();
        for (String v : a.variableNames()) {
            m.put(v, a.array(v));
        }
        return m;
    }

    /** {@code <kind>.score:<var>}, else {@code <kind>.Ibar:<var>}·{@code <kind>.Ubar:<var>} (float32, as s = Ī·Ū). */
    private static INDArray elementScore(SafetensorsFile f, Path file, String kind, String var, long[] shape) {
        INDArray s = tensor(f, kind + ".score:", var);
        if (s == null) {
            INDArray i = tensor(f, kind + ".Ibar:", var);
            INDArray u = tensor(f, kind + ".Ubar:", var);
            if (i == null || u == null) {
                throw KifInputException.of(file, "no element scores '" + kind + ".score:" + var + "' (nor "
                        + kind + ".Ibar/" + kind + ".Ubar) for LoRA variable " + var);
            }
            checkShape(file, kind + ".Ibar:" + var, i, shape);
            checkShape(file, kind + ".Ubar:" + var, u, shape);
            s = i.castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT).mul(u.castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT));
        }
        checkShape(file, kind + ".score:" + var, s, shape);
        return s.castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT);
    }

    private static INDArray tensor(SafetensorsFile f, String prefix, String var) {
        for (String name : List.of(prefix + var, prefix + LoraModule.PEFT_PREFIX + var)) {
            if (f.names().contains(name)) {
                return f.load(name);
            }
        }
        return null;
    }

    private static void checkShape(Path file, String key, INDArray t, long[] shape) {
        if (!Arrays.equals(t.shape(), shape)) {
            throw KifInputException.of(file, "tensor '" + key + "' has shape " + Arrays.toString(t.shape())
                    + ", the adapters' variable has " + Arrays.toString(shape));
        }
    }

    /** Same modules, rank, scaling and shapes, or one line naming both folders. */
    private static void compatible(Path aDir, LoraAdapter a, Path bDir, LoraAdapter b) {
        try {
            FusionInputs.checkCompatible(a, b);
        } catch (IllegalArgumentException e) {
            throw new KifInputException(aDir + " vs " + bDir + ": " + e.getMessage());
        }
    }

    /**
     * Every unit must name a module of the adapter (and a rank index below r); under {@link MissingUnits#ERROR}
     * every parameter must also be in a unit, as the authors' code looks each tensor up by name.
     */
    private static void checkUnits(Path scores, List<SkillUnit> units, LoraAdapter adapter, MissingUnits missing) {
        Set<String> covered = new LinkedHashSet<>();
        for (SkillUnit u : units) {
            LoraModule m = adapter.module(u.module());
            if (m == null) {
                throw KifInputException.of(scores, "skill unit " + u.id() + " names no module of the adapter");
            }
            if (u.kind() == SkillUnit.Kind.RANK_ONE) {
                if (u.index() >= m.rank()) {
                    throw KifInputException.of(scores, "skill unit " + u.id() + ": rank index " + u.index()
                            + " but the adapter has r = " + m.rank());
                }
                covered.add(m.aName() + "#" + u.index());
                covered.add(m.bName() + "#" + u.index());
            } else {
                String v = u.kind() == SkillUnit.Kind.MATRIX_A ? m.aName() : m.bName();
                for (int i = 0; i < m.rank(); i++) {
                    covered.add(v + "#" + i);
                }
            }
        }
        if (missing == MissingUnits.ERROR) {
            for (LoraModule m : adapter.modules()) {
                for (String v : List.of(m.aName(), m.bName())) {
                    for (int i = 0; i < m.rank(); i++) {
                        if (!covered.contains(v + "#" + i)) {
                            throw KifInputException.of(scores, "no skill unit covers " + v + (units.get(0).kind()
                                    == SkillUnit.Kind.RANK_ONE ? " rank " + i : "") + " of the adapter; "
                                    + "--missing-units keep-current copies such parameters from the current adapter");
                        }
                    }
                }
            }
        }
    }

    /** PEFT layout: the tensors under the current adapter's keys, and its adapter_config.json copied as is. */
    private static void writeAdapter(Path out, LoraAdapter fused, Path currentDir) {
        try {
            Files.createDirectories(out);
            SafetensorsWriter.write(out.resolve(LoraAdapter.WEIGHTS_FILE), fused.peftTensors());
            Path config = currentDir.resolve(LoraAdapter.CONFIG_FILE);
            Path target = out.resolve(LoraAdapter.CONFIG_FILE);
            if (!Files.isSameFile(currentDir, out)) {
                Path tmp = Files.createTempFile(out, ".adapter_config", ".tmp");
                Files.copy(config, tmp, StandardCopyOption.REPLACE_EXISTING);
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the fused adapter to " + out + ": " + e.getMessage(), e);
        }
    }
}
