package io.kif4j.common;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reading JSON files and typed fields with errors that name the file and the field.
 * Integers must be JSON integers, floats any number, booleans JSON booleans: a string "64" is refused.
 */
public final class Json {

    public static final ObjectMapper MAPPER = new ObjectMapper();

    /** Config files are small; anything larger is not what we think it is. */
    private static final long MAX_BYTES = 64L << 20;

    private Json() {
    }

    public static JsonNode read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw KifInputException.of(file, "file not found");
        }
        try {
            if (Files.size(file) > MAX_BYTES) {
                throw KifInputException.of(file, "larger than " + (MAX_BYTES >> 20) + " MB, not a config file");
            }
            byte[] bytes = Files.readAllBytes(file);
            String text;
            try {
                text = StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes)).toString();
            } catch (CharacterCodingException e) {
                throw KifInputException.of(file, "not valid UTF-8");
            }
            JsonNode node = MAPPER.readTree(text);
            if (node == null || !node.isObject()) {
                throw KifInputException.of(file, "expected a JSON object");
            }
            return node;
        } catch (JsonProcessingException e) {
            // Jackson's own limits (nesting depth, number length) throw without a location.
            String line = e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")";
            throw KifInputException.of(file, "not well-formed JSON: " + e.getOriginalMessage() + line);
        } catch (IOException e) {
            throw KifInputException.of(file, "cannot read: " + e.getMessage(), e);
        }
    }

    public static int intField(Path file, JsonNode root, String field, Integer dflt) {
        JsonNode v = root.get(field);
        if (v == null || v.isNull()) {
            if (dflt == null) {
                throw KifInputException.of(file, "missing field '" + field + "' (an integer)");
            }
            return dflt;
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw KifInputException.of(file, "field '" + field + "' is " + v + ", expected an integer");
        }
        return v.asInt();
    }

    public static int positiveInt(Path file, JsonNode root, String field, Integer dflt) {
        int v = intField(file, root, field, dflt);
        if (v <= 0) {
            throw KifInputException.of(file, "field '" + field + "' is " + v + ", expected a positive integer");
        }
        return v;
    }

    public static double doubleField(Path file, JsonNode root, String field, Double dflt) {
        JsonNode v = root.get(field);
        if (v == null || v.isNull()) {
            if (dflt == null) {
                throw KifInputException.of(file, "missing field '" + field + "' (a number)");
            }
            return dflt;
        }
        if (!v.isNumber() || !Double.isFinite(v.asDouble())) { // 1e999 parses as infinity
            throw KifInputException.of(file, "field '" + field + "' is " + v + ", expected a finite number");
        }
        return v.asDouble();
    }

    public static boolean boolField(Path file, JsonNode root, String field, boolean dflt) {
        JsonNode v = root.get(field);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (!v.isBoolean()) {
            throw KifInputException.of(file, "field '" + field + "' is " + v + ", expected true or false");
        }
        return v.asBoolean();
    }

    public static String stringField(Path file, JsonNode root, String field, String dflt) {
        JsonNode v = root.get(field);
        if (v == null || v.isNull()) {
            if (dflt == null) {
                throw KifInputException.of(file, "missing field '" + field + "' (a string)");
            }
            return dflt;
        }
        if (!v.isTextual()) {
            throw KifInputException.of(file, "field '" + field + "' is " + v + ", expected a string");
        }
        return v.asText();
    }

    /** An integer token id, or {@code dflt} when absent; a list (as HF allows for eos) gives its first entry. */
    public static int tokenId(Path file, JsonNode root, String field, int dflt) {
        JsonNode v = root.get(field);
        if (v != null && v.isArray() && v.size() > 0) {
            v = v.get(0);
        }
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (!v.isIntegralNumber()) {
            throw KifInputException.of(file, "field '" + field + "' is " + v + ", expected a token id");
        }
        return v.asInt();
    }
}
