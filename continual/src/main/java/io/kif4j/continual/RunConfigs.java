package io.kif4j.continual;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.kif4j.weights.KifInputException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads a run config file: JSON, or YAML for files ending in .yaml/.yml. Unknown keys are errors. */
public final class RunConfigs {

    private RunConfigs() {
    }

    public static RunConfig read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw KifInputException.of(file, "config file not found");
        }
        String name = file.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        ObjectMapper mapper = name.endsWith(".yaml") || name.endsWith(".yml") ? new ObjectMapper(new YAMLFactory())
                : new ObjectMapper();
        mapper.enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        try {
            RunConfig c = mapper.readValue(file.toFile(), RunConfig.class);
            if (c == null) {
                throw KifInputException.of(file, "empty config");
            }
            return c;
        } catch (UnrecognizedPropertyException e) {
            throw KifInputException.of(file, "unknown key '" + e.getPropertyName() + "'");
        } catch (IOException e) {
            throw KifInputException.of(file, "not a valid run config: " + e.getMessage().lines().findFirst().orElse(""));
        }
    }
}
