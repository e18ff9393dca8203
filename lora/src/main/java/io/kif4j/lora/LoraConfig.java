package io.kif4j.lora;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kif4j.common.AtomicFiles;
import io.kif4j.common.Json;
import io.kif4j.common.KifInputException;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * LoRA hyperparameters with PEFT's field names, so {@link #read}/{@link #write} speak PEFT's
 * {@code adapter_config.json}.
 *
 * @param targetModules       module-name suffixes such as ["q", "v"], matched as PEFT does (the whole name or
 *                            its last dotted parts); ignored when {@code targetModulesRegex} is set
 * @param targetModulesRegex  PEFT's string form of target_modules: a regex that must match the whole module path
 * @param useRslora           scaling lora_alpha/√r instead of lora_alpha/r
 * @param baseModelNameOrPath written for PEFT; informational
 */
public record LoraConfig(int r, double loraAlpha, double loraDropout, List<String> targetModules,
                         String targetModulesRegex, String bias, boolean useRslora, String taskType,
                         String baseModelNameOrPath) {

    public LoraConfig {
        if (r < 1) {
            throw new IllegalArgumentException("LoRA rank r must be >= 1, got " + r);
        }
        if (!(loraDropout >= 0 && loraDropout < 1)) {
            throw new IllegalArgumentException("lora_dropout must be in [0, 1), got " + loraDropout);
        }
        if (!"none".equals(bias)) {
            throw new IllegalArgumentException("only bias \"none\" is supported, got " + bias);
        }
        targetModules = List.copyOf(targetModules);
    }

    /** The papers' defaults: r 8, α 16, dropout 0.05 on the given modules. */
    public static LoraConfig of(int r, double alpha, double dropout, List<String> targets, String taskType) {
        return new LoraConfig(r, alpha, dropout, targets, null, "none", false, taskType, null);
    }

    public double scaling() {
        return useRslora ? loraAlpha / Math.sqrt(r) : loraAlpha / r;
    }

    /**
     * Does the HF module path (e.g. {@code encoder.block.0.layer.0.SelfAttention.q}) get LoRA?
     *
     * @throws IllegalArgumentException when the target_modules regex backtracks past {@link #REGEX_STEP_BUDGET}
     *                                  characters read on this path: a hostile regex must not hang the run
     */
    public boolean targets(String modulePath) {
        if (targetModulesRegex != null) {
            try {
                return Pattern.compile(targetModulesRegex).matcher(new BudgetedChars(modulePath)).matches();
            } catch (BudgetedChars.Exhausted e) {
                throw new IllegalArgumentException("target_modules regex '" + targetModulesRegex + "' needs more than "
                        + REGEX_STEP_BUDGET + " steps to match '" + modulePath + "' (catastrophic backtracking); simplify it");
            }
        }
        for (String t : targetModules) {
            if (modulePath.equals(t) || modulePath.endsWith("." + t)) {
                return true;
            }
        }
        return false;
    }

    /** Characters a regex match may read: real PEFT patterns need a few hundred on a module path. */
    static final int REGEX_STEP_BUDGET = 1_000_000;

    /** PEFT's regexes are one line of alternatives; the bound keeps compile time and memory trivial. */
    static final int MAX_REGEX_CHARS = 4096;

    /** Module paths of the model families kif4j runs, tried once when a regex is read so a bad one fails early. */
    private static final List<String> PROBE_PATHS = List.of("encoder.block.0.layer.0.SelfAttention.q",
            "decoder.block.11.layer.2.DenseReluDense.wo", "model.layers.31.self_attn.v_proj", "model.layers.0.mlp.down_proj");

    /**
     * A module path that counts the characters the regex engine reads and gives up past the budget: java.util.regex
     * has no timeout, and exponential backtracking reads characters on every step, so this bounds the time.
     */
    private static final class BudgetedChars implements CharSequence {
        static final class Exhausted extends RuntimeException {
            Exhausted() {
                super(null, null, false, false);
            }
        }

        private final String s;
        private final int[] left;

        BudgetedChars(String s) {
            this(s, new int[] {REGEX_STEP_BUDGET});
        }

        private BudgetedChars(String s, int[] left) {
            this.s = s;
            this.left = left;
        }

        @Override
        public char charAt(int index) {
            if (--left[0] < 0) {
                throw new Exhausted();
            }
            return s.charAt(index);
        }

        @Override
        public int length() {
            return s.length();
        }

        @Override
        public CharSequence subSequence(int start, int end) {
            return new BudgetedChars(s.substring(start, end), left);
        }

        @Override
        public String toString() {
            return s;
        }
    }

    public LoraConfig withBaseModel(String path) {
        return new LoraConfig(r, loraAlpha, loraDropout, targetModules, targetModulesRegex, bias, useRslora, taskType, path);
    }

    public static LoraConfig read(Path file) {
        JsonNode c = Json.read(file);
        String peftType = Json.stringField(file, c, "peft_type", "LORA");
        if (!peftType.equals("LORA")) {
            throw KifInputException.of(file, "peft_type is '" + peftType + "', expected 'LORA'");
        }
        if (Json.boolField(file, c, "fan_in_fan_out", false)) {
            throw KifInputException.of(file, "fan_in_fan_out true is not supported (only nn.Linear layers)");
        }
        refuseSwitchedOn(file, c);
        JsonNode tm = c.get("target_modules");
        List<String> targets = new ArrayList<>();
        String regex = null;
        if (tm == null || tm.isNull()) {
            throw KifInputException.of(file, "missing field 'target_modules'");
        } else if (tm.isTextual()) {
            regex = tm.asText();
            if (regex.length() > MAX_REGEX_CHARS) {
                throw KifInputException.of(file, "target_modules regex is " + regex.length() + " characters, more than "
                        + MAX_REGEX_CHARS);
            }
            try {
                Pattern.compile(regex);
            } catch (PatternSyntaxException e) {
                throw KifInputException.of(file, "target_modules is not a valid regex: " + e.getDescription());
            }
        } else if (tm.isArray()) {
            for (JsonNode t : tm) {
                if (!t.isTextual()) {
                    throw KifInputException.of(file, "target_modules must hold module names, found " + t);
                }
                targets.add(t.asText());
            }
        } else {
            throw KifInputException.of(file, "target_modules must be a list of module names or a regex string");
        }
        int r = Json.positiveInt(file, c, "r", 8);
        double dropout = Json.doubleField(file, c, "lora_dropout", 0.0);
        if (!(dropout >= 0 && dropout < 1)) {
            throw KifInputException.of(file, "lora_dropout " + dropout + " is outside [0, 1)");
        }
        String bias = Json.stringField(file, c, "bias", "none");
        if (!bias.equals("none")) {
            throw KifInputException.of(file, "bias '" + bias + "' is not supported (only \"none\")");
        }
        JsonNode task = c.get("task_type");
        JsonNode base = c.get("base_model_name_or_path");
        LoraConfig config = new LoraConfig(r, Json.doubleField(file, c, "lora_alpha", 8.0), dropout, targets, regex, bias,
                Json.boolField(file, c, "use_rslora", false),
                task == null || task.isNull() ? null : task.asText(),
                base == null || base.isNull() ? null : base.asText());
        if (regex != null) {
            for (String probe : PROBE_PATHS) {
                try {
                    config.targets(probe);
                } catch (IllegalArgumentException e) {
                    throw KifInputException.of(file, e.getMessage());
                }
            }
        }
        return config;
    }

    /**
     * Newer PEFT versions write keys for features kif4j does not implement; at their off values (false, null, empty)
     * the adapter is plain LoRA and loads, switched on it is refused rather than silently ignored.
     * ({@code use_rslora} is implemented; {@code eva_config} and {@code loftq_config} only shape initialisation.)
     */
    private static void refuseSwitchedOn(Path file, JsonNode c) {
        for (String flag : List.of("use_dora", "lora_bias")) {
            if (Json.boolField(file, c, flag, false)) {
                throw KifInputException.of(file, flag + ": true is not supported (expected false or absent)");
            }
        }
        for (String key : List.of("layer_replication", "exclude_modules", "layers_to_transform",
                "modules_to_save", "rank_pattern", "alpha_pattern")) {
            JsonNode v = c.get(key);
            if (v != null && !v.isNull() && !(v.isContainerNode() && v.isEmpty())) {
                throw KifInputException.of(file, key + ": " + abbreviate(v.toString())
                        + " is not supported (expected null or empty)");
            }
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 60 ? s : s.substring(0, 60) + "…";
    }

    /** Writes PEFT 0.7's adapter_config.json fields. */
    public void write(Path file) {
        ObjectNode c = Json.MAPPER.createObjectNode();
        c.putObject("alpha_pattern");
        c.putNull("auto_mapping");
        if (baseModelNameOrPath == null) {
            c.putNull("base_model_name_or_path");
        } else {
            c.put("base_model_name_or_path", baseModelNameOrPath);
        }
        c.put("bias", bias);
        c.put("fan_in_fan_out", false);
        c.put("inference_mode", true);
        c.put("init_lora_weights", true);
        c.putNull("layers_pattern");
        c.putNull("layers_to_transform");
        c.putObject("loftq_config");
        if (loraAlpha == Math.rint(loraAlpha)) {
            c.put("lora_alpha", (long) loraAlpha);
        } else {
            c.put("lora_alpha", loraAlpha);
        }
        c.put("lora_dropout", loraDropout);
        c.putNull("megatron_config");
        c.put("megatron_core", "megatron.core");
        c.putNull("modules_to_save");
        c.put("peft_type", "LORA");
        c.put("r", r);
        c.putObject("rank_pattern");
        c.putNull("revision");
        if (targetModulesRegex != null) {
            c.put("target_modules", targetModulesRegex);
        } else {
            ArrayNode a = c.putArray("target_modules");
            targetModules.forEach(a::add);
        }
        if (taskType == null) {
            c.putNull("task_type");
        } else {
            c.put("task_type", taskType);
        }
        if (useRslora) {
            c.put("use_rslora", true); // only when set: PEFT 0.7.1 does not know the key and refuses it
        }
        try {
            AtomicFiles.writeString(file, Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(c) + "\n");
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
