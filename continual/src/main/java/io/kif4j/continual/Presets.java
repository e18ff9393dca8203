package io.kif4j.continual;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.kif4j.common.Json;
import io.kif4j.common.KifInputException;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The papers' protocols as data: each preset is {@code presets/<name>.yaml} on the classpath, listing every setting
 * it fixes with its source in the spec ({@code settings: {key: {value: …, source: "§…"}}}, keys as in a run config
 * file). A preset is applied first; a config file and flags override it.
 */
public final class Presets {

    /** The presets shipped with kif4j, in the order they are listed. */
    public static final List<String> NAMES = List.of("paper-t5", "paper-llama", "rkif-t5", "olora-t5");

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private Presets() {
    }

    /** One setting of a preset: its value and where the spec gives it. */
    public record Setting(JsonNode value, String source) {
    }

    /** The settings of preset {@code name}, in file order; an unknown name is refused with the available ones. */
    public static Map<String, Setting> settings(String name) {
        if (!NAMES.contains(name)) {
            throw new KifInputException("--preset: unknown preset '" + name + "'; available: "
                    + String.join(", ", NAMES));
        }
        try (InputStream in = Presets.class.getResourceAsStream("/presets/" + name + ".yaml")) {
            JsonNode root = YAML.readTree(in);
            Map<String, Setting> out = new LinkedHashMap<>();
            root.get("settings").fields().forEachRemaining(e ->
                    out.put(e.getKey(), new Setting(e.getValue().get("value"), e.getValue().get("source").asText())));
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("preset " + name, e);
        }
    }

    /** A run config holding preset {@code name}'s settings over the defaults. */
    public static RunConfig load(String name) {
        RunConfig c = new RunConfig();
        apply(name, c);
        return c;
    }

    /** Sets preset {@code name}'s settings on {@code c} and records the preset's name. */
    public static void apply(String name, RunConfig c) {
        ObjectNode values = Json.MAPPER.createObjectNode();
        settings(name).forEach((k, s) -> values.set(k, s.value()));
        try {
            Json.MAPPER.readerForUpdating(c).readValue(values);
        } catch (IOException e) {
            throw new IllegalStateException("preset " + name + " does not fit the run config: " + e.getMessage(), e);
        }
        c.preset = name;
    }
}
