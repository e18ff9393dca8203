package io.kif4j.continual;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.kif4j.common.KifInputException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Reads a run config file: JSON, or YAML for files ending in .yaml/.yml. Unknown keys are errors, and so are
 * values of the wrong type, null for a setting that has a default, and numbers outside their range: each names
 * the file and the key, before any model is loaded.
 */
public final class RunConfigs {

    /** Run configs are a screen of settings; a larger file is not one. */
    static final long MAX_BYTES = 1L << 20;

    private RunConfigs() {
    }

    public static RunConfig read(Path file) {
        return read(file, null);
    }

    /**
     * Reads {@code file} over preset {@code preset} (null: the file's own {@code preset} key, if any): the file's
     * settings override the preset's.
     */
    public static RunConfig read(Path file, String preset) {
        if (!Files.isRegularFile(file)) {
            throw KifInputException.of(file, "config file not found");
        }
        String name = file.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        ObjectMapper mapper = name.endsWith(".yaml") || name.endsWith(".yml") ? new ObjectMapper(new YAMLFactory())
                : new ObjectMapper();
        mapper.enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        RunConfig c;
        try {
            if (Files.size(file) > MAX_BYTES) {
                throw KifInputException.of(file, "larger than " + MAX_BYTES + " bytes, not a run config");
            }
            c = mapper.readValue(file.toFile(), RunConfig.class);
            String base = preset != null ? preset : c == null ? null : c.preset;
            if (base != null) { // read again over the preset: what the file sets wins
                c = mapper.readerForUpdating(Presets.load(base)).readValue(file.toFile());
            }
        } catch (UnrecognizedPropertyException e) {
            throw KifInputException.of(file, "unknown key '" + e.getPropertyName() + "'");
        } catch (JsonMappingException e) {
            // The key path is only on the message's last line ("through reference chain"): say it up front.
            String key = e.getPath().stream()
                    .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                    .collect(Collectors.joining("."));
            throw KifInputException.of(file, (key.isEmpty() ? "" : "key '" + key + "': ")
                    + firstLine(e.getOriginalMessage()));
        } catch (IOException e) {
            throw KifInputException.of(file, "not a valid run config: " + firstLine(e.getMessage()));
        }
        if (c == null) {
            throw KifInputException.of(file, "empty config");
        }
        validate(file, c);
        return c;
    }

    private static String firstLine(String s) {
        return s == null ? "" : s.lines().findFirst().orElse("");
    }

    /**
     * Null is "use the default" only for settings documented so in {@link RunConfig}; the others would fail deep in
     * the run with a NullPointerException. YAML also reads {@code .nan} and {@code .inf} as numbers.
     */
    static void validate(Path file, RunConfig c) {
        new Check(file)
                .notNull("benchmark", c.benchmark).notNull("method", c.method)
                .notNull("fusion_space", c.fusionSpace)
                .oneOf("eval_split", c.evalSplit, "test", "dev")
                .notNull("class_balanced", c.classBalanced).notNull("full_parameters", c.fullParameters)
                .notNull("seed", c.seed)
                .atLeastOrNull("train_per_task", c.trainPerTask, 1).atLeastOrNull("test_per_task", c.testPerTask, 1)
                .atLeast("validation_per_task", c.validationPerTask, 0).atLeastOrNull("epochs", c.epochs, 0)
                .atLeastOrNull("warmup_steps", c.warmupSteps, 0).oneOf("lr_schedule", c.lrSchedule, "linear", "constant")
                .atLeast("batch", c.batch, 1).atLeast("grad_accumulation", c.gradAccumulation, 1)
                .atLeast("lora_r", c.loraR, 1).atLeast("eval_batch", c.evalBatch, 1)
                .atLeast("replay_epochs", c.replayEpochs, 0)
                .atLeastOrNull("max_source_length", c.maxSourceLength, 1)
                .atLeastOrNull("max_target_length", c.maxTargetLength, 1)
                .atLeastOrNull("max_new_tokens", c.maxNewTokens, 1)
                .positiveOrNull("lr", c.lr).positiveOrNull("lora_alpha", c.loraAlpha).positive("tau", c.tau)
                .range("warmup_ratio", c.warmupRatio, 0, 1, true).range("weight_decay", c.weightDecay, 0, 1e6, true)
                .range("lora_dropout", c.loraDropout, 0, 1, false).range("gamma", c.gamma, 0, 1, true)
                .range("quantile", c.quantile, 0, 1, true).range("cumulative_beta", c.cumulativeBeta, 0, 1, true)
                .range("memory_ratio", c.memoryRatio, 0, 1, true)
                .range("olora_lambda1", c.oloraLambda1, 0, 1e6, true).range("olora_lambda2", c.oloraLambda2, 0, 1e6, true)
                .noNullEntries("tasks", c.tasks).noNullEntries("target", c.target);
        if (c.orthCoefficient != null) {
            new Check(file).range("orth_coefficient", c.orthCoefficient, 0, 1e6, true);
        }
    }

    /** Fluent checks of one file's settings, each failing with the file and the key. */
    private record Check(Path file) {

        Check notNull(String key, Object v) {
            if (v == null) {
                throw KifInputException.of(file, "key '" + key + "' is null; leave it out for the default");
            }
            return this;
        }

        Check atLeast(String key, Integer v, int min) {
            notNull(key, v);
            return atLeastOrNull(key, v, min);
        }

        Check atLeastOrNull(String key, Integer v, int min) {
            if (v != null && v < min) {
                throw KifInputException.of(file, "key '" + key + "' is " + v + ", expected at least " + min);
            }
            return this;
        }

        Check positiveOrNull(String key, Double v) {
            return v == null ? this : positive(key, v);
        }

        Check oneOf(String key, String v, String... allowed) {
            notNull(key, v);
            if (!List.of(allowed).contains(v)) {
                throw KifInputException.of(file, "key '" + key + "' is '" + v + "', expected one of "
                        + String.join(", ", allowed));
            }
            return this;
        }

        Check positive(String key, Double v) {
            notNull(key, v);
            if (!(v > 0) || !Double.isFinite(v)) {
                throw KifInputException.of(file, "key '" + key + "' is " + v + ", expected a positive number");
            }
            return this;
        }

        /** [lo, hi], or [lo, hi) when {@code hiIncluded} is false. */
        Check range(String key, Double v, double lo, double hi, boolean hiIncluded) {
            notNull(key, v);
            if (!(v >= lo && (hiIncluded ? v <= hi : v < hi))) {
                throw KifInputException.of(file, "key '" + key + "' is " + v + ", expected a number in [" + lo + ", "
                        + hi + (hiIncluded ? "]" : ")"));
            }
            return this;
        }

        Check noNullEntries(String key, List<String> list) {
            if (list != null && list.stream().anyMatch(s -> s == null || s.isBlank())) {
                throw KifInputException.of(file, "key '" + key + "' holds an empty or null entry");
            }
            return this;
        }
    }
}
